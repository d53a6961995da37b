"""MinHash signatures cut into LSH bands: which earlier reports are worth an exact comparison.

An exact inverted index over shingles hands every report that shares one common word pair
("mohon segera") to the verifier, so the work grows with the square of the window. MinHash LSH
hands over only reports whose estimated Jaccard is high enough to land in a shared band bucket;
the caller still verifies every candidate exactly, so precision is unchanged and only recall is
probabilistic: with 30 bands of 5 rows a pair is found with probability 0.91 at Jaccard 0.6, 0.975 at
0.65 and 0.995 at 0.7. Fewer rows per band find more borderline pairs but hand over many more chance
neighbours (posts sharing a subject, a desa and a closing phrase), and those grow with the window.

The permutations are multiply-shift hashes of a stable CRC32 of each shingle, computed for all
permutations at once with numpy: a process-independent hash keeps the buckets (and so the groups)
the same from run to run, and one vectorised call per report is far cheaper than a per-permutation
Python loop.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Sequence
from itertools import accumulate, pairwise

import numpy as np

BANDS = 30
ROWS = 5
SEED = 20261123

_SHIFT = np.uint64(32)
#: Band keys keep the top 31 bits of the band hash (`BUCKET_KEY` wide, with the top bit left for `OWN_KEY_BIT`).
_BAND_SHIFT = np.uint64(33)


def shingle_keys(words: Sequence[str]) -> np.ndarray:
    """The distinct keys (CRC32 of the UTF-8) of the shingles of `textsig.shingles`, sorted, as uint64.

    The word-pair strings are made only to be hashed and dropped at once: the index keeps these
    keys, not a set of strings per report.
    """
    pairs = map(" ".join, pairwise(words)) if len(words) >= 2 else words
    keys = np.fromiter(map(zlib.crc32, map(str.encode, pairs)), dtype=np.uint64)
    if len(keys) < 2:
        return keys
    keys.sort()
    fresh = np.empty(len(keys), dtype=bool)
    fresh[0] = True
    np.not_equal(keys[1:], keys[:-1], out=fresh[1:])
    return keys if np.count_nonzero(fresh) == len(fresh) else keys[fresh]


def shingle_key(shingle: str) -> int:
    """The key `shingle_keys` gives a shingle string."""
    return zlib.crc32(shingle.encode())


class MinHasher:
    """Band keys of a shingle set: two sets share a key in some band with probability 1 - (1 - J**rows)**bands."""

    def __init__(self, bands: int = BANDS, rows: int = ROWS, seed: int = SEED) -> None:
        rng = np.random.default_rng(seed)
        self.bands, self.rows = bands, rows
        size = bands * rows
        self._mul = rng.integers(1, 2**63, size=size, dtype=np.uint64) | np.uint64(1)
        self._add = rng.integers(0, 2**63, size=size, dtype=np.uint64)
        self._band_mul = rng.integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)
        self._band_salt = rng.integers(0, 2**63, size=bands, dtype=np.uint64)

    def signature(self, shingles: Collection[str]) -> np.ndarray:
        """The minimum of each permutation over the set (uint64 values below 2**32; undefined for an empty set)."""
        return self.signature_of_keys(np.array([shingle_key(s) for s in shingles], dtype=np.uint64))

    def signature_of_words(self, words: Sequence[str]) -> np.ndarray:
        """`signature` of the shingles of a tokenised text, without building the shingles."""
        return self.signature_of_keys(shingle_keys(words))

    def signature_of_keys(self, keys: np.ndarray) -> np.ndarray:
        """`signature` of a set given as `shingle_keys`: the minimum is taken before the shift, which it survives."""
        hashed = np.multiply.outer(keys, self._mul)
        hashed += self._add
        return np.minimum.reduce(hashed, axis=0) >> _SHIFT

    def signatures_of_keys(self, key_sets: Sequence[np.ndarray]) -> np.ndarray:
        """`signature_of_keys` of each set (none empty), a row each: a handful of array operations for all of
        them, where one set at a time spends more on the calls than on the arithmetic."""
        if not key_sets:
            return np.empty((0, self.bands * self.rows), dtype=np.uint64)
        hashed = np.multiply.outer(np.concatenate(key_sets), self._mul)
        hashed += self._add
        starts = np.fromiter(accumulate(map(len, key_sets[:-1]), initial=0), dtype=np.intp, count=len(key_sets))
        return np.minimum.reduceat(hashed, starts, axis=0) >> _SHIFT

    def band_keys(self, shingles: Collection[str]) -> list[int]:
        """One integer per band: a hash of its rows salted with the band, so one dictionary holds every band."""
        return self.band_keys_of(self.signature(shingles))

    def band_keys_of(self, signature: np.ndarray) -> list[int]:
        """`band_keys` of an already computed signature (uint32 or uint64)."""
        rows = signature.reshape(self.bands, self.rows).astype(np.uint64, copy=False)
        return ((rows @ self._band_mul + self._band_salt) >> _BAND_SHIFT).tolist()

    def band_keys_of_many(self, signatures: np.ndarray) -> list[list[int]]:
        """`band_keys_of` of each row of `signatures_of_keys`."""
        rows = signatures.reshape(len(signatures), self.bands, self.rows).astype(np.uint64, copy=False)
        return ((rows @ self._band_mul + self._band_salt) >> _BAND_SHIFT).tolist()


#: The type of a bucket key and of a slot tag. 32 bits halve the entries' memory (31 entries a report;
#: 1.2 million in a 14-day window of a million posts a year) and the bytes every look-up gathers. At a
#: million entries, about one key in two thousand finds an unrelated entry by chance: an extra
#: candidate, which the estimate and the exact comparison turn away; it can never make a match.
BUCKET_KEY = np.uint32
#: Band keys are below 2**31 (`MinHasher.band_keys_of` keeps 31 bits), so other bucket keys can be made
#: distinct from every band key by setting the top bit, and all of them still fit a `BUCKET_KEY` array.
OWN_KEY_BIT = 1 << 31


def own_key(value: int) -> int:
    """A bucket key for `value` (any non-negative int) that no band key equals."""
    return OWN_KEY_BIT | (value & (OWN_KEY_BIT - 1))


def low_bits(signature: np.ndarray) -> np.ndarray:
    """The low 8 bits of each minimum: what `SignatureStore` keeps and compares.

    A batch's candidates are rows gathered from the store at random, so the bytes per row decide
    how much of each query waits on memory, and that wait grows with the window. Two different
    minima agree in their low 8 bits with probability 1/256: a chance neighbour at Jaccard 0.3
    disagrees in about 105 of 150 permutations, so it gains about 0.4 agreements, 0.003 on its
    estimate, nothing next to the margin the estimate is given (`triage.duplicates.ESTIMATE_MARGIN`).
    A chance agreement can only make a pair look more similar, so it can cost an exact comparison,
    never a match.
    """
    return signature.astype(np.uint8)


class SignatureStore:
    """The window's signatures in one matrix, a row (slot) per item, so a query estimates every candidate at once.

    Chance neighbours (posts sharing a subject, a desa and a closing phrase) reach a shared band
    bucket in numbers that grow with the window; comparing each one's shingle set in Python made the
    grouping quadratic. One numpy comparison of signature rows estimates all their Jaccards for the
    price of a few calls, and only the plausible ones are verified exactly. Slots of items that left
    the window are reused, so the matrix is as large as the busiest window, not the history. A slot's
    tag is its number with a generation above it, bumped at each release, so whatever still holds
    an old tag knows it is stale.
    """

    def __init__(self, width: int, capacity: int = 1024) -> None:
        self.values = np.zeros((capacity, width), dtype=np.uint8)  # `low_bits` of each signature
        self.items = np.zeros(capacity, dtype=np.int64)
        self.sizes = np.zeros(capacity, dtype=np.int64)
        self.tags = np.arange(capacity, dtype=BUCKET_KEY)
        self._free: list[int] = []
        self._used = 0

    def put(self, item: int, signature: np.ndarray, size: int) -> int:
        """Store one item's signature and set size; returns its slot."""
        if self._free:
            slot = self._free.pop()
        else:
            slot, self._used = self._used, self._used + 1
            if slot == len(self.items):
                self._grow()
        self.values[slot], self.items[slot], self.sizes[slot] = signature, item, size
        return slot

    def release(self, slot: int) -> None:
        self.tags[slot] = (int(self.tags[slot]) + _GENERATION) & _TAG_MASK
        self._free.append(slot)

    def _grow(self) -> None:
        capacity = 2 * len(self.items)
        if capacity > _SLOT + 1:
            raise OverflowError(f"a duplicate window of more than {_SLOT + 1:,} reports: shorten duplicate_window_days")
        self.values = np.resize(self.values, (capacity, self.values.shape[1]))
        self.items, self.sizes = np.resize(self.items, capacity), np.resize(self.sizes, capacity)
        self.tags = np.concatenate([self.tags, np.arange(len(self.tags), capacity, dtype=BUCKET_KEY)])

    def __len__(self) -> int:
        """Slots in use."""
        return self._used - len(self._free)


#: A band bucket this full holds posts that share a template (subject, desa, closing phrase), not a complaint:
#: a look-up takes only its latest entries, so no one key hands a query more candidates than this. A near
#: duplicate still shares some of its other bands with the post it repeats (29 more chances at 30 bands).
MAX_BUCKET = 64
#: A slot's tag is slot + generation * _GENERATION (`SignatureStore.tags`), 24 bits of slot and 8 of generation.
#: The generation wraps after 256 releases of one slot; an entry that old and not yet dropped by a merge looks
#: fresh again and hands over the slot's current report, one more candidate to turn away, never a match.
_GENERATION = 1 << 24
_SLOT = _GENERATION - 1
_TAG_MASK = (1 << 32) - 1
#: Entries added since the last merge go into the main array once they are this many and this share of it,
#: so a merge (a pass over every entry) costs a bounded amount per entry however full the window is.
MERGE_AT_LEAST = 65_536
MERGE_SHARE = 8


class BucketTable:
    """Store slots by bucket key (LSH band or sentence), as sorted arrays looked up a batch of queries at a time.

    A dictionary of bucket lists costs a lookup per band per query, an insertion per band per report
    and a removal per band when the report leaves the window, and at a busy window every one of
    those waits on memory, so the cost per post grew with the window. Here new entries wait in a
    list until `seal` sorts them into a small array, which is merged into the main one when it has
    grown to a share of it; a look-up is a binary search of every key of a batch in both, one call
    each. Entries of reports that left the window are never removed one by one: an entry records the
    slot's tag, and once the store has released the slot the entry is stale, skipped by every
    look-up and dropped at the next merge. An entry is the slot's tag, so a look-up gathers one array.
    """

    def __init__(self, store: SignatureStore, max_bucket: int = MAX_BUCKET) -> None:
        self.store, self.max_bucket = store, max_bucket
        self._pending: list[tuple[int, list[int]]] = []  # the slot's tag then, keys
        self._levels = [_Entries(), _Entries()]  # main, recent

    def add(self, slot: int, keys: list[int]) -> None:
        self._pending.append((int(self.store.tags[slot]), keys))

    def seal(self) -> None:
        """Make everything added so far visible to `lookup`."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        counts = [len(keys) for _, keys in pending]
        tags = np.repeat(np.fromiter((tag for tag, _ in pending), dtype=BUCKET_KEY, count=len(pending)), counts)
        keys = np.fromiter((key for _, own in pending for key in own), dtype=BUCKET_KEY, count=sum(counts))
        main, recent = self._levels
        recent.merge(keys, tags, self._fresh(recent))
        if len(recent) >= max(MERGE_AT_LEAST, len(main) // MERGE_SHARE):
            main.merge(recent.keys, recent.tags, self._fresh(main))
            self._levels[1] = _Entries()

    def lookup(self, keys: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owner, slot) pairs: the fresh entries under each key, at most `max_bucket` per key and level.

        A pair repeats once for each key the two share; `distinct_pairs` makes them unique, best after
        whatever discards most of them (a chance neighbour, the most common candidate, shares one key).
        `keys` are `BUCKET_KEY`s; `owners` says whose key each one is (the query's position in its batch);
        call `seal` first.
        """
        keys = keys.astype(BUCKET_KEY, copy=False)  # another type would make every search convert the table
        order = np.argsort(keys)  # a binary search for each of sorted keys starts where the last one ended
        keys, owners = keys[order], owners[order]
        found = [level.lookup(keys, owners, self.max_bucket) for level in self._levels if len(level)]
        if not found:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        owner = np.concatenate([o for o, _ in found])
        tags = np.concatenate([t for _, t in found])
        slot = tags & _SLOT
        fresh = self.store.tags[slot] == tags
        return owner[fresh], slot[fresh]

    def _fresh(self, level: _Entries) -> np.ndarray:
        return self.store.tags[level.tags & _SLOT] == level.tags

    def keys_held(self) -> int:
        """Distinct keys with a fresh entry (what memory grows with); everything added counts once sealed."""
        self.seal()
        held = [level.keys[self._fresh(level)] for level in self._levels]
        return len(np.unique(np.concatenate(held)))


class _Entries:
    """Bucket entries sorted by key; within a key, in the order they were added."""

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=BUCKET_KEY)
        self.tags = np.empty(0, dtype=BUCKET_KEY)

    def merge(self, keys: np.ndarray, tags: np.ndarray, keep: np.ndarray) -> None:
        """Add entries (in the order they were made), dropping the old entries where `keep` is False.

        A stable sort of the sorted old part followed by the sorted new part is one merge of two runs.
        """
        order = np.argsort(keys, kind="stable")
        joined = np.concatenate([self.keys[keep], keys[order]])
        merged = np.argsort(joined, kind="stable")
        self.keys = joined[merged]
        self.tags = np.concatenate([self.tags[keep], tags[order]])[merged]

    def lookup(self, keys: np.ndarray, owners: np.ndarray,
               cap: int) -> tuple[np.ndarray, np.ndarray]:
        """(owner, slot tag) of the latest `cap` entries under each key."""
        right = np.searchsorted(self.keys, keys, side="right")
        left = np.maximum(np.searchsorted(self.keys, keys, side="left"), right - cap)
        counts = right - left
        return np.repeat(owners, counts), self.tags[_positions(left, counts)]

    def __len__(self) -> int:
        return len(self.keys)


def pairs_within(keys: np.ndarray, owners: np.ndarray, cap: int = MAX_BUCKET) -> tuple[np.ndarray, np.ndarray]:
    """(later, earlier) owner pairs sharing a key, each once, up to the `cap` latest earlier ones per key:
    the bucket look-up among a batch's own queries, which are not in any table yet.

    `owners` ascend (keys are listed query by query), so a stable sort by key keeps each key's
    owners in order and every earlier owner of a key comes before the later one.
    """
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_owners = keys[order], owners[order]
    new_run = np.empty(len(order), dtype=bool)
    new_run[:1] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new_run[1:])
    position = np.arange(len(order))
    run_start = np.maximum.accumulate(np.where(new_run, position, 0))
    first = np.maximum(run_start, position - cap)
    before = position - first
    later, earlier = distinct_pairs(sorted_owners[np.repeat(position, before)],
                                    sorted_owners[_positions(first, before)])
    apart = later != earlier
    return later[apart], earlier[apart]


def _positions(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indexes start, start + 1, ..., start + count - 1 of every range, concatenated."""
    total = int(counts.sum())
    return np.arange(total) + np.repeat(starts - (np.cumsum(counts) - counts), counts)


def distinct_pairs(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each (first, second) pair once, in order; both below 2**32."""
    pairs = np.unique((first.astype(np.int64) << 32) | second)
    return pairs >> 32, pairs & _TAG_MASK

"""Duplicate groups: which earlier report a new one repeats, and how we know.

A group is a canonical report (the earliest) and members linked to it by duplicate_of_id; nothing
is deleted. A new report is compared, in this order, with the reports of the last
`duplicate_window_days`:

1. `retweet` / `quote`: the X payload links it to another tweet (or to a tweet other reports link to);
2. `exact`: the same normal-form text hash (the same SMS sent twice, a copy-paste);
3. `near`: word-shingle Jaccard >= the threshold, or one text contained in the other (the same
   complaint with a sentence added) when both are long enough for that to mean something;
4. `author_repeat`: the same author (same channel account, or the same display name on another
   channel) with enough content words in common, unless the two were classified into different
   categories (one person's birth certificate and unpaid BPNT are two complaints).

Two reports tagged with different places (desa, else kecamatan, both known) are two complaints
for `near` and `author_repeat`: a letter copied by every village about its own road, or one village
head reporting two roads, differ in little but the place, and each place needs its own follow-up.
Only a text that repeats the other whole (the other's place included) still joins its group.

A textual match across channels is kind `cross_channel`. Candidates for (3) come from MinHash LSH
buckets (`triage.minhash`), and from buckets keyed by each longer sentence, so that a post repeated
inside a longer one (Jaccard too low for LSH to be sure of) is a candidate every time; their MinHash
signatures estimate every candidate's Jaccard in one numpy call, and only candidates that could pass
(the estimate plus a wide margin) are verified exactly, so LSH and the estimate only decide what is
compared, never what matches. Queries come oldest first (the
pipeline triages oldest post first), so everything older than the current post minus the window can
never match again and is dropped from every index: memory follows the window, not the history. A
report the index no longer holds is looked up in the database by the caller (`canonical_of` returns
None).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain
from typing import NamedTuple

import numpy as np

from triage import textsig
from triage.minhash import (
    BUCKET_KEY,
    BucketTable,
    MinHasher,
    SignatureStore,
    distinct_pairs,
    low_bits,
    own_key,
    pairs_within,
    shingle_key,
    shingle_keys,
)

#: One text containing this share of the other's shingles is the same complaint with a sentence added...
CONTAINMENT_THRESHOLD = 0.8
#: ...but only when the shorter text has at least this many shingles (short texts contain each other by chance).
CONTAINMENT_MIN_SHINGLES = 8
#: Content-word Jaccard above which two posts by the same author about the same category are one complaint.
AUTHOR_REPEAT_SIMILARITY = 0.3
MIN_SHINGLES = 3
#: Added to a signature's Jaccard estimate before ruling a candidate out: three standard deviations of the
#: estimate over 150 permutations near the threshold, so about one pair in 700 that would pass exactly is
#: skipped. The old five (0.2) sent every chance neighbour estimated at 0.4 on to be verified exactly, and
#: those grow in number with the window.
ESTIMATE_MARGIN = 0.12
#: Set sizes are capped here when bounding the estimate (a post this long is always compared exactly).
_LARGEST_SIZE = 4096


@dataclass
class Signature:
    """What duplicate detection needs of a report, computed from its post (never from the model's text)."""

    report_id: int
    channel: str
    source_id: str
    created_at: datetime
    author_keys: frozenset[str]
    category: str | None
    text_hash: str | None
    shingles: frozenset[str]  # None when built by `signature`: made from `words` on first read (see _LazyShingles)
    content: frozenset[str] | None  # None when built by `signature`: made from `words` when first compared
    link_kind: str | None = None  # "retweet" | "quote"
    link_ref: str | None = None   # the referenced tweet's source id
    canonical_id: int | None = None
    bands: list[int] | None = field(default=None, repr=False)  # LSH band keys, filled by the index
    sentence_keys: list[int] = field(default_factory=list, repr=False)  # more bucket keys: see text_print
    minhash: np.ndarray | None = field(default=None, repr=False)
    slot: int | None = field(default=None, repr=False)  # row in the index's SignatureStore while in the window
    words: list[str] | None = field(default=None, repr=False)  # the tokens, that shingles and keys are made of
    keys: np.ndarray | None = field(default=None, repr=False)  # sorted distinct shingle keys, filled by the index
    place: tuple[str | None, str | None] = (None, None)  # (kecamatan code, desa code) as tagged or corrected


class _LazyShingles:
    """`Signature.shingles`, built from the tokens on first read.

    The index compares shingle keys (one small array per report), so strings for every word pair of
    every report in the window would be made and kept only for the rare caller that reads them.
    """

    def __get__(self, sig: Signature | None, owner: type | None = None):
        if sig is None:
            return self
        value = sig.__dict__.get("shingles")
        if value is None:
            value = sig.__dict__["shingles"] = textsig.shingles(sig.words or [])
        return value

    def __set__(self, sig: Signature, value: frozenset[str] | None) -> None:
        sig.__dict__["shingles"] = value


Signature.shingles = _LazyShingles()  # type: ignore[assignment]  # after the dataclass, so __init__ sets through it


@dataclass(frozen=True)
class DuplicateMatch:
    canonical_id: int
    matched_id: int
    kind: str
    similarity: float | None


class TextPrint(NamedTuple):
    """What duplicate detection derives from a post's text alone, made by `text_print`.

    Pure and picklable, so the nightly batch has it made in the classification worker, beside the
    tags, and the process that groups only looks things up.
    """

    words: list[str]
    text_hash: str | None
    keys: np.ndarray
    minhash: np.ndarray | None  # `low_bits`; None below MIN_SHINGLES keys: such a text enters no LSH bucket
    bands: list[int] | None
    sentences: list[int]  # bucket keys of its longer sentences (`textsig.sentence_keys`, salted)


#: Every DuplicateIndex hashes with the default MinHasher, so a print made anywhere fits any index.
_DEFAULT_HASHER = MinHasher()


def text_print(text: str) -> TextPrint:
    """Everything `signature` takes from the text, computed once wherever the text is at hand."""
    return text_prints([text])[0]


#: Texts hashed together by `text_prints`: enough to spread the array calls thin (from 16 texts up, the
#: measured cost per text hardly changes), few enough to keep the shingle × permutation matrix small.
_PRINT_CHUNK = 128


def text_prints(texts: Sequence[str]) -> list[TextPrint]:
    """`text_print` of each text; the MinHash and band keys of a chunk of texts come from one array
    computation, which at a few dozen shingles a post costs less than the calls of one post alone."""
    printed: list[TextPrint] = []
    for start in range(0, len(texts), _PRINT_CHUNK):
        printed.extend(_text_prints(texts[start:start + _PRINT_CHUNK]))
    return printed


def _text_prints(texts: Sequence[str]) -> list[TextPrint]:
    words = [textsig.tokens(text) for text in texts]
    keys = [shingle_keys(tokens) for tokens in words]
    hashed = [n for n, own in enumerate(keys) if len(own) >= MIN_SHINGLES]
    values = _DEFAULT_HASHER.signatures_of_keys([keys[n] for n in hashed])
    minhashes = dict(zip(hashed, low_bits(values), strict=True))
    bands = dict(zip(hashed, _DEFAULT_HASHER.band_keys_of_many(values), strict=True))
    return [TextPrint(tokens, textsig.words_hash(tokens), own, minhashes.get(n), bands.get(n),
                      [own_key(key) for key in textsig.sentence_keys(text, tokens)] if n in bands else [])
            for n, (text, tokens, own) in enumerate(zip(texts, words, keys, strict=True))]


def signature(report_id: int, post, category: str | None, printed: TextPrint | None = None,
              place: tuple[str | None, str | None] = (None, None)) -> Signature:
    """Build a signature from a Post row (or anything with its attributes), and its text's print if made already."""
    printed = printed or text_print(post.text)
    link_kind, link_ref = _link(post)
    return Signature(
        report_id=report_id, channel=post.channel, source_id=post.source_id, created_at=post.created_at,
        author_keys=author_keys(post.channel, post.author_id, post.author_name), category=category,
        text_hash=printed.text_hash, shingles=None, content=None, link_kind=link_kind, link_ref=link_ref,
        words=printed.words, keys=printed.keys, minhash=printed.minhash, bands=printed.bands,
        sentence_keys=printed.sentences, place=place,
    )


def author_keys(channel: str, author_id: str | None, author_name: str | None) -> frozenset[str]:
    keys = set()
    if author_id:
        keys.add(f"id:{channel}:{author_id}")
    name = " ".join((author_name or "").casefold().split())
    if name:
        keys.add(f"name:{name}")
    return frozenset(keys)


def _link(post) -> tuple[str | None, str | None]:
    if post.retweet_of_id:
        return "retweet", post.retweet_of_id
    if post.quote_of_id:
        return "quote", post.quote_of_id
    return None, None


@dataclass
class DuplicateIndex:
    """The reports of the window, indexed by hash, LSH band, author and link, for matching new ones."""

    window: timedelta
    threshold: float
    by_id: dict[int, Signature] = field(default_factory=dict)
    by_source: dict[tuple[str, str], int] = field(default_factory=dict)
    by_hash: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_author: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_link: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    hasher: MinHasher = field(default_factory=lambda: _DEFAULT_HASHER, init=False)  # the one `text_print` uses
    store: SignatureStore = field(init=False, repr=False)
    buckets: BucketTable = field(init=False, repr=False)  # band and sentence key → store slots
    _expiry: list[tuple[datetime, int]] = field(default_factory=list, repr=False)  # heap of (created_at, id)
    _expected: dict[int, list[tuple[int, float]]] = field(default_factory=dict, repr=False)  # see expect

    def __post_init__(self) -> None:
        self.store = SignatureStore(self.hasher.bands * self.hasher.rows)
        self.buckets = BucketTable(self.store)

    def add(self, sig: Signature, canonical_id: int | None) -> None:
        sig.canonical_id = canonical_id or sig.report_id
        self.by_id[sig.report_id] = sig
        self.by_source[(sig.channel, sig.source_id)] = sig.report_id
        if sig.text_hash:
            self.by_hash[sig.text_hash].append(sig.report_id)
        size = len(_keys(sig))
        if size >= MIN_SHINGLES:
            bucket_keys = self._bucket_keys(sig)
            sig.slot = self.store.put(sig.report_id, sig.minhash, size)
            self.buckets.add(sig.slot, bucket_keys)
        for key in sig.author_keys:
            self.by_author[key].append(sig.report_id)
        if sig.link_ref:
            self.by_link[sig.link_ref].append(sig.report_id)
        heapq.heappush(self._expiry, (sig.created_at, sig.report_id))

    def forget_before(self, horizon: datetime) -> int:
        """Drop every report created before `horizon` from all indexes; returns how many went."""
        dropped = 0
        while self._expiry and self._expiry[0][0] < horizon:
            created_at, report_id = heapq.heappop(self._expiry)
            sig = self.by_id.get(report_id)
            if sig is not None and sig.created_at == created_at:
                self._remove(sig)
                dropped += 1
        return dropped

    def _remove(self, sig: Signature) -> None:
        rid = sig.report_id
        del self.by_id[rid]
        if self.by_source.get((sig.channel, sig.source_id)) == rid:
            del self.by_source[(sig.channel, sig.source_id)]
        if sig.text_hash:
            _discard(self.by_hash, sig.text_hash, rid)
        if sig.slot is not None:
            self.store.release(sig.slot)  # its bucket entries go stale with the slot
            sig.slot = None
        for key in sig.author_keys:
            _discard(self.by_author, key, rid)
        if sig.link_ref:
            _discard(self.by_link, sig.link_ref, rid)

    def _bucket_keys(self, sig: Signature) -> list[int]:
        """The keys of the buckets the report goes into: its LSH bands and its longer sentences."""
        bands = self._bands(sig)
        return bands + sig.sentence_keys if sig.sentence_keys else bands

    def _bands(self, sig: Signature) -> list[int]:
        if sig.bands is None:
            values = self.hasher.signature_of_keys(_keys(sig))
            sig.minhash, sig.bands = low_bits(values), self.hasher.band_keys_of(values)
        return sig.bands

    def expect(self, sigs: Sequence[Signature]) -> None:
        """Say which reports will be matched next, in this order, each added once matched.

        Their candidates (the window's, and each other's) are then found and estimated in one go
        (`_plausible_many`) instead of one report at a time. Optional: `match` finds the candidates
        of a report nobody announced by itself. Between this call and the matches it serves, the
        index must take only these reports.
        """
        if sigs:
            self.forget_before(min(sig.created_at for sig in sigs) - self.window)
        queries = [sig for sig in sigs if len(_keys(sig)) >= MIN_SHINGLES]
        self._expected = self._plausible_many(queries, self._copies(queries)) if queries else {}

    def _copies(self, queries: list[Signature]) -> np.ndarray:
        """Which of the queries repeat the text of a report in the window or of an earlier query.

        `match` groups those by their hash before it ever looks for near duplicates, so searching
        their buckets would be wasted, and it is the costliest search of all: a copy shares every
        bucket with the report it repeats, and with all the other copies of it.
        """
        copies = np.zeros(len(queries), dtype=bool)
        earlier: set[str] = set()
        for position, sig in enumerate(queries):
            if sig.text_hash:
                copies[position] = sig.text_hash in earlier or bool(self.by_hash.get(sig.text_hash))
                earlier.add(sig.text_hash)
        return copies

    def _plausible_many(self, queries: list[Signature],
                        copies: np.ndarray | None = None) -> dict[int, list[tuple[int, float]]]:
        """Report id → (id, `near_similarity`) of the reports, in the window or earlier among `queries`,
        that pass it; not for the `copies` (a mask over the queries), which are only candidates of
        later queries.

        Only candidates that could pass are compared exactly: those whose signature agrees with the
        query's in at least as many permutations as `_agreement_needed` says for the two set sizes.
        Whether a candidate is still in the window when the query is matched is left to `_near`.
        """
        keys = [self._bucket_keys(sig) for sig in queries]
        counts = list(map(len, keys))
        flat = np.fromiter(chain.from_iterable(keys), dtype=BUCKET_KEY, count=sum(counts))
        owners = np.repeat(np.arange(len(queries), dtype=np.int64), counts)
        searched = np.ones(len(queries), dtype=bool) if copies is None else ~copies
        sizes = np.array([min(len(_keys(sig)), _LARGEST_SIZE) for sig in queries], dtype=np.int64)
        minhashes = np.stack([sig.minhash for sig in queries])
        store = self.store
        self.buckets.seal()
        asked = searched[owners]
        owner, slot = self.buckets.lookup(flat[asked], owners[asked])
        keep = self._could_pass(store.values[slot], minhashes[owner], sizes[owner],
                                np.minimum(store.sizes[slot], _LARGEST_SIZE))
        owner, slot = distinct_pairs(owner[keep], slot[keep])
        positions = owner.tolist()
        others = store.items[slot].tolist()
        their_keys = [_keys(self.by_id[other]) for other in others]
        later, earlier = pairs_within(flat, owners)
        wanted = searched[later]
        later, earlier = later[wanted], earlier[wanted]
        keep = self._could_pass(minhashes[earlier], minhashes[later], sizes[later], sizes[earlier])
        positions += later[keep].tolist()
        for position in earlier[keep].tolist():
            others.append(queries[position].report_id)
            their_keys.append(_keys(queries[position]))
        scores = _near_scores([_keys(queries[position]) for position in positions], their_keys, self.threshold)
        found: dict[int, list[tuple[int, float]]] = {
            sig.report_id: [] for sig, wanted in zip(queries, searched, strict=True) if wanted}
        for position, other, score in zip(positions, others, scores.tolist(), strict=True):
            if score > 0:
                found[queries[position].report_id].append((other, score))
        return found

    def _could_pass(self, theirs: np.ndarray, own: np.ndarray, own_sizes: np.ndarray,
                    their_sizes: np.ndarray) -> np.ndarray:
        agree = np.add.reduce(theirs == own, axis=1, dtype=np.intp)
        return agree >= self._agreement_needed(own_sizes, their_sizes)

    def canonical_of(self, report_id: int) -> int | None:
        sig = self.by_id.get(report_id)
        return sig.canonical_id if sig else None

    def match(self, sig: Signature, linked: DuplicateMatch | None = None) -> DuplicateMatch | None:
        """The group this report belongs to, or None when it starts its own.

        `linked` is the match through a retweet/quote link the caller resolved in the database
        (the referenced tweet may be older than the window). Reports more than a window older than
        this one are forgotten first: callers query oldest first, so those can never match again.
        """
        self.forget_before(sig.created_at - self.window)
        return linked or self._linked(sig) or self._exact(sig) or self._near(sig) or self._author(sig)

    def _linked(self, sig: Signature) -> DuplicateMatch | None:
        if not sig.link_ref:
            return None
        target = self.by_source.get(("twitter", sig.link_ref))
        if target is None:
            others = [rid for rid in self.by_link.get(sig.link_ref, []) if rid != sig.report_id]
            target = others[0] if others else None
        if target is None:
            return None
        return self._to_group(sig, target, sig.link_kind or "retweet")

    def _exact(self, sig: Signature) -> DuplicateMatch | None:
        if not sig.text_hash:
            return None
        for other in self.by_hash.get(sig.text_hash, []):
            if self._comparable(sig, other):
                return self._to_group(sig, other, self._kind(sig, other, "exact"), 1.0)
        return None

    def _near(self, sig: Signature) -> DuplicateMatch | None:
        if len(_keys(sig)) < MIN_SHINGLES:
            return None
        found = self._expected.pop(sig.report_id, None)
        if found is None:
            found = self._plausible_many([sig])[sig.report_id]
        best: tuple[float, int] | None = None
        for other, score in sorted(found):
            if (other in self.by_id and self._comparable(sig, other) and not self._elsewhere(sig, other)
                    and (best is None or score > best[0])):
                best = (score, other)
        if best is None:
            return None
        return self._to_group(sig, best[1], self._kind(sig, best[1], "near"), best[0])

    def _agreement_needed(self, own: np.ndarray, other: np.ndarray) -> np.ndarray:
        """Per pair of set sizes (capped at _LARGEST_SIZE), the fewest agreeing permutations with which the
        pair could pass `near_similarity`.

        The estimate plus the margin is taken as the Jaccard, and the containment that Jaccard would
        imply for the two set sizes is allowed too: a Jaccard J of sets of sizes s and o shares at most
        J(s + o)/(1 + J) shingles.
        """
        sizes = other.astype(np.float64)
        smaller = np.minimum(sizes, own)
        share = CONTAINMENT_THRESHOLD * smaller / np.maximum(sizes + own, 1.0)
        jaccard = np.where(smaller >= CONTAINMENT_MIN_SHINGLES, np.minimum(self.threshold, share / (1.0 - share)),
                           self.threshold)
        width = self.store.values.shape[1]
        needed = np.maximum(np.ceil(width * (jaccard - ESTIMATE_MARGIN) - 1e-6), 0).astype(np.int64)
        needed[other >= _LARGEST_SIZE] = 0  # sizes are capped there: anything that large is worth comparing
        return needed

    def _author(self, sig: Signature) -> DuplicateMatch | None:
        candidates = {rid for key in sig.author_keys for rid in self.by_author.get(key, ())}
        best: tuple[float, int] | None = None
        for other in sorted(candidates):
            earlier = self.by_id[other]
            if (not self._comparable(sig, other) or _categories_differ(sig.category, earlier.category)
                    or self._elsewhere(sig, other)):
                continue
            score = textsig.jaccard(_content(sig), _content(earlier))
            if score >= AUTHOR_REPEAT_SIMILARITY and (best is None or score > best[0]):
                best = (score, other)
        if best is None:
            return None
        return self._to_group(sig, best[1], self._kind(sig, best[1], "author_repeat"), best[0])

    def _comparable(self, sig: Signature, other: int) -> bool:
        earlier = self.by_id[other]
        return other != sig.report_id and abs(sig.created_at - earlier.created_at) <= self.window

    def _elsewhere(self, sig: Signature, other: int) -> bool:
        """The report is tagged with another place than `other`, or than the head of `other`'s group (a
        copy naming no place must not chain two places into one group), and its text and theirs do not
        hold one another whole."""
        matched = self.by_id[other]
        head = self.by_id.get(matched.canonical_id or other, matched)
        return any(places_differ(sig.place, them.place) and not _one_holds_the_other(sig, them)
                   for them in ((matched,) if head is matched else (matched, head)))

    def _kind(self, sig: Signature, other: int, same_channel_kind: str) -> str:
        return same_channel_kind if self.by_id[other].channel == sig.channel else "cross_channel"

    def _to_group(self, sig: Signature, other: int, kind: str, similarity: float | None = None) -> DuplicateMatch:
        if similarity is None:
            own, theirs = _keys(sig), _keys(self.by_id[other])
            shared = _shared_counts(own, [theirs])[0] if len(own) and len(theirs) else 0
            similarity = shared / (len(own) + len(theirs) - shared) if shared else 0.0
        return DuplicateMatch(self.by_id[other].canonical_id or other, other, kind, round(similarity, 4))


def _discard(index: dict[str, list[int]], key: str, report_id: int) -> None:
    members = index.get(key)
    if members is not None and report_id in members:
        members.remove(report_id)
        if not members:
            del index[key]


def _categories_differ(a: str | None, b: str | None) -> bool:
    """Two known, different categories are two complaints; an unknown one (the model abstained) is no evidence."""
    return a is not None and b is not None and a != b


def places_differ(a: tuple[str | None, str | None], b: tuple[str | None, str | None]) -> bool:
    """Two known, different desa (else kecamatan, where a desa is unknown) are two places; unknown is no evidence.

    A desa outside its report's kecamatan (staff corrected the kecamatan and left the desa) is not known."""
    (kecamatan_a, desa_a), (kecamatan_b, desa_b) = a, b
    desa_a, desa_b = _desa_within(kecamatan_a, desa_a), _desa_within(kecamatan_b, desa_b)
    if desa_a and desa_b:
        return desa_a != desa_b
    return bool(kecamatan_a and kecamatan_b and kecamatan_a != kecamatan_b)


def _desa_within(kecamatan: str | None, desa: str | None) -> str | None:
    return desa if desa and (kecamatan is None or desa.startswith(f"{kecamatan}.")) else None


def _one_holds_the_other(a: Signature, b: Signature) -> bool:
    own, theirs = _keys(a), _keys(b)
    return bool(len(own) and len(theirs)) and _shared_counts(own, [theirs])[0] == min(len(own), len(theirs))


def near_similarity(a: frozenset[str], b: frozenset[str], threshold: float) -> float | None:
    """Jaccard when it passes the threshold, or containment for 'the same text plus a sentence'; else None."""
    if not a or not b:
        return None
    return _near_score(len(a & b), len(a), len(b), threshold)


def _near_score(shared: int, a: int, b: int, threshold: float) -> float | None:
    """`near_similarity` of two sets of sizes a and b with `shared` members in common (one count serves both)."""
    if not a or not b:
        return None
    score = shared / (a + b - shared)
    if score >= threshold:
        return score
    smaller = min(a, b)
    if smaller >= CONTAINMENT_MIN_SHINGLES and shared / smaller >= CONTAINMENT_THRESHOLD:
        return shared / smaller
    return None


def _near_scores(owns: list[np.ndarray], theirs: list[np.ndarray], threshold: float) -> np.ndarray:
    """`_near_score` of each pair of sorted shingle key arrays, 0 where it is None, for all pairs in a
    few array calls: a batch's plausible pairs compared one by one spent more on the calls than on
    the comparing, and their number grows with the window.

    Each key is tagged with its pair's number above its 32 bits, so every pair's keys are one run of
    one sorted array, and one binary search finds which of the other side's keys each run holds.
    """
    if not owns:
        return np.zeros(0)
    own_sizes = np.fromiter(map(len, owns), dtype=np.int64, count=len(owns))
    their_sizes = np.fromiter(map(len, theirs), dtype=np.int64, count=len(theirs))
    pair = np.arange(len(owns), dtype=np.uint64) << _PAIR_SHIFT
    own = np.repeat(pair, own_sizes) | np.concatenate(owns)
    their_pair = np.repeat(np.arange(len(theirs)), their_sizes)
    their = pair[their_pair] | np.concatenate(theirs)
    held = own.take(np.searchsorted(own, their), mode="clip") == their
    shared = np.bincount(their_pair[held], minlength=len(owns)).astype(np.float64)
    jaccard = shared / np.maximum(own_sizes + their_sizes - shared, 1)
    smaller = np.minimum(own_sizes, their_sizes)
    contained = np.where(smaller >= CONTAINMENT_MIN_SHINGLES, shared / np.maximum(smaller, 1), 0.0)
    return np.where(jaccard >= threshold, jaccard, np.where(contained >= CONTAINMENT_THRESHOLD, contained, 0.0))


#: Shingle keys are CRC32s, so a pair's number fits above them.
_PAIR_SHIFT = np.uint64(32)


def _keys(sig: Signature) -> np.ndarray:
    """The report's distinct shingle keys, sorted (`minhash.shingle_keys`): what the index compares."""
    if sig.keys is None:
        if sig.words is not None:
            sig.keys = shingle_keys(sig.words)
        else:  # built by hand, with shingles but no tokens
            sig.keys = np.unique(np.array([shingle_key(s) for s in sig.shingles], dtype=np.uint64))
    return sig.keys


def _content(sig: Signature) -> frozenset[str]:
    """The report's content words; only a report with an earlier one by the same author ever needs them."""
    if sig.content is None:
        sig.content = textsig.content_words(sig.words or [])
    return sig.content


def _shared_counts(own: np.ndarray, others: list[np.ndarray]) -> list[int]:
    """How many of each other sorted key array's members `own` (sorted) holds, in a few array calls for all of them."""
    joined = np.concatenate(others)
    found = own.take(np.searchsorted(own, joined), mode="clip") == joined
    starts = np.cumsum([0] + [len(o) for o in others[:-1]])
    return np.add.reduceat(found, starts).tolist()

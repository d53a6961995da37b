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
from collections.abc import Collection, Iterable

import numpy as np

BANDS = 30
ROWS = 5
SEED = 20261123


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
        crcs = np.fromiter(map(zlib.crc32, map(str.encode, shingles)), dtype=np.uint64, count=len(shingles))
        return ((crcs[:, None] * self._mul + self._add) >> np.uint64(32)).min(axis=0)

    def band_keys(self, shingles: Collection[str]) -> list[int]:
        """One integer per band: a hash of its rows salted with the band, so one dictionary holds every band."""
        rows = self.signature(shingles).reshape(self.bands, self.rows)
        return ((rows * self._band_mul).sum(axis=1) + self._band_salt).tolist()


class LshBuckets:
    """Report ids by band key; ids are removed when they leave the window, so memory follows the window."""

    def __init__(self) -> None:
        self._buckets: dict[int, list[int]] = {}

    def add(self, item: int, keys: Iterable[int]) -> None:
        buckets = self._buckets
        for key in keys:
            members = buckets.get(key)
            if members is None:
                buckets[key] = [item]
            else:
                members.append(item)

    def candidates(self, keys: Iterable[int]) -> set[int]:
        found: set[int] = set()
        buckets = self._buckets
        for key in keys:
            members = buckets.get(key)
            if members is not None:
                found.update(members)
        return found

    def remove(self, item: int, keys: Iterable[int]) -> None:
        buckets = self._buckets
        for key in keys:
            members = buckets.get(key)
            if members is None or item not in members:
                continue
            if len(members) == 1:
                del buckets[key]
            else:
                members.remove(item)

    def __len__(self) -> int:
        """Number of non-empty buckets (what memory grows with)."""
        return len(self._buckets)

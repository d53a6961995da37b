"""A read-only hash table from non-negative int64 keys to int64 values, looked up a whole array at once.

The category features look up every word pair of a batch (tens of thousands) among the model's
bigrams. A binary search (``searchsorted`` on the sorted keys) costs a cache miss per step;
here a key's slot comes from one multiplication (Fibonacci hashing), and with the table at
most a quarter full nearly every key is settled at its first slot, so a batch costs a few passes
of numpy over its keys.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_EMPTY = -1


class KeyIndex:
    """``keys[i]`` → ``values[i]``; :meth:`get` gives -1 for a key that is not there.

    Parameters
    ----------
    keys : array of int
        Distinct non-negative keys.
    values : array of int
        One value per key.
    """

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        keys, values = np.asarray(keys, dtype=np.int64), np.asarray(values, dtype=np.int64)
        if keys.shape != values.shape or keys.ndim != 1:
            raise ValueError("keys and values must be 1-d arrays of the same length")
        if len(keys) and keys.min() < 0:
            raise ValueError("keys must be non-negative")
        if len(np.unique(keys)) != len(keys):
            raise ValueError("keys must be distinct")
        self.bits = max(4, (4 * len(keys)).bit_length())
        size = 1 << self.bits
        self.slot_keys = np.full(size, _EMPTY, dtype=np.int64)
        self.slot_values = np.full(size, _EMPTY, dtype=np.int64)
        self.probes = 0
        # Placed a round at a time: each round every key still waiting tries its next slot, and of
        # keys wanting the same free slot the first takes it (linear probing).
        slots, waiting = self._home(keys), np.arange(len(keys))
        while len(waiting):
            self.probes += 1
            free = self.slot_keys[slots] == _EMPTY
            wanted, first = np.unique(slots[free], return_index=True)
            placed = np.flatnonzero(free)[first]
            self.slot_keys[wanted] = keys[waiting[placed]]
            self.slot_values[wanted] = values[waiting[placed]]
            rest = np.ones(len(waiting), dtype=bool)
            rest[placed] = False
            waiting, slots = waiting[rest], (slots[rest] + 1) & (size - 1)

    def _home(self, keys: np.ndarray) -> np.ndarray:
        return (keys.astype(np.uint64) * _GOLDEN >> np.uint64(64 - self.bits)).astype(np.int64)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, -1 where the table has none."""
        keys = np.asarray(keys, dtype=np.int64)
        out = np.full(len(keys), _EMPTY, dtype=np.int64)
        slots, waiting = self._home(keys), np.arange(len(keys))
        mask = len(self.slot_keys) - 1
        for _ in range(self.probes):
            found = self.slot_keys[slots]
            hit = found == keys[waiting]
            out[waiting[hit]] = self.slot_values[slots[hit]]
            rest = ~hit & (found != _EMPTY)  # an empty slot ends the search: the key is not there
            if not rest.any():
                break
            waiting, slots = waiting[rest], (slots[rest] + 1) & mask
        return out

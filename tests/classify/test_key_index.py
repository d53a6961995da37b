"""The bigram hash table: every key found, every other key missing, whatever the collisions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classify.key_index import KeyIndex


def test_keys_give_their_values_and_others_minus_one() -> None:
    rng = np.random.default_rng(0)
    keys = rng.choice(10**12, size=20_000, replace=False)
    values = rng.integers(0, 10**6, size=len(keys))
    index = KeyIndex(keys, values)
    np.testing.assert_array_equal(index.get(keys), values)
    others = np.setdiff1d(rng.integers(0, 10**12, size=5_000), keys)
    assert (index.get(others) == -1).all()
    assert index.get(np.array([], dtype=np.int64)).tolist() == []


def test_keys_that_share_a_slot_are_all_found() -> None:
    """40 keys with one home slot (a table for 40 keys has 256 slots: the top 8 bits of the hash)."""
    candidates = np.arange(1_000_000, dtype=np.uint64)
    homes = (candidates * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(56)
    keys = candidates[homes == homes[0]][:41].astype(np.int64)
    index = KeyIndex(keys[:40], np.arange(40))
    assert index.probes == 40
    np.testing.assert_array_equal(index.get(keys[:40]), np.arange(40))
    assert index.get(keys[40:]).tolist() == [-1]


def test_an_empty_table_finds_nothing() -> None:
    empty = KeyIndex(np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    assert empty.get(np.array([0, 5])).tolist() == [-1, -1]


@pytest.mark.parametrize(("keys", "values"), [([1, 1], [0, 1]), ([-3], [0]), ([1, 2], [0])])
def test_bad_keys_are_refused(keys: list[int], values: list[int]) -> None:
    with pytest.raises(ValueError):
        KeyIndex(np.array(keys), np.array(values))


@settings(max_examples=100, deadline=None)
@given(st.sets(st.integers(0, 2**40), max_size=300), st.lists(st.integers(0, 2**40), max_size=50))
def test_lookups_agree_with_a_dict(keys: set[int], queries: list[int]) -> None:
    ordered = sorted(keys)
    index = KeyIndex(np.array(ordered, dtype=np.int64), np.arange(len(ordered)))
    want = {key: i for i, key in enumerate(ordered)}
    asked = np.array(ordered + queries, dtype=np.int64)
    assert index.get(asked).tolist() == [want.get(key, -1) for key in asked.tolist()]

"""MinHash LSH candidates and the window the duplicate index keeps (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pytest

from triage import textsig
from triage.duplicates import DuplicateIndex, signature
from triage.minhash import LshBuckets, MinHasher

BASE = ("jalan penghubung rulung helok ke rulung raya di natar rusak berat aspalnya habis tinggal batu lepas "
        "kalau malam gelap dan banyak yang jatuh mohon dianggarkan tahun depan")
OTHER = "lampu pju di depan pasar natar mati semua dari minggu lalu malam gelap gulita rawan begal"


def shingled(text: str) -> frozenset[str]:
    return textsig.shingles(textsig.tokens(text))


def post(text: str, source_id: str, day: int, channel: str = "facebook") -> SimpleNamespace:
    return SimpleNamespace(text=text, channel=channel, source_id=source_id, author_id=f"a{source_id}",
                           author_name=None, created_at=datetime(2026, 11, day, 9, tzinfo=UTC),
                           retweet_of_id=None, quote_of_id=None)


@pytest.fixture
def hasher() -> MinHasher:
    return MinHasher()


@pytest.fixture
def index() -> DuplicateIndex:
    return DuplicateIndex(window=timedelta(days=14), threshold=0.6)


def test_band_keys_are_the_same_in_every_process(hasher: MinHasher) -> None:
    assert hasher.band_keys(shingled(BASE)) == MinHasher().band_keys(shingled(BASE))
    assert len(hasher.band_keys(shingled(BASE))) == hasher.bands


def test_matching_signature_rows_estimate_jaccard(hasher: MinHasher) -> None:
    a, b = shingled(BASE), shingled(BASE + " sudah tiga tahun begini")
    estimate = float(np.mean(hasher.signature(a) == hasher.signature(b)))
    assert abs(estimate - textsig.jaccard(a, b)) < 0.15


def test_a_near_copy_shares_a_bucket_and_an_unrelated_post_does_not(hasher: MinHasher) -> None:
    buckets = LshBuckets()
    buckets.add(1, hasher.band_keys(shingled(BASE)))
    assert buckets.candidates(hasher.band_keys(shingled("tolong pak " + BASE))) == {1}
    assert buckets.candidates(hasher.band_keys(shingled(OTHER))) == set()


def test_removing_an_item_leaves_no_empty_bucket(hasher: MinHasher) -> None:
    buckets, keys = LshBuckets(), hasher.band_keys(shingled(BASE))
    buckets.add(1, keys)
    buckets.add(2, keys)
    buckets.remove(1, keys)
    assert (buckets.candidates(keys), len(buckets)) == ({2}, hasher.bands)
    buckets.remove(2, keys)
    assert len(buckets) == 0


def test_the_index_finds_a_near_copy_through_its_buckets(index: DuplicateIndex) -> None:
    index.add(signature(1, post(BASE, "1", 10), None), None)
    index.add(signature(2, post(OTHER, "2", 10), None), None)
    match = index.match(signature(3, post("sy jg warga rulung helok pak. " + BASE, "3", 11), None))
    assert (match.canonical_id, match.kind) == (1, "near")


def test_the_index_forgets_what_left_the_window(index: DuplicateIndex) -> None:
    index.add(signature(1, post(BASE, "1", 1), None), None)
    index.add(signature(2, post(OTHER, "2", 10), None), None)
    assert index.match(signature(3, post(BASE, "3", 20), None)) is None
    assert (sorted(index.by_id), index.canonical_of(1), dict(index.by_hash).keys()) == (
        [2], None, {index.by_id[2].text_hash})
    assert len(index.buckets) == index.hasher.bands


def test_a_full_bucket_takes_no_more_members(hasher: MinHasher) -> None:
    buckets, keys = LshBuckets(max_bucket=2), hasher.band_keys(shingled(BASE))
    for item in (1, 2, 3):
        buckets.add(item, keys)
    assert buckets.candidates(keys) == {1, 2}
    buckets.remove(3, keys)  # never stored: removing it is harmless
    buckets.remove(1, keys)
    buckets.add(4, keys)
    assert buckets.candidates(keys) == {2, 4}


def test_the_signature_store_reuses_slots_of_forgotten_reports(index: DuplicateIndex) -> None:
    index.add(signature(1, post(BASE, "1", 1), None), None)
    first_slot = index.by_id[1].slot
    index.add(signature(2, post(OTHER, "2", 20), None), None)
    index.forget_before(datetime(2026, 11, 10, tzinfo=UTC))
    index.add(signature(3, post(BASE + " lagi", "3", 21), None), None)
    assert (index.by_id[3].slot, len(index.store)) == (first_slot, 2)
    assert int(index.store.items[first_slot]) == 3

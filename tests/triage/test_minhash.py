"""MinHash LSH candidates and the window the duplicate index keeps (no database needed)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pytest

from triage import minhash, textsig
from triage.duplicates import (
    CONTAINMENT_MIN_SHINGLES,
    CONTAINMENT_THRESHOLD,
    ESTIMATE_MARGIN,
    DuplicateIndex,
    Signature,
    _near_score,
    _near_scores,
    _shared_counts,
    signature,
    text_print,
    text_prints,
)
from triage.minhash import (
    BucketTable,
    MinHasher,
    SignatureStore,
    distinct_pairs,
    low_bits,
    pairs_within,
    shingle_key,
    shingle_keys,
)

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


def table_of(hasher: MinHasher, max_bucket: int = minhash.MAX_BUCKET) -> BucketTable:
    return BucketTable(SignatureStore(hasher.bands * hasher.rows), max_bucket)


def put(table: BucketTable, item: int, keys: list[int]) -> int:
    slot = table.store.put(item, np.zeros(table.store.values.shape[1], dtype=np.uint8), 10)
    table.add(slot, keys)
    return slot


def found(table: BucketTable, *key_lists: list[int]) -> list[set[int]]:
    """Items found for each list of keys, one query per list."""
    table.seal()
    keys = np.array([key for own in key_lists for key in own], dtype=minhash.BUCKET_KEY)
    owners = np.repeat(np.arange(len(key_lists)), [len(own) for own in key_lists])
    owner, slot = table.lookup(keys, owners)
    return [set(table.store.items[slot[owner == n]].tolist()) for n in range(len(key_lists))]


def test_a_near_copy_shares_a_bucket_and_an_unrelated_post_does_not(hasher: MinHasher) -> None:
    table = table_of(hasher)
    put(table, 1, hasher.band_keys(shingled(BASE)))
    assert found(table, hasher.band_keys(shingled("tolong pak " + BASE)), hasher.band_keys(shingled(OTHER))) == [
        {1}, set()]


def test_a_released_slot_leaves_its_entries_stale_even_once_reused(hasher: MinHasher) -> None:
    table, keys, other = table_of(hasher), hasher.band_keys(shingled(BASE)), hasher.band_keys(shingled(OTHER))
    first = put(table, 1, keys)
    put(table, 2, keys)
    table.store.release(first)
    assert found(table, keys) == [{2}] and table.keys_held() == hasher.bands
    assert put(table, 3, other) == first  # the slot is reused for a report in other buckets
    assert found(table, keys, other) == [{2}, {3}]


def test_a_slot_tag_that_wrapped_hands_over_the_slots_current_report_never_a_forgotten_one(
        hasher: MinHasher) -> None:
    table, keys = table_of(hasher), hasher.band_keys(shingled(BASE))
    slot = put(table, 1, keys)
    table.seal()
    for item in range(2, 258):  # no merge in between would drop the entry: it outlives 256 generations
        table.store.release(slot)
        assert put(table, item, []) == slot
    assert int(table.store.tags[slot]) == slot
    assert found(table, keys) == [{257}]


def test_a_window_too_large_for_a_slot_tag_is_refused_clearly(
        hasher: MinHasher, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minhash, "_SLOT", 2047)
    store = SignatureStore(hasher.bands * hasher.rows, capacity=1024)
    for item in range(2048):
        store.put(item, np.zeros(store.values.shape[1], dtype=np.uint8), 10)
    with pytest.raises(OverflowError, match="duplicate_window_days"):
        store.put(2048, np.zeros(store.values.shape[1], dtype=np.uint8), 10)


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
    assert index.buckets.keys_held() == index.hasher.bands + len(index.by_id[2].sentence_keys)


def test_a_full_bucket_hands_over_its_latest_members(hasher: MinHasher) -> None:
    table, keys = table_of(hasher, max_bucket=2), hasher.band_keys(shingled(BASE))
    for item in (1, 2, 3):
        put(table, item, keys)
    assert found(table, keys) == [{2, 3}]


def test_entries_merged_into_the_main_array_are_found_and_stale_ones_dropped(
        hasher: MinHasher, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minhash, "MERGE_AT_LEAST", 2 * hasher.bands)
    table, keys = table_of(hasher), hasher.band_keys(shingled(BASE))
    slots = [put(table, item, keys) for item in (1, 2)]
    table.seal()  # two reports' entries: enough to go into the main array
    table.store.release(slots[0])
    put(table, 3, keys)
    put(table, 4, keys)
    table.seal()  # the second merge leaves report 1's entries behind
    assert found(table, keys) == [{2, 3, 4}]
    assert len(table._levels[0]) == 3 * hasher.bands and len(table._levels[1]) == 0


def test_earlier_reports_of_a_batch_pair_with_later_ones_once_each() -> None:
    keys = np.array([5, 6, 5, 7, 6, 5, 9], dtype=minhash.BUCKET_KEY)
    owners = np.array([0, 0, 1, 1, 2, 2, 3])
    later, earlier = pairs_within(keys, owners)
    assert sorted(zip(later.tolist(), earlier.tolist(), strict=True)) == [(1, 0), (2, 0), (2, 1)]


def test_distinct_pairs_keep_each_pair_once_in_order_over_32_bits() -> None:
    first, second = distinct_pairs(np.array([7, 1, 7, 1]), np.array([2**31 + 5, 3, 2**31 + 5, 2**24]))
    assert (first.tolist(), second.tolist()) == ([1, 1, 7], [3, 2**24, 2**31 + 5])


def test_announced_batches_match_as_one_report_at_a_time_does() -> None:
    """`expect` finds candidates a batch at a time, in the window and inside the batch: same groups."""
    rng = np.random.default_rng(3)
    words = [f"kata{n}" for n in range(60)]
    texts: list[str] = []
    for n in range(600):
        if texts and n % 10 == 5:  # the same text again, sometimes in the same batch
            texts.append(str(rng.choice(texts[-40:])))
        elif texts and n % 4 == 0:  # a copy with a word changed or added, sometimes in the same batch
            copy = rng.choice(texts[-40:]).split()
            copy[int(rng.integers(len(copy)))] = str(rng.choice(words))
            texts.append(" ".join(copy + ([str(rng.choice(words))] if n % 8 == 0 else [])))
        else:
            texts.append(" ".join(rng.choice(words, size=int(rng.integers(6, 16)))))
    def rows() -> list[SimpleNamespace]:  # a day per 30 posts: the 14-day window lets the oldest go
        return [SimpleNamespace(text=text, channel="sms", source_id=str(n), author_id=None, author_name=None,
                                created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=0.8 * n),
                                retweet_of_id=None, quote_of_id=None) for n, text in enumerate(texts)]
    one_by_one, announced = (DuplicateIndex(window=timedelta(days=14), threshold=0.6) for _ in range(2))
    alone = []
    for n, row in enumerate(rows(), 1):
        sig = signature(n, row, None)
        alone.append(one_by_one.match(sig))
        one_by_one.add(sig, alone[-1].canonical_id if alone[-1] else None)
    together, listed = [], list(enumerate(rows(), 1))
    for start in range(0, len(listed), 50):
        sigs = [signature(n, row, None) for n, row in listed[start:start + 50]]
        announced.expect(sigs)
        for sig in sigs:
            together.append(announced.match(sig))
            announced.add(sig, together[-1].canonical_id if together[-1] else None)
    assert together == alone
    assert sum(m is not None and m.kind == "near" for m in alone) > 50
    assert sum(m is not None and m.kind == "exact" for m in alone) > 40


def test_the_signature_store_reuses_slots_of_forgotten_reports(index: DuplicateIndex) -> None:
    index.add(signature(1, post(BASE, "1", 1), None), None)
    first_slot = index.by_id[1].slot
    index.add(signature(2, post(OTHER, "2", 20), None), None)
    index.forget_before(datetime(2026, 11, 10, tzinfo=UTC))
    index.add(signature(3, post(BASE + " lagi", "3", 21), None), None)
    assert (index.by_id[3].slot, len(index.store)) == (first_slot, 2)
    assert int(index.store.items[first_slot]) == 3


@pytest.mark.parametrize("text", [BASE, OTHER, "satu", "", "lagi lagi lagi lagi"])
def test_keys_from_words_are_the_keys_of_the_shingle_strings(hasher: MinHasher, text: str) -> None:
    words = textsig.tokens(text)
    keys = shingle_keys(words)
    assert keys.tolist() == sorted({shingle_key(s) for s in textsig.shingles(words)})
    if len(keys):
        assert (hasher.signature_of_words(words) == hasher.signature(textsig.shingles(words))).all()


def test_shingles_are_built_only_when_read_and_equal_the_eager_ones() -> None:
    sig = signature(1, post(BASE, "1", 10), None)
    assert sig.__dict__["shingles"] is None
    assert sig.shingles == shingled(BASE)


def test_a_signature_built_by_hand_with_shingles_only_still_matches(index: DuplicateIndex) -> None:
    index.add(signature(1, post(BASE, "1", 10), None), None)
    made = signature(2, post("tolong pak " + BASE, "2", 11), None)
    by_hand = Signature(report_id=2, channel="facebook", source_id="2", created_at=made.created_at,
                        author_keys=frozenset(), category=None, text_hash=None, shingles=made.shingles,
                        content=made.content)
    match = index.match(by_hand)
    assert (match.canonical_id, match.kind, match.similarity) == (
        1, "near", round(textsig.jaccard(made.shingles, shingled(BASE)), 4))


def test_shared_counts_are_set_intersections() -> None:
    rng = np.random.default_rng(5)
    own = np.unique(rng.integers(0, 60, 25).astype(np.uint64))
    others = [np.unique(rng.integers(0, 60, n).astype(np.uint64)) for n in (1, 7, 30, 60)]
    assert _shared_counts(own, others) == [len(set(own.tolist()) & set(o.tolist())) for o in others]


def test_near_scores_of_many_pairs_are_the_scores_of_each_pair() -> None:
    rng = np.random.default_rng(8)
    base = np.unique(rng.integers(0, 2**32, 40).astype(np.uint64))
    pairs = [(base[:30], base[5:35]), (base[:10], base[:9]), (base[:20], base), (base[:3], base[30:33]),
             (base, np.unique(np.concatenate([base[:36], rng.integers(0, 2**32, 3).astype(np.uint64)])))]
    expected = [_near_score(len(set(a.tolist()) & set(b.tolist())), len(a), len(b), 0.6) or 0.0 for a, b in pairs]
    assert _near_scores([a for a, _ in pairs], [b for _, b in pairs], 0.6).tolist() == expected
    assert [score > 0 for score in expected] == [True, True, True, False, True]  # the third by containment


def test_the_agreement_table_never_rules_out_what_the_estimate_bound_allows(index: DuplicateIndex) -> None:
    width = index.hasher.bands * index.hasher.rows
    agree = np.arange(width + 1)[:, None]
    for own in (3, 8, 12, 26, 60, 300):
        sizes = np.arange(3, 700)[None, :]
        high = np.minimum(agree / width + ESTIMATE_MARGIN, 1.0)
        smaller = np.minimum(sizes, own)
        could = (high >= index.threshold) | ((smaller >= CONTAINMENT_MIN_SHINGLES)
                                             & (high * (sizes + own) / (1.0 + high) >= CONTAINMENT_THRESHOLD * smaller))
        allowed = agree >= index._agreement_needed(np.int64(own), sizes[0])
        assert not (could & ~allowed).any()
        assert (allowed & ~could).sum() <= could.shape[1]  # at most one agreement count more permissive per size


def test_a_text_print_is_what_the_index_would_compute_and_survives_pickling(hasher: MinHasher) -> None:
    printed = pickle.loads(pickle.dumps(text_print(BASE)))  # it is made in the classification worker
    words = textsig.tokens(BASE)
    values = hasher.signature_of_keys(shingle_keys(words))
    assert (printed.words, printed.text_hash, printed.keys.tolist()) == (
        words, textsig.words_hash(words), shingle_keys(words).tolist())
    assert (printed.minhash == low_bits(values)).all() and printed.bands == hasher.band_keys_of(values)



def test_prints_made_together_equal_prints_made_one_by_one(hasher: MinHasher) -> None:
    """Across chunk boundaries, with short texts (no MinHash) and texts without shingles among them."""
    texts = [f"{BASE} nomor {n}" if n % 3 else ("halo min" if n % 2 else "") for n in range(300)]
    together = text_prints(texts)
    assert len(together) == len(texts)
    for text, printed in zip(texts, together, strict=True):
        alone = text_print(text)
        words = textsig.tokens(text)
        assert (printed.words, printed.text_hash, printed.keys.tolist(), printed.bands, printed.sentences) == (
            alone.words, alone.text_hash, alone.keys.tolist(), alone.bands, alone.sentences)
        if len(shingle_keys(words)) >= 3:
            assert (printed.minhash == low_bits(hasher.signature_of_keys(shingle_keys(words)))).all()
            assert printed.bands == hasher.band_keys_of(hasher.signature_of_keys(shingle_keys(words)))
        else:
            assert (printed.minhash, printed.bands, printed.sentences) == (None, None, [])
    assert text_prints([]) == []

def test_a_text_too_short_for_shingles_gets_no_minhash_and_no_bucket(index: DuplicateIndex) -> None:
    printed = text_print("halo min")
    assert (printed.minhash, printed.bands) == (None, None)
    index.add(signature(1, post("halo min", "1", 10), None, printed), None)
    assert (index.by_id[1].slot, index.buckets.keys_held()) == (None, 0)


SHORT = "Jembatan gantung di dusun sukajaya desa way galih sudah miring dan papannya banyak yang lepas."
LONGER = ("Assalamualaikum pak bupati dan dinas terkait, izin menyampaikan keluhan warga kami ya pak. " + SHORT
          + " Anak sekolah tiap hari lewat situ pak, kami takut ada yang jatuh ke sungai kalau hujan deras.")


@pytest.mark.parametrize("first, second", [(SHORT, LONGER), (LONGER, SHORT)])
def test_a_complaint_inside_a_longer_post_is_found_by_its_sentence_not_by_chance(
        index: DuplicateIndex, first: str, second: str) -> None:
    a, b = shingled(SHORT), shingled(LONGER)
    assert textsig.jaccard(a, b) < 0.35 and textsig.containment(a, b) == 1.0  # LSH alone: about one time in ten
    index.add(signature(1, post(first, "1", 10), None), None)
    match = index.match(signature(2, post(second, "2", 11), None))
    assert (match.canonical_id, match.kind, match.similarity) == (1, "near", 1.0)


def test_sentence_keys_come_from_sentences_long_enough_to_mean_something() -> None:
    words = textsig.tokens(LONGER)
    keys = textsig.sentence_keys(LONGER, words)
    assert len(keys) == 3 and textsig.sentence_keys(SHORT, textsig.tokens(SHORT))[0] in keys
    assert textsig.sentence_keys("Halo min. Tolong ya. Makasih!", textsig.tokens("Halo min. Tolong ya. Makasih!")) == []
    one = "jalan rusak parah di desa sukamaju kecamatan natar"
    assert textsig.sentence_keys(one, textsig.tokens(one)) == textsig.sentence_keys(one + ".", textsig.tokens(one))

"""Reading a batch once for every stage gives each stage exactly what its own path reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import classify.post_chunks as post_chunks
from classify.clarity_rules import Batch
from classify.post_chunks import PostChunks
from classify.tagger import Tagger
from classify.text import normalizer_for

HASHTAG_REPEATED = ["lapor #jalanrusak jalan rusak di natar", "#JalanRusak jalan rusak jalan rusak lagi", "#jalanrusak"]


@pytest.fixture(scope="module")
def tagger(tiny_version: Path) -> Tagger:
    return Tagger.load(tiny_version)


def _chunks(tagger: Tagger) -> PostChunks:
    return PostChunks(normalizer_for(), tagger.category.vectorizer())


def _same_features(tagger: Tagger, chunks: PostChunks, texts: list[str]) -> None:
    read = chunks.read(texts)
    vectorizer = tagger.category.vectorizer()
    assert read.normalized == tagger.category.pipeline_.named_steps["normalize"].transform(texts)
    words, chars = vectorizer.blocks_of_numbers(read.tokens, read.token_numbers, read.token_doc, len(texts))
    got = words + chars
    want = vectorizer.transform(read.normalized)
    assert got.shape == want.shape and abs(got - want).max() < 1e-12
    assert got.nnz > 0


def _same_rules(got: Batch, want: Batch) -> None:
    assert got.flat == want.flat
    for name in ("doc", "bits", "marks", "linked"):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name))


def test_a_read_batch_is_what_each_stage_reads(tagger: Tagger, varied_posts: list[str]) -> None:
    chunks = _chunks(tagger)
    for start in (0, 1000, 0):  # the second read of the same posts comes from the table
        texts = varied_posts[start : start + 1000]
        _same_features(tagger, chunks, texts)
        _same_rules(chunks.read(texts).rules, Batch.of(texts))
    assert len(chunks) > 1000


def test_a_hashtag_followed_by_its_words_keeps_them_once(tagger: Tagger) -> None:
    chunks = _chunks(tagger)
    read = chunks.read(HASHTAG_REPEATED)
    assert read.normalized[0] == "lapor #jalanrusak jalan rusak di natar"
    assert read.normalized[1] == "#jalanrusak jalan rusak lagi"
    _same_features(tagger, chunks, HASHTAG_REPEATED)


def test_empty_posts_and_an_empty_batch(tagger: Tagger) -> None:
    chunks = _chunks(tagger)
    read = chunks.read(["", "   ", "jalan rusak"])
    assert read.normalized == ["", "", "jalan rusak"]
    assert read.rules.n == 3 and read.token_doc.tolist() == [2, 2]
    assert chunks.read([]).normalized == []


def test_numbers_stay_valid_when_the_vectorizer_starts_a_new_token_table(
    tagger: Tagger, varied_posts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    chunks = _chunks(tagger)
    chunks.read(varied_posts[:300])
    monkeypatch.setattr("classify.text_features.TOKEN_CACHE_SIZE", 10)
    vectorizer = tagger.category.vectorizer()
    vectorizer.transform(["jalan rusak"])
    assert vectorizer.token_table() is not chunks.tokens
    _same_features(tagger, chunks, varied_posts[:600])


def test_the_tagger_starts_a_new_table_when_one_is_full(
    tagger: Tagger, varied_posts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    want = tagger.tag_many(varied_posts[:400])
    monkeypatch.setattr(post_chunks, "CHUNKS_KEPT", 50)
    first = tagger.tag_many(varied_posts[:5])
    table = tagger._chunks
    assert table is not None and table.full()
    assert tagger.tag_many(varied_posts[:400]) == want
    assert tagger._chunks is not table
    assert first == want[:5]


def test_the_rules_read_with_their_own_kabupaten(tagger: Tagger, varied_posts: list[str]) -> None:
    texts = [*varied_posts[:300], "Min #banjirkejobong", "#JalanRusakKejobong tolong"]
    chunks = PostChunks(normalizer_for(), tagger.category.vectorizer(), rules_kabupaten="33.03")
    read = chunks.read(texts)
    _same_rules(read.rules, Batch.of(texts, "33.03"))
    assert read.rules.flat[-7:] == ["min", "banjir", "kejobong", "jalan", "rusak", "kejobong", "tolong"]
    assert read.normalized == tagger.category.pipeline_.named_steps["normalize"].transform(texts)

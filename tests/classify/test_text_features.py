"""The cached TF-IDF vectoriser: the same features a slow, obvious computation would give."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import skops.io
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import check_parameters_default_constructible

from classify.text import TextNormalizer
from classify.text_features import TokenVectorizer

DOCS = ["jalan rusak parah", "jalan desa rusak berlubang", "ktp belum jadi", "ktp hilang kk hilang"]


@pytest.fixture
def fitted() -> TokenVectorizer:
    return TokenVectorizer().fit(DOCS)


def test_contract() -> None:
    check_parameters_default_constructible("TokenVectorizer", TokenVectorizer())
    with pytest.raises(NotFittedError):
        TokenVectorizer().transform(DOCS)
    vectorizer = TokenVectorizer()
    assert vectorizer.fit(DOCS) is vectorizer
    with pytest.raises(TypeError):
        vectorizer.transform("one string")


def test_rows_hold_words_bigrams_and_characters(fitted: TokenVectorizer) -> None:
    row = fitted.transform(["jalan rusak"])
    names = set(fitted.get_feature_names_out()[row.indices])
    assert {"jalan", "rusak", "jalan rusak", "jal", "rusa"} <= names or {"jalan", "rusak", "jalan rusak"} <= names
    assert "ktp" not in names


def test_each_block_is_unit_length(fitted: TokenVectorizer) -> None:
    row = fitted.transform(["jalan rusak parah"]).toarray()[0]
    words, chars = row[: fitted.n_word_features_], row[fitted.n_word_features_ :]
    assert np.linalg.norm(words) == pytest.approx(1.0)
    assert np.linalg.norm(chars) == pytest.approx(1.0)


def test_repeated_words_are_log_damped(fitted: TokenVectorizer) -> None:
    column = fitted.vocabulary_["ktp"]
    single = fitted.transform(["ktp hilang"])
    once = single[0, column] / single[0, fitted.vocabulary_["hilang"]]
    thrice = fitted.transform(["ktp ktp ktp hilang"])
    ratio = thrice[0, column] / thrice[0, fitted.vocabulary_["hilang"]]
    assert ratio == pytest.approx(once * (1 + np.log(3)))


def test_unseen_text_gives_an_empty_row_and_a_bigram_needs_neighbours(fitted: TokenVectorizer) -> None:
    assert fitted.transform(["zzz qqq"]).nnz == 0
    row = fitted.transform(["jalan yang rusak"])  # the stopword is not between the stems any more
    assert row[0, fitted.vocabulary_["jalan rusak"]] > 0
    row = fitted.transform(["jalan xyzzy rusak"])  # an unknown word is
    assert row[0, fitted.vocabulary_["jalan rusak"]] == 0


def _obvious_row(vectorizer: TokenVectorizer, doc: str) -> np.ndarray:
    """Counts of the document's features, then the weighting the module docstring describes."""
    row = np.zeros(len(vectorizer.vocabulary_))
    for feature in vectorizer._doc_features(doc):
        if feature in vectorizer.vocabulary_:
            row[vectorizer.vocabulary_[feature]] += 1
    words, chars = row[: vectorizer.n_word_features_], row[vectorizer.n_word_features_ :]
    words[words > 0] = 1 + np.log(words[words > 0])
    blocks = [block * vectorizer.idf_[start : start + len(block)]
              for block, start in ((words, 0), (chars, vectorizer.n_word_features_))]
    words, chars = (block / (np.linalg.norm(block) or 1.0) for block in blocks)
    return np.r_[words, chars * vectorizer.char_weight]


def test_rows_are_what_the_obvious_computation_gives() -> None:
    """Repeated words and characters, shared n-grams, unknown tokens: every weight checked."""
    vectorizer = TokenVectorizer(char_weight=0.7).fit(DOCS)
    docs = ["jalan jalan rusak rusak rusak parah", "ktp kk ktp hilang desa", "jalanan rusakk xyz", "", "ktp"]
    got = vectorizer.transform(docs).toarray()
    want = np.vstack([_obvious_row(vectorizer, doc) for doc in docs])
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_batches_and_single_posts_agree(fitted: TokenVectorizer) -> None:
    together = fitted.transform([*DOCS, ""]).toarray()
    alone = np.vstack([fitted.transform([doc]).toarray() for doc in [*DOCS, ""]])
    assert np.allclose(together, alone)


def test_skops_round_trip_keeps_the_features(fitted: TokenVectorizer, tmp_path: Path) -> None:
    path = tmp_path / "v.skops"
    skops.io.dump(fitted, path)
    loaded = skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))
    assert loaded.vocabulary_ == fitted.vocabulary_
    assert np.allclose(loaded.transform(DOCS).toarray(), fitted.transform(DOCS).toarray())


def test_raw_text_with_odd_spacing_is_still_aligned() -> None:
    docs = TextNormalizer().fit().transform(DOCS)
    vectorizer = TokenVectorizer(char_ngrams=None).fit(docs)
    spaced = vectorizer.transform(["  jalan\trusak  ", "ktp"]).toarray()
    assert np.allclose(spaced, vectorizer.transform(["jalan rusak", "ktp"]).toarray())


PURBALINGGA = ["jalan rusak di kejobong parah", "jembatan di kejobong ambruk", "sekolah bocor di bukateja"]


def test_the_offices_place_words_are_features_as_written() -> None:
    def words(kabupaten: str) -> set[str]:
        vectorizer = TokenVectorizer(bigrams=False, char_ngrams=None, kabupaten=kabupaten).fit(PURBALINGGA)
        return set(vectorizer.get_feature_names_out())

    assert "kejobong" in words("33.03")  # a kecamatan of Purbalingga
    assert "jobong" in words("18.01") and "kejobong" not in words("18.01")  # Sastrawi takes ke- for a prefix


def test_a_vectorizer_saved_before_kabupaten_existed_loads_as_lampung_selatans(fitted: TokenVectorizer) -> None:
    state = fitted.__getstate__()
    del state["kabupaten"]
    loaded = TokenVectorizer.__new__(TokenVectorizer)
    loaded.__setstate__(state)
    assert loaded.get_params()["kabupaten"] == "18.01"
    assert np.allclose(loaded.transform(DOCS).toarray(), fitted.transform(DOCS).toarray())

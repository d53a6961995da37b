"""The category classifier: scikit-learn's estimator contract, probabilities, explanations."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.utils.estimator_checks import check_parameters_default_constructible

from classify.category import CategoryClassifier, PriorScores, explain, explain_rows


def test_estimator_contract(tiny_rows: tuple[list[str], list[str]]) -> None:
    texts, labels = tiny_rows
    check_parameters_default_constructible("CategoryClassifier", CategoryClassifier())
    check_parameters_default_constructible("PriorScores", PriorScores())
    model = CategoryClassifier(C=0.5)
    with pytest.raises(NotFittedError):
        model.predict(["jalan rusak"])
    with pytest.raises(NotFittedError):
        model.predict_proba(["jalan rusak"])
    assert model.fit(texts, labels) is model
    assert list(model.classes_) == sorted(set(labels))
    copy = clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "pipeline_")


def test_predicts_the_obvious_category_with_calibrated_probabilities(tiny_model: CategoryClassifier) -> None:
    probabilities = tiny_model.predict_proba(["jalan berlubang rusak parah", "blangko ktp habis"])
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert list(tiny_model.predict(["jalan berlubang rusak parah", "blangko ktp habis"])) == [
        "infrastruktur", "adminduk"]


def test_explanation_names_words_of_the_post(tiny_model: CategoryClassifier) -> None:
    terms = explain(tiny_model, "jalan rusak berlubang, tolong diperbaiki", k=3)
    assert 0 < len(terms) <= 3
    assert terms[0][0] in {"jalan", "rusak", "lubang", "jalan rusak"}
    assert all(weight > 0 for _, weight in terms)
    assert explain(tiny_model, "qqq zzz") == []


def _rows_reversed(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """The same matrix with each row's entries stored back to front (what a sum of blocks may give)."""
    indices, data = matrix.indices.copy(), matrix.data.copy()
    for start, end in zip(matrix.indptr[:-1], matrix.indptr[1:], strict=True):
        indices[start:end], data[start:end] = indices[start:end][::-1], data[start:end][::-1]
    return sp.csr_matrix((data, indices, matrix.indptr.copy()), shape=matrix.shape)


def test_explanations_do_not_depend_on_how_the_features_were_put_together(tiny_model: CategoryClassifier) -> None:
    """Equal weights are ranked by column, whether the entries are stored in order, reversed, or the
    word block is handed over on its own; a post without word terms falls back to character n-grams."""
    texts = ["jalan rusak berlubang", "kartuuu kluarga", "ktp belum jadi, kk hilang", "qqq"]
    normalized = tiny_model.pipeline_.named_steps["normalize"].transform(texts)
    features = tiny_model.features_of_normalized(normalized)
    labels = tiny_model.proba_of_features(features).argmax(axis=1)
    want = explain_rows(tiny_model, features, labels, 3)
    assert want[1] == [("arga", pytest.approx(0.0299, abs=1e-4)), ("rga", pytest.approx(0.0299, abs=1e-4))]
    assert explain_rows(tiny_model, _rows_reversed(features), labels, 3) == want
    vectorizer = tiny_model.vectorizer()
    table = vectorizer.token_table()
    tokens = [text.split() for text in normalized]
    numbers = np.array([table.numbers[token] for words in tokens for token in words])
    doc_of = np.repeat(np.arange(len(texts)), [len(words) for words in tokens])
    words, chars = vectorizer.blocks_of_numbers(table, numbers, doc_of, len(texts))
    assert explain_rows(tiny_model, words + chars, labels, 3, word_features=_rows_reversed(words)) == want


def test_rejects_bad_input(tiny_rows: tuple[list[str], list[str]]) -> None:
    texts, labels = tiny_rows
    with pytest.raises(ValueError):
        CategoryClassifier().fit(texts, labels[:-1])
    with pytest.raises(ValueError):
        CategoryClassifier().fit(texts[:2], ["a", "b"])  # a category with one post cannot be calibrated
    with pytest.raises(TypeError):
        CategoryClassifier().fit(texts, labels).predict("one string")


def test_a_frozen_prior_survives_clone_and_adds_its_columns(tiny_model: CategoryClassifier,
                                                            tiny_rows: tuple[list[str], list[str]]) -> None:
    texts, labels = tiny_rows
    model = CategoryClassifier(prior=FrozenEstimator(tiny_model))
    fitted = clone(model).fit(texts, labels)
    width = len(fitted.vectorizer().vocabulary_)
    assert fitted.features_of_normalized(["jalan rusak"]).shape[1] == width + len(tiny_model.classes_)
    assert fitted.term_names()[-1].startswith("~")


def test_reference_rows_train_with_their_weight_and_never_add_a_category(
        tiny_rows: tuple[list[str], list[str]]) -> None:
    texts, labels = tiny_rows
    reference = (("sumur bor zorglub kering", "zorglub zorglub mampet", "blangko zorglub habis"),
                 ("kesehatan", "kesehatan", "pendidikan"))
    plain = CategoryClassifier().fit(texts, labels)
    model = CategoryClassifier(reference=reference, reference_weight=0.5).fit(texts, labels)
    assert list(model.classes_) == sorted(set(labels))  # "pendidikan" is not a training label
    assert "zorglub" in model.vectorizer().vocabulary_ and "zorglub" not in plain.vectorizer().vocabulary_
    column = list(model.classes_).index("kesehatan")
    assert model.predict_proba(["zorglub"])[0, column] > plain.predict_proba(["zorglub"])[0, column]
    assert clone(model).get_params()["reference"] == reference


def test_reference_rows_must_pair_texts_with_labels(tiny_rows: tuple[list[str], list[str]]) -> None:
    texts, labels = tiny_rows
    with pytest.raises(ValueError, match="same length"):
        CategoryClassifier(reference=(("a", "b"), ("kesehatan",))).fit(texts, labels)


def test_a_model_saved_before_reference_existed_still_gives_its_params(tiny_model: CategoryClassifier) -> None:
    state = {k: v for k, v in tiny_model.__getstate__().items() if k not in ("reference", "reference_weight")}
    old = CategoryClassifier.__new__(CategoryClassifier)
    old.__setstate__(state)
    assert old.get_params()["reference"] is None and clone(old).reference_weight == 0.2

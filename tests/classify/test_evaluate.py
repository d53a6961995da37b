"""k-fold evaluation: per-class figures, the evaluation-set identity, the confusion matrix PNG."""

from __future__ import annotations

from pathlib import Path

import pytest

from classify.category import CategoryClassifier
from classify.errors import TrainingDataInvalid
from classify.evaluate import (
    CONFIDENCE_LEVELS,
    compare_cards,
    confidence_table,
    cross_validate,
    evaluate_predictions,
    evaluation_set_id,
    usable_folds,
    write_confusion_png,
)


def test_cross_validation_reports_every_class(tiny_rows: tuple[list[str], list[str]]) -> None:
    texts, labels = tiny_rows
    steps: list[int] = []
    evaluation, predicted = cross_validate(CategoryClassifier(), texts, labels, folds=2, progress=steps.append)
    assert steps == [1, 1] and len(predicted) == len(texts)
    assert evaluation.labels == ["adminduk", "infrastruktur", "kesehatan"]
    assert 0.0 <= evaluation.macro_f1 <= 1.0 and evaluation.rows == len(texts)
    assert sum(map(sum, evaluation.confusion)) == len(texts)
    assert "macro-F1" in evaluation.report()
    again, _ = cross_validate(CategoryClassifier(), texts, labels, folds=2)
    assert again == evaluation  # fixed fold seed, deterministic estimator


def test_evaluation_figures() -> None:
    evaluation = evaluate_predictions(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert evaluation.per_class["a"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert evaluation.confusion == [[1, 1], [0, 2]]


def test_evaluation_set_id_ignores_row_order_but_not_folds() -> None:
    assert evaluation_set_id(["x", "y"], ["a", "b"], 5) == evaluation_set_id(["y", "x"], ["b", "a"], 5)
    assert evaluation_set_id(["x", "y"], ["a", "b"], 5) != evaluation_set_id(["x", "y"], ["a", "b"], 3)
    assert evaluation_set_id(["x", "y"], ["a", "b"], 5) != evaluation_set_id(["x", "y"], ["b", "a"], 5)


def test_folds_fit_the_smallest_category() -> None:
    assert usable_folds(["a"] * 10 + ["b"] * 4, 5) == 4
    assert usable_folds(["a"] * 10 + ["b"] * 5, 2) == 2
    assert usable_folds(["a"] * 10 + ["b"] * 3, 2) == 3  # 2 folds would leave one "b" to train on
    with pytest.raises(TrainingDataInvalid, match="too few: air_bersih 2, listrik 1\n"):
        usable_folds(["a"] * 10 + ["air_bersih"] * 2 + ["listrik"], 5)
    with pytest.raises(TrainingDataInvalid, match="found: 1\n"):
        usable_folds(["a"] * 10, 5)


def test_confusion_png(tmp_path: Path) -> None:
    evaluation = evaluate_predictions(["a", "b", "c"], ["a", "c", "c"])
    path = write_confusion_png(evaluation, tmp_path / "confusion.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_cards_lines_up_classes() -> None:
    a = {"metrics": {"macro_f1": 0.8, "per_class": {"x": {"f1": 0.7}}}}
    b = {"metrics": {"macro_f1": 0.9, "per_class": {"x": {"f1": 0.9}, "y": {"f1": 0.5}}}}
    assert compare_cards(a, b) == [("x", 0.7, 0.9), ("y", None, 0.5), ("macro-F1", 0.8, 0.9)]


def test_the_confidence_table_says_what_each_abstain_threshold_keeps() -> None:
    evaluation = evaluate_predictions(["a", "a", "b", "b"], ["a", "b", "b", "b"], confidence=[0.95, 0.45, 0.65, 0.31])
    by_level = {row["at_least"]: (row["share"], row["accuracy"]) for row in evaluation.confidence}
    assert by_level[0.3] == (1.0, 0.75)  # every post, one wrong
    assert by_level[0.4] == (0.75, 0.6667)
    assert by_level[0.5] == (0.5, 1.0)  # the wrong one (0.45) would go to review
    assert by_level[0.9] == (0.25, 1.0)
    assert "yang benar / of them right" in evaluation.report()
    assert evaluate_predictions(["a", "b"], ["a", "b"]).confidence == []
    assert "keyakinan" not in evaluate_predictions(["a", "b"], ["a", "b"]).report()
    nobody = confidence_table(["a", "b"], ["a", "a"], [0.2, 0.1])
    assert [row["share"] for row in nobody] == [0.0] * 7 and {row["accuracy"] for row in nobody} == {None}
    with pytest.raises(ValueError):
        confidence_table(["a", "b"], ["a", "b"], [0.5])


def test_cross_validation_measures_the_held_out_confidence(tiny_rows: tuple[list[str], list[str]]) -> None:
    texts, labels = tiny_rows
    evaluation, _ = cross_validate(CategoryClassifier(), texts, labels, folds=2)
    shares = [row["share"] for row in evaluation.confidence]
    assert [row["at_least"] for row in evaluation.confidence] == list(CONFIDENCE_LEVELS)
    assert shares == sorted(shares, reverse=True) and shares[0] > 0
    assert all(row["accuracy"] is None or 0 <= row["accuracy"] <= 1 for row in evaluation.confidence)

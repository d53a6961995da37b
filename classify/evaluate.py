"""Stratified k-fold evaluation: per-class precision/recall/F1, macro-F1, the confusion matrix.

Issue 3, item 7. Folds are shuffled with a fixed seed, so the same rows give the same figures
(``pilah train --seed`` reproduces the shipped card). The evaluation set's identity (a hash of
the rows, the fold count and the seed) goes on the card: the promotion gate compares two models'
macro-F1 only when they were measured on the same set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from classify.errors import TrainingDataInvalid

FOLD_SEED = 20261123
#: Confidence levels the evaluation reports coverage and accuracy at: the choices for ``abstain_below``.
CONFIDENCE_LEVELS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True)
class Evaluation:
    """Figures of one evaluation; ``per_class`` maps label → precision, recall, f1, support.

    ``confidence`` (:func:`confidence_table`) says, per level of the model's confidence, how many posts
    reach it and how many of those it got right: what an office gives up and gains by setting
    ``abstain_below`` there. Empty when the predictions came without probabilities."""

    labels: list[str]
    per_class: dict[str, dict[str, float]]
    macro_f1: float
    accuracy: float
    confusion: list[list[int]]
    folds: int
    rows: int
    evaluation_set: str
    confidence: list[dict[str, float | None]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def report(self) -> str:
        """A plain-text table (label, precision, recall, F1, support) and the macro-F1."""
        width = max(len(label) for label in [*self.labels, "macro-F1"])
        lines = [f"{'':{width}}  precision  recall     f1  support"]
        for label in self.labels:
            s = self.per_class[label]
            lines.append(f"{label:{width}}  {s['precision']:9.3f}  {s['recall']:6.3f}  {s['f1']:5.3f}  "
                         f"{int(s['support']):7d}")
        lines.append(f"{'macro-F1':{width}}  {self.macro_f1:.3f}   accuracy {self.accuracy:.3f}   "
                     f"({self.folds}-fold, {self.rows} rows)")
        return "\n".join([*lines, *confidence_lines(self.confidence)])


def confidence_lines(table: Sequence[dict[str, float | None]]) -> list[str]:
    """:attr:`Evaluation.confidence` as three lines: level, share of posts reaching it, share of those right."""
    if not table:
        return []
    cells = [(f"{row['at_least']:.1f}", f"{row['share']:.1%}",
              "-" if row["accuracy"] is None else f"{row['accuracy']:.1%}") for row in table]
    names = ("keyakinan minimal / confidence at least", "  bagian pos / share of posts", "  yang benar / of them right")
    return [f"{name:40}" + "".join(f"{cell[i]:>8}" for cell in cells) for i, name in enumerate(names)]


def usable_folds(labels: Sequence[str], folds: int) -> int:
    """The fold count to use: ``folds``, unless the smallest category is too small for it.

    Every training fold must keep at least 2 posts of each category (the calibration needs
    them), so a category needs 3 posts at least; with fewer than ``folds`` posts in the
    smallest category there is one fold per post of it.
    """
    names, counts = np.unique(np.asarray(labels, dtype=str), return_counts=True)
    if len(counts) < 2 or counts.min() < 3:
        few = ", ".join(f"{name} {count}" for name, count in zip(names.tolist(), counts.tolist(), strict=True)
                        if count < 3)
        raise TrainingDataInvalid("Setiap kategori butuh minimal 3 contoh dan minimal 2 kategori / every category "
                                  "needs at least 3 labelled posts, and there must be 2 categories or more"
                                  + (f"; kurang / too few: {few}" if few else f"; ada / found: {len(counts)}"),
                                  hint="tambah contoh, atau petakan kategori kecil ke kategori lain dengan --mapping / "
                                       "add examples, or map small categories onto others with --mapping")
    smallest = int(counts.min())
    chosen = min(folds, smallest)
    return chosen if smallest - -(-smallest // chosen) >= 2 else smallest


def cross_validate(
    estimator: Any,
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = 5,
    seed: int = FOLD_SEED,
    progress: Callable[[int], None] | None = None,
) -> tuple[Evaluation, np.ndarray]:
    """Out-of-fold predictions for every row (a fresh clone per fold) and the figures they give."""
    texts, truth = list(texts), np.asarray(labels, dtype=str)
    folds = usable_folds(truth, folds)
    predicted = np.empty(len(truth), dtype=object)
    confidence: np.ndarray | None = np.zeros(len(truth))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(texts, truth):
        model = clone(estimator).fit([texts[i] for i in train], truth[train])
        held_out = [texts[i] for i in test]
        predicted[test] = model.predict(held_out)
        if confidence is not None and hasattr(model, "predict_proba"):
            confidence[test] = model.predict_proba(held_out).max(axis=1)
        else:
            confidence = None
        if progress:
            progress(1)
    predicted = predicted.astype(str)
    identity = evaluation_set_id(texts, truth, folds, seed)
    evaluation = evaluate_predictions(truth, predicted, folds=folds, evaluation_set=identity, confidence=confidence)
    return evaluation, predicted


def evaluate_predictions(truth: Sequence[str], predicted: Sequence[str], *, folds: int = 0,
                         evaluation_set: str = "", confidence: Sequence[float] | None = None) -> Evaluation:
    """The figures of predictions against the truth; ``confidence``: the model's probability of each
    prediction, for :func:`confidence_table`."""
    truth, predicted = np.asarray(truth, dtype=str), np.asarray(predicted, dtype=str)
    labels = sorted(set(truth.tolist()))
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    per_class = {label: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                         "f1": round(float(f[i]), 4), "support": int(s[i])} for i, label in enumerate(labels)}
    return Evaluation(
        labels=labels,
        per_class=per_class,
        macro_f1=round(float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4),
        accuracy=round(float(accuracy_score(truth, predicted)), 4),
        confusion=confusion_matrix(truth, predicted, labels=labels).tolist(),
        folds=folds,
        rows=len(truth),
        evaluation_set=evaluation_set,
        confidence=[] if confidence is None else confidence_table(truth, predicted, confidence),
    )


def confidence_table(truth: Sequence[str], predicted: Sequence[str],
                     confidence: Sequence[float]) -> list[dict[str, float | None]]:
    """Per level of :data:`CONFIDENCE_LEVELS`: the share of posts predicted with at least that
    confidence (with ``abstain_below`` there, the tagger suggests their category without asking for
    a review) and the share of those predicted right (None when no post reaches it)."""
    truth, predicted = np.asarray(truth, dtype=str), np.asarray(predicted, dtype=str)
    confidence = np.asarray(confidence, dtype=float)
    if not (len(truth) == len(predicted) == len(confidence)) or not len(truth):
        raise ValueError("truth, predictions and confidences must be non-empty and of one length")
    right = truth == predicted
    table = []
    for level in CONFIDENCE_LEVELS:
        sure = confidence >= level
        reached = int(sure.sum())
        table.append({"at_least": level, "share": round(reached / len(truth), 4),
                      "accuracy": round(float(right[sure].mean()), 4) if reached else None})
    return table


def evaluation_set_id(texts: Sequence[str], labels: Sequence[str], folds: int, seed: int = FOLD_SEED) -> str:
    """Same rows (in any order), same folds and seed → same id."""
    digest = hashlib.sha256(f"{folds}:{seed}".encode())
    for text, label in sorted(zip(texts, map(str, labels), strict=True)):
        digest.update(f"\x1e{label}\x1f{text}".encode())
    return f"{folds}-fold:{digest.hexdigest()[:16]}"


def score(model: Any, texts: Sequence[str], labels: Sequence[str]) -> float:
    """Macro-F1 of an already trained model on labelled posts (the gate's common evaluation set)."""
    predicted = np.asarray(model.predict(list(texts)), dtype=str)
    truth = np.asarray(labels, dtype=str)
    return round(float(f1_score(truth, predicted, labels=sorted(set(truth.tolist())), average="macro",
                                zero_division=0)), 4)


def compare_cards(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, float | None, float | None]]:
    """(label, F1 in a, F1 in b) for every class of either card, then ("macro-F1", a, b)."""
    per_a = (a.get("metrics") or {}).get("per_class") or {}
    per_b = (b.get("metrics") or {}).get("per_class") or {}
    rows = [(label, (per_a.get(label) or {}).get("f1"), (per_b.get(label) or {}).get("f1"))
            for label in sorted(set(per_a) | set(per_b))]
    rows.append(("macro-F1", (a.get("metrics") or {}).get("macro_f1"), (b.get("metrics") or {}).get("macro_f1")))
    return rows


def write_confusion_png(evaluation: Evaluation, path: Path, title: str = "") -> Path:
    """The confusion matrix as a PNG (matplotlib's Agg backend: no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, matrix = evaluation.labels, np.asarray(evaluation.confusion)
    size = max(5.0, 0.7 * len(labels) + 2.5)
    figure, axes = plt.subplots(figsize=(size + 1, size))
    image = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axes, fraction=0.046)
    axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    threshold = matrix.max() / 2 if matrix.size else 0
    for (i, j), value in np.ndenumerate(matrix):
        axes.text(j, i, str(value), ha="center", va="center", fontsize=8,
                  color="white" if value > threshold else "black")
    axes.set_xlabel("prediksi / predicted")
    axes.set_ylabel("label")
    axes.set_title(title or f"macro-F1 {evaluation.macro_f1:.3f} ({evaluation.folds}-fold, {evaluation.rows} rows)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return Path(path)

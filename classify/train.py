"""Training and evaluation: stratified k-fold metrics, the confusion matrix, the model card.

`train_seed` rebuilds the shipped default model from data/seed/ reproducibly: fixed fold
seed, sorted inputs, so the same corpus gives the same metrics.
"""

from __future__ import annotations

import csv
import hashlib
import platform
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.metrics import classification_report, confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold

from classify.category import CategoryClassifier
from classify.clarity import ClarityDetector
from classify.registry import save_model
from classify.taxonomy import Taxonomy

FOLD_SEED = 20261123


@dataclass
class LabelledRows:
    texts: list[str]
    categories: list[str]
    unclear_reasons: list[str]
    digest: str


def load_seed(seed_dir: Path) -> LabelledRows:
    """All seed CSVs in name order; category is empty for unclear rows (tidak_jelas.csv)."""
    texts, categories, reasons = [], [], []
    digest = hashlib.sha256()
    for path in sorted(seed_dir.glob("*.csv")):
        digest.update(path.read_bytes())
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                texts.append(row["text"])
                categories.append(row.get("category") or "")
                reasons.append(row.get("unclear_reason") or "")
    return LabelledRows(texts, categories, reasons, digest.hexdigest())


def cross_validate(texts: Sequence[str], labels: Sequence[str], *, folds: int = 5,
                   estimator: CategoryClassifier | None = None,
                   progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Out-of-fold predictions for every row, and the per-class and macro figures they give."""
    texts, labels = list(texts), np.asarray(list(labels))
    predicted = np.empty(len(labels), dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=FOLD_SEED)
    for number, (train, test) in enumerate(splitter.split(texts, labels), start=1):
        model = clone(estimator or CategoryClassifier()).fit([texts[i] for i in train], labels[train])
        predicted[test] = model.predict([texts[i] for i in test])
        if progress:
            progress(number, folds)
    return evaluation(labels, predicted.astype(str))


def evaluation(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    classes = sorted(set(truth) | set(predicted))
    return {
        "macro_f1": float(f1_score(truth, predicted, average="macro", labels=sorted(set(truth)))),
        "per_class": classification_report(truth, predicted, labels=sorted(set(truth)), output_dict=True,
                                           zero_division=0),
        "labels": classes,
        "confusion": confusion_matrix(truth, predicted, labels=classes).tolist(),
        "rows": len(truth),
    }


def train_from_rows(texts: Sequence[str], labels: Sequence[str], *, folds: int = 5,
                    progress: Callable[[int, int], None] | None = None) -> tuple[CategoryClassifier, dict[str, Any]]:
    metrics = cross_validate(texts, labels, folds=folds, progress=progress)
    return CategoryClassifier().fit(list(texts), list(labels)), metrics


def train_clarity(rows: LabelledRows) -> ClarityDetector:
    unclear = [1 if not c else 0 for c in rows.categories]
    return ClarityDetector().fit(rows.texts, unclear, reasons=rows.unclear_reasons)


def train_seed(seed_dir: Path, taxonomy: Taxonomy, models_root: Path, *, version: str | None = None,
               folds: int = 5, progress: Callable[[int, int], None] | None = None) -> Path:
    rows = load_seed(seed_dir)
    complaint = [i for i, c in enumerate(rows.categories) if c]
    texts = [rows.texts[i] for i in complaint]
    labels = [rows.categories[i] for i in complaint]
    unknown = sorted(set(labels) - set(taxonomy.slugs()))
    if unknown:
        raise ValueError(f"seed rows use categories not in the taxonomy: {', '.join(unknown)}")
    model, metrics = train_from_rows(texts, labels, folds=folds, progress=progress)
    card = model_card(metrics, rows, taxonomy, source=f"seed:{seed_dir.name}", folds=folds)
    version = version or f"seed-{rows.digest[:8]}"
    directory = save_model(models_root, version, {"model": model, "clarity": train_clarity(rows)}, card)
    write_confusion_png(metrics, directory / "confusion.png")
    return directory


def model_card(metrics: dict[str, Any], rows: LabelledRows, taxonomy: Taxonomy, *, source: str,
               folds: int) -> dict[str, Any]:
    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_data": {"source": source, "sha256": rows.digest, "rows": len(rows.texts),
                          "category_rows": sum(1 for c in rows.categories if c)},
        "evaluation_set": f"{source}:{rows.digest}:{folds}-fold",
        "metrics": {"macro_f1": metrics["macro_f1"], "per_class": metrics["per_class"], "folds": folds},
        "confusion": {"labels": metrics["labels"], "matrix": metrics["confusion"]},
        "taxonomy": {"version": taxonomy.version, "sha256": taxonomy.digest, "slugs": taxonomy.slugs()},
        "libraries": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                      "numpy": np.__version__},
        "git_commit": _git_commit(),
    }


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def write_confusion_png(metrics: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, matrix = metrics["labels"], np.asarray(metrics["confusion"])
    figure, axes = plt.subplots(figsize=(8, 7))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    for (i, j), value in np.ndenumerate(matrix):
        axes.text(j, i, str(value), ha="center", va="center", fontsize=8)
    axes.set_xlabel("prediksi / predicted")
    axes.set_ylabel("label")
    axes.set_title(f"macro-F1 {metrics['macro_f1']:.3f}")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)

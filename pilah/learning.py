"""The staff's category labels as the classifiers learn from them and the promotion gate measures on them.

One reading for both, so that the labels a model was trained on and the labels a promotion is judged on are
the same rows with the same hash: the newest label of each report, within the taxonomy in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from classify.promotion import staff_label_scores
from classify.registry import active_version, get_version
from classify.taxonomy import load_taxonomy
from classify.train import LabelledRows, staff_labels
from pilah.queries.learning import CategoryLabels, newest_category_labels


def read_staff_labels(session: Session, data_dir: Path) -> tuple[LabelledRows, CategoryLabels]:
    """The labels a model trains on (skipped and narrowed ones counted on the rows), and the table's counts."""
    found = newest_category_labels(session)
    rows = staff_labels(found.texts, found.categories, load_taxonomy(Path(data_dir) / "taxonomy.toml"),
                        versions=found.taxonomy_versions)
    return rows, found


@dataclass(frozen=True)
class PromotionScores:
    """What the gate compares: (candidate, active) macro-F1 on the staff's labels, and on how many."""

    scores: tuple[float, float]
    rows: int


def promotion_scores(session: Session, models_root: Path, data_dir: Path, version: str) -> PromotionScores | None:
    """The candidate's and the active model's macro-F1 on the staff's labels (see :mod:`classify.promotion`);
    None when no version is active, as the gate then has nothing to compare with."""
    root = Path(models_root)
    current = active_version(root)
    if current is None:
        return None
    labels, _ = read_staff_labels(session, data_dir)
    return PromotionScores(staff_label_scores(get_version(root, version), get_version(root, current), labels),
                           len(labels.texts))

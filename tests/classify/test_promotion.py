"""The gate's common ground on the staff's labels: each model scored on posts it did not learn from, or refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.dummy import DummyClassifier

from classify.errors import PromotionRefused
from classify.promotion import staff_label_scores
from classify.registry import get_version, save_model
from classify.train import LabelledRows

LABELS = LabelledRows(["jalan desa berlubang", "jembatan ambrol", "ktp belum jadi", "akta ditolak"],
                      ["infrastruktur", "infrastruktur", "adminduk", "adminduk"], "labels", "labels-today")


def _version(root: Path, name: str, *, labels: str | None = None, on_labels: float | None = None,
             prior: str | None = None) -> None:
    """A version whose model always says infrastruktur; its card says what it learned from."""
    roads = DummyClassifier(strategy="constant", constant="infrastruktur").fit(["x"], ["infrastruktur"])
    card = {"metrics": {"macro_f1": 0.9, "evaluation_set": name}, "training_data": {"source": name},
            "prior": {"version": prior, "used": True} if prior else None}
    if labels:
        card["training_data"]["labels_sha256"] = labels
        card["metrics"]["staff_labels"] = {"macro_f1": on_labels, "rows": 4, "labels_sha256": labels}
    save_model(root / name, roads, card)


def test_a_model_that_never_saw_the_labels_is_scored_on_them_and_one_trained_on_them_brings_its_own(
        tmp_path: Path) -> None:
    _version(tmp_path, "seed")
    _version(tmp_path, "seed-labels", labels="labels-today", on_labels=0.875)
    scores = staff_label_scores(get_version(tmp_path, "seed-labels"), get_version(tmp_path, "seed"), LABELS)
    assert scores == (0.875, 0.3333)  # always "infrastruktur": F1 0.667 for it, 0 for adminduk


def test_a_model_trained_on_older_labels_is_refused(tmp_path: Path) -> None:
    _version(tmp_path, "seed")
    _version(tmp_path, "labels-november", labels="labels-november", on_labels=0.95)
    with pytest.raises(PromotionRefused, match="labels-november dilatih dari label staf sebelum verifikasi"):
        staff_label_scores(get_version(tmp_path, "seed"), get_version(tmp_path, "labels-november"), LABELS)


@pytest.mark.parametrize("prior", ["labels-november", "gone"])
def test_a_model_built_on_a_prior_that_learned_the_labels_is_refused(tmp_path: Path, prior: str) -> None:
    """`pilah train --csv` uses the active model as a prior: through it, the candidate saw the labels."""
    _version(tmp_path, "labels-november", labels="labels-november", on_labels=0.95)
    _version(tmp_path, "seed")
    _version(tmp_path, "lapor", prior=prior)
    with pytest.raises(PromotionRefused, match=f"lapor memakai {prior} sebagai prior"):
        staff_label_scores(get_version(tmp_path, "lapor"), get_version(tmp_path, "seed"), LABELS)


def test_no_labels_is_no_common_ground(tmp_path: Path) -> None:
    _version(tmp_path, "seed")
    with pytest.raises(PromotionRefused, match="no staff labels"):
        staff_label_scores(get_version(tmp_path, "seed"), get_version(tmp_path, "seed"),
                           LabelledRows([], [], "labels", "empty"))

"""Model versions on disk: round trip, trusted-type and tamper checks, the promotion gate, rollback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import skops.io
from sklearn.dummy import DummyClassifier

from classify.errors import ModelIncompatible, ModelNotFound, PromotionRefused, UntrustedModel, VersionInvalid
from classify.registry import (
    active_model_dir,
    active_version,
    list_versions,
    load_model,
    load_object,
    promote,
    rollback,
    save_model,
)
from classify.train import TrainingResult, write_version


class NotAllowed:
    """A type no model file may contain."""


def fake_version(root: Path, name: str, macro_f1: float, evaluation_set: str = "5-fold:same") -> Path:
    """A version directory whose model is a small placeholder: the gate reads only cards."""
    card = {"metrics": {"macro_f1": macro_f1, "evaluation_set": evaluation_set}, "created_at": name}
    return save_model(root / name, DummyClassifier(), card)


def test_train_save_load_predict_round_trip(tiny_version: Path, tiny_training: TrainingResult) -> None:
    model, card = load_model(tiny_version)
    texts = ["jalan rusak parah berlubang", "ktp belum jadi", "puskesmas tutup"]
    assert list(model.predict(texts)) == list(tiny_training.model.predict(texts))
    assert set(card["files"]) == {"model.skops", "clarity.skops"} and len(card["files"]["model.skops"]) == 64
    assert {p.name for p in tiny_version.iterdir()} == {"model.skops", "clarity.skops", "card.json", "confusion.png"}


def test_untrusted_types_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.skops"
    skops.io.dump({"x": NotAllowed()}, path)
    with pytest.raises(UntrustedModel, match="NotAllowed"):
        load_object(path)


def test_a_file_changed_after_training_is_refused(tiny_version: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(tiny_version, tmp_path / "v1")
    with (copy / "model.skops").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(UntrustedModel, match="SHA-256"):
        load_model(copy)


def test_another_scikit_learn_major_version_is_refused(tiny_version: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(tiny_version, tmp_path / "v1")
    card = json.loads((copy / "card.json").read_text())
    card["libraries"]["scikit-learn"] = "0.24.2"
    (copy / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelIncompatible):
        load_model(copy)


def test_no_active_model_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound) as error:
        active_model_dir(tmp_path)
    assert "pilah train --seed" in str(error.value)
    with pytest.raises(ModelNotFound):
        load_model(tmp_path / "missing")


def test_promotion_gate_refuses_a_worse_model(tmp_path: Path) -> None:
    fake_version(tmp_path, "good", 0.90)
    fake_version(tmp_path, "worse", 0.87)
    fake_version(tmp_path, "close", 0.885)
    assert promote(tmp_path, "good") is None
    with pytest.raises(PromotionRefused, match=r"0\.870"):
        promote(tmp_path, "worse")
    assert active_version(tmp_path) == "good"
    assert promote(tmp_path, "close") == "good"  # within 0.02 passes
    assert promote(tmp_path, "worse", force=True) == "close"
    assert active_version(tmp_path) == "worse"


def test_models_evaluated_on_different_sets_need_common_scores(tmp_path: Path) -> None:
    fake_version(tmp_path, "a", 0.80, "5-fold:one")
    fake_version(tmp_path, "b", 0.95, "5-fold:other")
    promote(tmp_path, "a")
    with pytest.raises(PromotionRefused, match="different"):
        promote(tmp_path, "b")
    with pytest.raises(PromotionRefused):
        promote(tmp_path, "b", scores=(0.70, 0.80))
    assert promote(tmp_path, "b", scores=(0.79, 0.80)) == "a"


def test_rollback_steps_back_through_history(tmp_path: Path) -> None:
    for name, f1 in (("v1", 0.8), ("v2", 0.81), ("v3", 0.82)):
        fake_version(tmp_path, name, f1)
        promote(tmp_path, name)
    assert rollback(tmp_path) == "v2"
    assert rollback(tmp_path) == "v1"
    assert active_model_dir(tmp_path) == tmp_path / "v1"
    with pytest.raises(ModelNotFound):
        rollback(tmp_path)
    assert [(v.name, v.active) for v in list_versions(tmp_path)] == [("v1", True), ("v2", False), ("v3", False)]


def test_rollback_refuses_a_version_changed_or_gone_since_it_was_active(tmp_path: Path) -> None:
    """Checked as promote checks: otherwise the rollback succeeds and the next batch fails to load the model."""
    for name, f1 in (("v1", 0.8), ("v2", 0.81)):
        fake_version(tmp_path, name, f1)
        promote(tmp_path, name)
    with (tmp_path / "v1" / "model.skops").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(UntrustedModel, match="SHA-256"):
        rollback(tmp_path)
    shutil.rmtree(tmp_path / "v1")
    with pytest.raises(ModelNotFound):
        rollback(tmp_path)
    assert active_version(tmp_path) == "v2"


def test_a_card_without_the_files_hash_is_refused_at_load(tmp_path: Path) -> None:
    directory = fake_version(tmp_path, "v1", 0.8)
    card = json.loads((directory / "card.json").read_text(encoding="utf-8"))
    del card["files"]
    (directory / "card.json").write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(UntrustedModel, match="lists no hash for it"):
        load_model(directory)


def test_a_model_tagging_a_category_the_taxonomy_dropped_is_refused_even_forced(tmp_path: Path) -> None:
    for name in ("v1", "v2"):
        card = {"metrics": {"macro_f1": 0.8, "evaluation_set": "same"}, "classes": ["adminduk", "listrik"]}
        save_model(tmp_path / name, DummyClassifier(), card)
    promote(tmp_path, "v1", taxonomy_slugs=["adminduk", "listrik"])
    with pytest.raises(ModelIncompatible, match="no longer has: listrik"):
        promote(tmp_path, "v2", force=True, taxonomy_slugs=["adminduk", "air_bersih"])
    promote(tmp_path, "v2", taxonomy_slugs=["adminduk", "listrik"])
    with pytest.raises(ModelIncompatible, match="no longer has: listrik"):
        rollback(tmp_path, taxonomy_slugs=["adminduk"])
    assert active_version(tmp_path) == "v2"


def test_a_card_that_is_not_json_is_named_not_a_traceback(tmp_path: Path) -> None:
    fake_version(tmp_path, "v1", 0.8)
    (tmp_path / "v1" / "card.json").write_text('{"metrics": ', encoding="utf-8")
    with pytest.raises(UntrustedModel, match=r"v1/card.json bukan JSON yang sah"):
        list_versions(tmp_path)


def test_force_passes_the_gate_but_never_a_changed_file(tmp_path: Path) -> None:
    fake_version(tmp_path, "good", 0.90)
    promote(tmp_path, "good")
    worse = fake_version(tmp_path, "worse", 0.80)
    with (worse / "model.skops").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(PromotionRefused):
        promote(tmp_path, "worse")
    with pytest.raises(UntrustedModel, match="SHA-256"):
        promote(tmp_path, "worse", force=True)
    assert active_version(tmp_path) == "good"


@pytest.mark.parametrize("name", ["../evil", "a/b", "..", ".hidden", "", "x" * 81])
def test_a_version_is_a_plain_name_under_models(tmp_path: Path, name: str) -> None:
    with pytest.raises(VersionInvalid):
        promote(tmp_path, name)


def test_training_never_replaces_another_model_under_its_name(tmp_path: Path, tiny_training: TrainingResult,
                                                                 tiny_version: Path) -> None:
    root = tmp_path / "models"
    shutil.copytree(tiny_version, root / tiny_version.name)
    assert write_version(root, tiny_training, tiny_version.name) == root / tiny_version.name  # a rebuild
    fake_version(root, "taken", 0.9)
    with pytest.raises(VersionInvalid, match="sudah ada"):
        write_version(root, tiny_training, "taken")
    with pytest.raises(VersionInvalid):
        write_version(root, tiny_training, "../outside")
    assert not (root.parent / "outside").exists()

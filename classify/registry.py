"""Model versions on disk: ``models/<version>/{model.skops, clarity.skops, card.json, confusion.png}``.

``models/ACTIVE`` names the active version; ``models/HISTORY`` lists the versions that were
active before, newest last, so ``rollback`` can step back. Files are read with skops, never
pickle: the loader lists the types a file would create and refuses any outside pilah's
allow-list, checks each file's SHA-256 against the card, and refuses a file written by a
scikit-learn release of another major version (STYLE.md rule 7).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sklearn
from skops.io import dump, get_untrusted_types, load

from classify.errors import ModelIncompatible, ModelNotFound, PromotionRefused, UntrustedModel, VersionInvalid

log = logging.getLogger(__name__)

ACTIVE = "ACTIVE"
HISTORY = "HISTORY"
MODEL_FILE = "model.skops"
CARD_FILE = "card.json"
#: Issue 3, item 7: a candidate more than this much below the active model's macro-F1 is refused.
PROMOTION_TOLERANCE = 0.02
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.")
#: A version is a directory right under models/: letters, digits, ".", "_" and "-", never a path.
VERSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
#: pilah's own types a model file may contain (functions are named in the clarity model's vectorisers).
TRUSTED_CLASSIFY = frozenset({
    "classify.category.CategoryClassifier",
    "classify.category.PriorScores",
    "classify.text.TextNormalizer",
    "classify.text_features.TokenVectorizer",
    "classify.clarity.ClarityDetector",
    "classify.clarity.CueFeatures",
    "classify.clarity.prepare",
    "classify.clarity.word_tokens",
})


@dataclass(frozen=True)
class ModelVersion:
    """One directory under models/ with its card."""

    name: str
    directory: Path
    card: dict[str, Any]
    active: bool = False

    @property
    def macro_f1(self) -> float | None:
        value = (self.card.get("metrics") or {}).get("macro_f1")
        return float(value) if value is not None else None

    @property
    def evaluation_set(self) -> str | None:
        return (self.card.get("metrics") or {}).get("evaluation_set")

    @property
    def labels_learned(self) -> str | None:
        """The hash of the staff's labels the version was trained on; None for one that learned none."""
        return (self.card.get("training_data") or {}).get("labels_sha256")


def save_model(directory: Path, model: object, card: dict[str, Any], *,
               extra: dict[str, object] | None = None) -> Path:
    """Writes ``model.skops`` (and ``<name>.skops`` per extra object) and the card with their hashes."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = {MODEL_FILE: model, **{f"{name}.skops": obj for name, obj in (extra or {}).items()}}
    hashes = {}
    for name, obj in files.items():
        dump(obj, directory / name, compression=zipfile.ZIP_DEFLATED)
        hashes[name] = _sha256(directory / name)
    card = {**card, "files": hashes}
    (directory / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return directory


def load_model(path: Path) -> tuple[Any, dict[str, Any]]:
    """(model, card) of a version directory, after the hash, version and trusted-type checks."""
    directory = Path(path)
    card = read_card(directory)
    return load_object(directory / MODEL_FILE, card), card


def load_object(path: Path, card: dict[str, Any] | None = None) -> Any:
    """One skops file, refused if its hash differs from the card's or it holds untrusted types."""
    path = Path(path)
    expected = None
    if card is not None:
        _check_versions(card, path.parent.name)
        expected = (card.get("files") or {}).get(path.name)
        if not expected:  # a card that does not vouch for the file cannot tell whether it was swapped
            raise UntrustedModel(f"{path.parent / CARD_FILE} tidak mencatat hash {path.name} / lists no hash for it")
    untrusted = _checked_file(path, expected)
    return load(path, trusted=untrusted)


def _checked_file(path: Path, expected_sha256: str | None) -> list[str]:
    """The file's types once it is known to be there, unchanged since training (when the card names its
    hash) and made of trusted types only; refused otherwise."""
    if not path.is_file():
        raise ModelNotFound(f"Berkas model {path} tidak ada / model file does not exist")
    if expected_sha256 and expected_sha256 != _sha256(path):
        raise UntrustedModel(f"{path} berubah sejak dilatih / changed since training "
                             "(SHA-256 differs from card.json)")
    untrusted = get_untrusted_types(file=path)
    refused = sorted(t for t in untrusted if not (t.startswith(TRUSTED_PREFIXES) or t in TRUSTED_CLASSIFY))
    if refused:
        raise UntrustedModel(f"{path} memuat tipe yang tidak dipercaya / holds untrusted types: {', '.join(refused)}")
    return untrusted


def read_card(directory: Path) -> dict[str, Any]:
    path = Path(directory) / CARD_FILE
    if not path.is_file():
        raise ModelNotFound(f"{directory} tidak punya card.json / is not a pilah model version",
                            hint="pilah models list")
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UntrustedModel(f"{path} bukan JSON yang sah / is not valid JSON: {exc}",
                             hint="pulihkan berkas itu dari cadangan atau hapus versi ini / restore the file from a "
                                  "backup or remove this version") from exc
    if not isinstance(card, dict):
        raise UntrustedModel(f"{path} bukan kartu model / is not a model card")
    return card


def _check_versions(card: dict[str, Any], name: str) -> None:
    saved = str((card.get("libraries") or {}).get("scikit-learn", ""))
    if not saved:
        return
    if saved.split(".")[0] != sklearn.__version__.split(".")[0]:
        raise ModelIncompatible(
            f"Model {name} dilatih dengan scikit-learn {saved}, terpasang {sklearn.__version__} / "
            "trained with another major release", hint="pilah train --seed")
    if saved.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        log.warning("model %s was trained with scikit-learn %s, running %s: retrain soon", name, saved,
                    sklearn.__version__)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- versions, the active pointer and its history ------------------------------------------------


def active_version(models_root: Path) -> str | None:
    pointer = Path(models_root) / ACTIVE
    name = pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else ""
    return name or None


def active_model_dir(models_root: Path) -> Path:
    """The directory of the active version; ModelNotFound (with the fix) when there is none."""
    name = active_version(models_root)
    if name is None:
        raise ModelNotFound(f"Belum ada model aktif di {models_root} / no active model", hint="pilah train --seed")
    directory = Path(models_root) / name
    if not (directory / CARD_FILE).is_file():
        raise ModelNotFound(f"Model aktif {name} tidak ada di {models_root} / active model missing",
                            hint="pilah models list; pilah models promote VERSION")
    return directory


def list_versions(models_root: Path) -> list[ModelVersion]:
    """Every version directory with a card, oldest name first."""
    root = Path(models_root)
    if not root.is_dir():
        return []
    active = active_version(root)
    return [ModelVersion(d.name, d, read_card(d), d.name == active)
            for d in sorted(root.iterdir()) if (d / CARD_FILE).is_file()]


def check_version_name(name: str) -> str:
    if not VERSION_NAME.fullmatch(name) or ".." in name:
        raise VersionInvalid(f"Nama versi tidak sah / invalid version name {name!r}",
                             hint="huruf, angka, '.', '_' dan '-' saja / letters, digits, '.', '_' and '-' only")
    return name


def check_files(directory: Path) -> None:
    """Every file the card lists is there, unchanged and of trusted types, without loading any of it:
    a version is checked before it becomes active, not when the next batch first needs it."""
    card = read_card(directory)
    _check_versions(card, Path(directory).name)
    if MODEL_FILE not in (card.get("files") or {}):
        raise UntrustedModel(f"{directory}/{CARD_FILE} tidak mencatat hash berkas / lists no file hashes")
    for name, expected in card["files"].items():
        _checked_file(Path(directory) / name, expected)


def get_version(models_root: Path, name: str) -> ModelVersion:
    directory = Path(models_root) / check_version_name(name)
    return ModelVersion(name, directory, read_card(directory), name == active_version(models_root))


def same_evaluation(candidate: ModelVersion, active: ModelVersion) -> bool:
    """Whether the two cards' figures were measured on the same rows and folds, so the gate may compare them."""
    return candidate.evaluation_set is not None and candidate.evaluation_set == active.evaluation_set


def promotion_problem(candidate: ModelVersion, active: ModelVersion,
                      scores: tuple[float, float] | None = None) -> str | None:
    """Why the gate refuses ``candidate``, or None. ``scores`` = (candidate, active) macro-F1 measured
    by the caller on one evaluation set, for versions whose cards were evaluated on different data."""
    if scores is None:
        if not same_evaluation(candidate, active):
            return (f"{candidate.name} dan {active.name} dievaluasi pada data berbeda; ukur keduanya pada label staf "
                    "atau satu berkas berlabel / were evaluated on different data; score both on the staff's labels "
                    f"or one labelled file: pilah models promote {candidate.name} --on-labels (atau/or --on FILE, "
                    "--force)")
        scores = (candidate.macro_f1 or 0.0, active.macro_f1 or 0.0)
    if scores[0] < scores[1] - PROMOTION_TOLERANCE:
        return (f"macro-F1 {candidate.name} {scores[0]:.3f} lebih dari {PROMOTION_TOLERANCE} di bawah model aktif "
                f"{active.name} {scores[1]:.3f} / more than {PROMOTION_TOLERANCE} below the active model")
    return None


def promote(models_root: Path, version: str, force: bool = False,
            scores: tuple[float, float] | None = None, taxonomy_slugs: Collection[str] | None = None) -> str | None:
    """Makes ``version`` active unless the gate refuses it; returns the previously active version.

    ``force`` passes the macro-F1 gate, never the file checks nor the taxonomy's (``taxonomy_slugs``, the
    categories in force): a changed or untrusted file, or a model that would tag reports with a category
    the office has since removed, is refused here rather than by the next batch or the routing."""
    root = Path(models_root)
    candidate = get_version(root, version)
    current = active_version(root)
    if current == version:
        return current
    if current is not None and (root / current / CARD_FILE).is_file() and not force:
        problem = promotion_problem(candidate, get_version(root, current), scores)
        if problem:
            raise PromotionRefused(problem)
    check_files(candidate.directory)
    check_taxonomy(candidate, taxonomy_slugs)
    if current is not None:
        with (root / HISTORY).open("a", encoding="utf-8") as history:
            history.write(current + "\n")
    _write_active(root, version)
    return current


def check_taxonomy(version: ModelVersion, taxonomy_slugs: Collection[str] | None) -> None:
    """Refuse a version whose categories are not all in the taxonomy in force (when it is given)."""
    if taxonomy_slugs is None:
        return
    unknown = sorted(set(version.card.get("classes") or []) - set(taxonomy_slugs))
    if unknown:
        raise ModelIncompatible(f"{version.name} menandai kategori yang tidak ada lagi di taksonomi / tags categories "
                                f"the taxonomy no longer has: {', '.join(unknown)}",
                                hint="latih ulang dengan taksonomi sekarang / retrain with the current taxonomy")


def rollback(models_root: Path, taxonomy_slugs: Collection[str] | None = None) -> str:
    """Re-activates the version that was active before the last promotion, after the checks promote makes
    (files, taxonomy); returns its name."""
    root = Path(models_root)
    history = root / HISTORY
    earlier = [line.strip() for line in history.read_text(encoding="utf-8").splitlines()] if history.is_file() else []
    earlier = [name for name in earlier if name]
    if not earlier:
        raise ModelNotFound("Tidak ada versi sebelumnya / no earlier active version to roll back to")
    check_files(root / check_version_name(earlier[-1]))  # as promote does: the next batch must be able to load it
    check_taxonomy(get_version(root, earlier[-1]), taxonomy_slugs)
    _write_active(root, earlier[-1])
    history.write_text("".join(name + "\n" for name in earlier[:-1]), encoding="utf-8")
    return earlier[-1]


def _write_active(root: Path, version: str) -> None:
    """Atomic: a reader sees the old name or the new one, never half a file."""
    temporary = root / f".{ACTIVE}.tmp"
    temporary.write_text(version + "\n", encoding="utf-8")
    os.replace(temporary, root / ACTIVE)

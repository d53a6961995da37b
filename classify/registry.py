"""Model versions on disk: models/<version>/{model.skops, clarity.skops, card.json}; models/ACTIVE names one.

Files are loaded with skops, never pickle: the loader lists the types a file would create and
refuses any that are not on pilah's allow-list, so a tampered model cannot run code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skops.io import dump, get_untrusted_types, load

from classify.errors import ModelNotFound, PromotionRefused, UntrustedModel

ACTIVE = "ACTIVE"
HISTORY = "HISTORY"
PROMOTION_TOLERANCE = 0.02
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "classify.", "builtins.", "collections.")


@dataclass(frozen=True)
class ModelFiles:
    directory: Path
    card: dict[str, Any]

    @property
    def version(self) -> str:
        return self.directory.name

    @property
    def macro_f1(self) -> float | None:
        return (self.card.get("metrics") or {}).get("macro_f1")


def save_model(models_root: Path, version: str, objects: dict[str, Any], card: dict[str, Any]) -> Path:
    directory = models_root / version
    directory.mkdir(parents=True, exist_ok=True)
    for name, obj in objects.items():
        dump(obj, directory / f"{name}.skops")
    (directory / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False, sort_keys=True), "utf-8")
    return directory


def load_object(path: Path) -> Any:
    if not path.exists():
        raise ModelNotFound(f"model file {path} does not exist")
    untrusted = get_untrusted_types(file=path)
    refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise UntrustedModel(f"{path} would create types pilah does not trust: {', '.join(refused)}")
    return load(path, trusted=untrusted)


def read_card(directory: Path) -> dict[str, Any]:
    path = directory / "card.json"
    if not path.exists():
        raise ModelNotFound(f"{directory} has no card.json; is it a pilah model version?")
    return json.loads(path.read_text("utf-8"))


def active_model_dir(models_root: Path) -> Path:
    pointer = models_root / ACTIVE
    if not pointer.exists():
        raise ModelNotFound(f"no active model in {models_root}", hint="run `pilah train --seed`")
    return models_root / pointer.read_text("utf-8").strip()


def list_versions(models_root: Path) -> list[ModelFiles]:
    if not models_root.exists():
        return []
    return [ModelFiles(d, read_card(d)) for d in sorted(models_root.iterdir()) if (d / "card.json").exists()]


def active_version(models_root: Path) -> str | None:
    pointer = models_root / ACTIVE
    return pointer.read_text("utf-8").strip() if pointer.exists() else None


def promote(models_root: Path, version: str, *, force: bool = False) -> str | None:
    """Make version active unless its macro-F1 is more than 0.02 below the active one's (then --force)."""
    candidate = ModelFiles(models_root / version, read_card(models_root / version))
    current = active_version(models_root)
    if current and current != version and not force:
        _gate(candidate, ModelFiles(models_root / current, read_card(models_root / current)))
    if current and current != version:
        with (models_root / HISTORY).open("a", encoding="utf-8") as history:
            history.write(current + "\n")
    (models_root / ACTIVE).write_text(version + "\n", "utf-8")
    return current


def _gate(candidate: ModelFiles, active: ModelFiles) -> None:
    if candidate.card.get("evaluation_set") != active.card.get("evaluation_set"):
        raise PromotionRefused(f"{candidate.version} and {active.version} were evaluated on different data; "
                               "compare them on the same set or use --force")
    if (candidate.macro_f1 or 0.0) < (active.macro_f1 or 0.0) - PROMOTION_TOLERANCE:
        raise PromotionRefused(f"{candidate.version} macro-F1 {candidate.macro_f1:.3f} is more than "
                               f"{PROMOTION_TOLERANCE} below the active {active.version} ({active.macro_f1:.3f})")


def rollback(models_root: Path) -> str:
    """Re-activate the version that was active before the last promotion."""
    history = models_root / HISTORY
    previous = [line for line in history.read_text("utf-8").splitlines() if line] if history.exists() else []
    if not previous:
        raise ModelNotFound("no earlier active version to roll back to")
    history.write_text("".join(v + "\n" for v in previous[:-1]), "utf-8")
    (models_root / ACTIVE).write_text(previous[-1] + "\n", "utf-8")
    return previous[-1]

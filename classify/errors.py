"""classify's errors: a small vocabulary, each with a stable code and a message staff can act on.

Messages are Indonesian first, then English. The shell (``pilah train``, ``pilah models``) turns
them into one readable line and the exit code below; nothing here knows about the CLI.
"""

from __future__ import annotations


class ClassifyError(Exception):
    """Base of classify's errors."""

    code = "classify_error"
    exit_code = 4

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}" + (f"\n  → {self.hint}" if self.hint else "")


class TaxonomyInvalid(ClassifyError):
    """data/taxonomy.toml is missing, malformed, or has duplicate/invalid slugs."""

    code = "taxonomy_invalid"


class TrainingDataInvalid(ClassifyError):
    """The labelled rows cannot train a model: missing columns, unknown categories, too few rows."""

    code = "training_data_invalid"


class ModelNotFound(ClassifyError):
    """No active model, or a model version directory without its files."""

    code = "model_not_found"


class UntrustedModel(ClassifyError):
    """A model file would create types outside pilah's allow-list: it is not loaded."""

    code = "model_untrusted"


class ModelIncompatible(ClassifyError):
    """A model was saved by a scikit-learn release this installation cannot safely read."""

    code = "model_incompatible"


class PromotionRefused(ClassifyError):
    """The candidate is worse than the active model on the same evaluation set (use --force to override)."""

    code = "promotion_refused"


class VersionInvalid(ClassifyError):
    """A version name that is not a plain directory name, or one that is taken by another model."""

    code = "version_invalid"

"""classify's errors, each with a stable code."""

from __future__ import annotations


class ClassifyError(Exception):
    code = "classify_error"
    exit_code = 4

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}" + (f"\n  → {self.hint}" if self.hint else "")


class ModelNotFound(ClassifyError):
    code = "model_not_found"


class UntrustedModel(ClassifyError):
    code = "model_untrusted"


class PromotionRefused(ClassifyError):
    code = "promotion_refused"

"""Stores what the classifier said about a report, and the flags that follow from it.

Depends only on the shape of classify's `Tagging` (category, confidence, location, unclear
reasons, personal-data kinds, masked text), never on how it was produced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from triage import flags as f


class TaggingLike(Protocol):
    category: str | None
    category_guess: str | None
    category_confidence: float
    category_terms: tuple[str, ...]
    abstained: bool
    kecamatan_code: str | None
    kecamatan_name: str | None
    desa_code: str | None
    location_confidence: float
    location_span: str | None
    outside_kabupaten: bool
    unclear: bool
    unclear_reasons: tuple[str, ...]
    pii_kinds: tuple[str, ...]
    masked_text: str


def tagging_columns(tagging: TaggingLike, *, model_version: str | None, now: datetime) -> dict[str, Any]:
    """The report columns the classifier's output sets, by column name."""
    return {
        "category": tagging.category, "category_guess": tagging.category_guess,
        "category_confidence": float(tagging.category_confidence),
        "category_terms": list(tagging.category_terms), "category_source": "model", "model_version": model_version,
        "kecamatan_code": tagging.kecamatan_code, "desa_code": tagging.desa_code,
        "location_confidence": float(tagging.location_confidence), "location_span": tagging.location_span,
        "masked_text": tagging.masked_text, "classified_at": now,
    }


def plan_model_flags(flags: f.FlagPlan, tagging: TaggingLike, *, abstain_below: float) -> list[str]:
    """Replace the report's model flags with this tagging's; returns the flag codes raised."""
    flags.clear(source="model")
    raised = model_flags(tagging, abstain_below)
    for code, reason in raised.items():
        flags.set(code, reason, source="model")
    return list(raised)


def model_flags(tagging: TaggingLike, abstain_below: float) -> dict[str, str]:
    """Flag code → reason for one tagging (pure, so the vocabulary is easy to test)."""
    raised: dict[str, str] = {}
    for reason in tagging.unclear_reasons if tagging.unclear else ():
        raised[f.unclear_code(reason)] = f.unclear_reason_text(reason)
    if tagging.unclear and not tagging.unclear_reasons:
        raised[f.unclear_code("no_complaint")] = f.unclear_reason_text("no_complaint")
    if not tagging.unclear and (tagging.abstained or tagging.category_confidence < abstain_below):
        raised[f.LOW_CONFIDENCE] = _low_confidence_reason(tagging, abstain_below)
    if tagging.outside_kabupaten:
        raised[f.OUTSIDE_KABUPATEN] = f"Di luar wilayah: {tagging.location_span or 'lokasi di luar kabupaten'}"
    elif tagging.kecamatan_code is None and not tagging.unclear:
        raised[f.NO_LOCATION] = "Lokasi (kecamatan) tidak ditemukan dalam teks"
    if tagging.pii_kinds:
        kinds = ", ".join(f.PII_KINDS.get(kind, kind) for kind in tagging.pii_kinds)
        raised[f.PII] = f"Berisi data pribadi ({kinds}); disamarkan untuk peran yang tidak memerlukannya"
    return raised


#: What a low-confidence reason names as the guess when the model had none.
NO_GUESS = "tanpa kategori"
_LOW_CONFIDENCE = re.compile(r"\((?P<confidence>\d+(?:\.\d+)?) < (?P<threshold>\d+(?:\.\d+)?); "
                             r"tebakan: (?P<guess>[^)]*)\)")


@dataclass(frozen=True)
class LowConfidence:
    """The model's confidence, the threshold it fell below and its guess (a slug, or :data:`NO_GUESS`)."""

    confidence: float
    threshold: float
    guess: str


def _low_confidence_reason(tagging: TaggingLike, abstain_below: float) -> str:
    guess = tagging.category or NO_GUESS
    return (f"Keyakinan kategori rendah ({tagging.category_confidence:.2f} < {abstain_below:.2f}; "
            f"tebakan: {guess})")


def read_low_confidence(reason: str | None) -> LowConfidence | None:
    """The parts of a reason :func:`_low_confidence_reason` wrote, for pages that show them in the reader's
    form: the flag row keeps only this text, and it is the one record of the model's guess (the report's
    category may since be a person's correction). None for any other text."""
    found = _LOW_CONFIDENCE.search(reason or "")
    if found is None:
        return None
    return LowConfidence(float(found["confidence"]), float(found["threshold"]), found["guess"].strip())


def model_version_of(tagger: Any) -> str | None:
    """The tagger's model version when it exposes one (`model_version` or `version`)."""
    version = getattr(tagger, "model_version", None) or getattr(tagger, "version", None)
    return str(version) if version else None

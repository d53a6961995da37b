"""Flags written from a tagging: the low-confidence reason can be read back into its parts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from triage.flags import LOW_CONFIDENCE
from triage.tagging import NO_GUESS, LowConfidence, model_flags, read_low_confidence


def _tagging(category: str | None, confidence: float) -> SimpleNamespace:
    return SimpleNamespace(category=category, category_confidence=confidence, unclear=False, unclear_reasons=(),
                           abstained=False,
                           outside_kabupaten=False, location_span=None, kecamatan_code="18.01.04", pii_kinds=())


@pytest.mark.parametrize(("category", "parts"), [
    ("sosial", LowConfidence(0.42, 0.55, "sosial")),
    (None, LowConfidence(0.42, 0.55, NO_GUESS)),
])
def test_a_low_confidence_reason_reads_back_as_written(category: str | None, parts: LowConfidence) -> None:
    reason = model_flags(_tagging(category, 0.4213), abstain_below=0.55)[LOW_CONFIDENCE]
    assert read_low_confidence(reason) == parts


@pytest.mark.parametrize("reason", [None, "", "Keyakinan kategori rendah", "Lokasi tidak ditemukan (0.4 < 0.5)"])
def test_other_text_is_no_low_confidence_reason(reason: str | None) -> None:
    assert read_low_confidence(reason) is None

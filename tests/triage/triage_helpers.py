"""Helpers for the triage tests: a fake tagger, settings, Jakarta times, a report factory."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from classify.tagger import Tagging
from pilah.schema import Post, Report

JAKARTA = ZoneInfo("Asia/Jakarta")
#: The fake tagger fills the real result type, so a change to its fields breaks these tests too.
FakeTagging = Tagging


class FakeTagger:
    """Deterministic and tiny: a category per keyword, a kecamatan per name, 'unclear' for greetings."""

    version = "fake-1"
    CATEGORIES: ClassVar[dict[str, str]] = {"jalan": "infrastruktur", "lubang": "infrastruktur", "sampah": "lingkungan",
                  "ktp": "adminduk", "akta": "adminduk", "bpnt": "sosial", "bansos": "sosial",
                  "balap": "ketertiban", "pju": "perhubungan", "bidan": "kesehatan", "pustu": "kesehatan",
                  "dana desa": "pemerintahan_desa"}
    KECAMATAN: ClassVar[dict[str, str]] = {
        "natar": "18.01.04", "jati agung": "18.01.13", "kalianda": "18.01.06", "palas": "18.01.10",
        "sidomulyo": "18.01.07", "tanjung bintang": "18.01.05", "raja basa": "18.01.16"}
    OUTSIDE = ("bandar lampung", "metro")

    def __init__(self) -> None:
        self.calls = 0

    def tag_many(self, texts: Sequence[str], geo_hints: Sequence[str | None] | None = None) -> list[FakeTagging]:
        self.calls += 1
        return [self.tag(text) for text in texts]

    def tag(self, text: str) -> FakeTagging:
        lower = text.lower()
        category = next((c for word, c in self.CATEGORIES.items() if word in lower), None)
        kecamatan = next(((name, code) for name, code in self.KECAMATAN.items() if name in lower), None)
        outside = any(place in lower for place in self.OUTSIDE)
        unclear = len(lower.split()) < 3 or lower.startswith(("halo", "selamat pagi min"))
        nik = re.search(r"\b\d{16}\b", text)
        return FakeTagging(
            category=None if unclear else category, category_guess=category or "sosial",
            category_confidence=0.9 if category and not unclear else 0.2,
            category_terms=(), abstained=category is None or unclear,
            kecamatan_code=kecamatan[1] if kecamatan else None, kecamatan_name=kecamatan[0] if kecamatan else None,
            desa_code=None, desa_name=None, location_confidence=0.9 if kecamatan else 0.0,
            location_span=kecamatan[0] if kecamatan else (self.OUTSIDE[0] if outside else None),
            outside_kabupaten=outside, unclear=unclear, unclear_reasons=("greeting_only",) if unclear else (),
            pii_kinds=("nik",) if nik else (), masked_text=re.sub(r"\b\d{16}\b", "[NIK]", text),
            normalized_text=lower,
        )


@dataclass
class FakeSettings:
    abstain_below: float = 0.5
    duplicate_window_days: int = 14
    near_duplicate_threshold: float = 0.6


def wib(*args: int) -> datetime:
    """A Jakarta wall-clock time as an aware datetime."""
    return datetime(*args, tzinfo=JAKARTA)



def make_report(session: Session, post: Post, **values) -> Report:
    """A report for a post in any state, for tests that start mid-lifecycle."""
    report = Report(post_id=post.id, **{"status": "perlu_verifikasi", "category_terms": [], **values})
    session.add(report)
    session.flush()
    return report

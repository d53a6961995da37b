"""Everything triage needs to know about a post, from one call: category, place, clarity, personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classify.clarity import ClarityDetector
from classify.location import LocationTagger
from classify.pii import find_pii, mask_pii
from classify.registry import load_object, read_card
from classify.text import normalize


@dataclass(frozen=True)
class Tagging:
    category: str | None
    category_confidence: float
    category_terms: tuple[str, ...]
    abstained: bool
    kecamatan_code: str | None
    kecamatan_name: str | None
    desa_code: str | None
    desa_name: str | None
    location_confidence: float
    location_span: str | None
    outside_kabupaten: bool
    unclear: bool
    unclear_reasons: tuple[str, ...]
    pii_kinds: tuple[str, ...]
    masked_text: str
    normalized_text: str


class Tagger:
    """The category model, the unclear detector and the location tagger of one model version."""

    def __init__(self, category_model, clarity: ClarityDetector, location: LocationTagger, *,  # noqa: ANN001
                 abstain_below: float = 0.5, version: str | None = None) -> None:
        self.category_model = category_model
        self.clarity = clarity
        self.location = location
        self.abstain_below = abstain_below
        self.version = version

    @classmethod
    def load(cls, model_dir: Path, *, kabupaten: str = "18.01", abstain_below: float = 0.5) -> Tagger:
        read_card(model_dir)
        return cls(load_object(model_dir / "model.skops"), load_object(model_dir / "clarity.skops"),
                   LocationTagger(kabupaten=kabupaten).fit(), abstain_below=abstain_below, version=model_dir.name)

    def tag(self, text: str, *, geo_hint: str | None = None) -> Tagging:
        return self.tag_many([text], [geo_hint])[0]

    def tag_many(self, texts: Sequence[str], geo_hints: Sequence[str | None] | None = None,
                 *, with_terms: bool = True) -> list[Tagging]:
        texts = [str(t) for t in texts]
        if not texts:
            return []
        hints = list(geo_hints) if geo_hints is not None else [None] * len(texts)
        probabilities = self.category_model.predict_proba(texts)
        clarity = self.clarity.assess_many(texts)
        return [self._one(text, hint, row, verdict, with_terms)
                for text, hint, row, verdict in zip(texts, hints, probabilities, clarity, strict=True)]

    def _one(self, text: str, hint: str | None, probabilities: np.ndarray, verdict, with_terms: bool) -> Tagging:  # noqa: ANN001
        best = int(np.argmax(probabilities))
        confidence = float(probabilities[best])
        place = self.location.tag(text, hint)
        terms = tuple(t for t, _ in self.category_model.explain(text)) if with_terms else ()
        return Tagging(
            category=str(self.category_model.classes_[best]),
            category_confidence=confidence,
            category_terms=terms,
            abstained=confidence < self.abstain_below,
            kecamatan_code=place.kecamatan.code if place.kecamatan else None,
            kecamatan_name=place.kecamatan.name if place.kecamatan else None,
            desa_code=place.desa.code if place.desa else None,
            desa_name=place.desa.name if place.desa else None,
            location_confidence=place.confidence,
            location_span=place.matched,
            outside_kabupaten=place.outside_kabupaten,
            unclear=verdict.unclear,
            unclear_reasons=verdict.reasons,
            pii_kinds=tuple(sorted({span.kind for span in find_pii(text)})),
            masked_text=mask_pii(text),
            normalized_text=normalize(text),
        )

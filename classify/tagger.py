"""Everything triage needs to know about a post, from one call: category, place, clarity, personal data.

The tagger composes the category model and the unclear detector of one model version with the
location tagger of the configured kabupaten. ``tag_many`` works a batch at a time: the text is
normalised once, the category features, probabilities and explanations are computed for the
whole batch with sparse-matrix operations, and only the location and personal-data scans run
per post.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from classify.category import CategoryClassifier, explain_rows
from classify.clarity import Clarity, ClarityDetector
from classify.location import LocationMatch, LocationTagger
from classify.pii import find_pii, mask_pii
from classify.registry import load_model, load_object
from classify.text import DEFAULT_KABUPATEN, normalizer_for
from classify.train import CLARITY_FILE

#: Posts are tagged in chunks of this many: large enough for vectorised work, small enough for memory.
BATCH = 2048


@dataclass(frozen=True)
class Tagging:
    """The machine's suggestion for one post; every tag carries its confidence or reason.

    ``category`` is the best guess (None for an unclear post); ``abstained`` says its confidence
    is below the threshold, so a person must decide. ``masked_text`` and ``normalized_text``
    never contain personal data.
    """

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
    """The category model and unclear detector of one model version, with a location tagger.

    Parameters
    ----------
    category : CategoryClassifier
        A fitted category model.
    clarity : ClarityDetector
        A fitted unclear detector.
    location : LocationTagger
        A fitted location tagger for the office's kabupaten.
    abstain_below : float
        Category confidence below which the tagger abstains (the post goes to review).
    model_version : str, optional
        Name of the model version, recorded on every report it tags.
    """

    def __init__(self, category: CategoryClassifier, clarity: ClarityDetector, location: LocationTagger, *,
                 abstain_below: float = 0.5, model_version: str | None = None, n_terms: int = 5) -> None:
        self.category = category
        self.clarity = clarity
        self.location = location
        self.abstain_below = abstain_below
        self.model_version = model_version
        self.n_terms = n_terms

    @classmethod
    def load(cls, model_dir: Path, *, kabupaten: str = DEFAULT_KABUPATEN, abstain_below: float = 0.5) -> Tagger:
        """The tagger of a model version directory (see :mod:`classify.registry` for the checks)."""
        model_dir = Path(model_dir)
        category, card = load_model(model_dir)
        clarity = load_object(model_dir / CLARITY_FILE, card)
        location = LocationTagger(kabupaten=kabupaten).fit()
        return cls(category, clarity, location, abstain_below=abstain_below, model_version=model_dir.name)

    @property
    def version(self) -> str | None:
        return self.model_version

    def tag(self, text: str, *, geo_hint: str | None = None) -> Tagging:
        return self.tag_many([text], [geo_hint])[0]

    def tag_many(self, texts: Sequence[str], geo_hints: Sequence[str | None] | None = None) -> list[Tagging]:
        """One Tagging per text, in order; ``geo_hints`` (tweet place or Kemendagri code) win for location."""
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        hints = list(geo_hints) if geo_hints is not None else [None] * len(texts)
        if len(hints) != len(texts):
            raise ValueError(f"{len(hints)} geo hints for {len(texts)} texts")
        out: list[Tagging] = []
        for start in range(0, len(texts), BATCH):
            out.extend(self._batch(texts[start : start + BATCH], hints[start : start + BATCH]))
        return out

    def _batch(self, texts: list[str], hints: list[str | None]) -> list[Tagging]:
        if not texts:
            return []
        normalized = self.category.pipeline_.named_steps["normalize"].transform(texts)
        features = self.category.features_of_normalized(normalized)
        probabilities = self.category.proba_of_features(features)
        best = np.argmax(probabilities, axis=1)
        confidence = probabilities[np.arange(len(texts)), best]
        terms = explain_rows(self.category, features, best, self.n_terms)
        verdicts = self.clarity.assess_many(texts)
        classes = [str(c) for c in self.category.classes_]
        return [
            self._one(text, hint, normal, classes[b], float(c), tuple(t for t, _ in found), verdict)
            for text, hint, normal, b, c, found, verdict
            in zip(texts, hints, normalized, best, confidence, terms, verdicts, strict=True)
        ]

    def _one(self, text: str, hint: str | None, normalized: str, category: str, confidence: float,
             terms: tuple[str, ...], verdict: Clarity) -> Tagging:
        place: LocationMatch = self.location.tag(text, hint)
        spans = find_pii(text)
        masked, kinds = text, ()
        if spans:
            masked = mask_pii(text)
            normalized = normalizer_for(self.category.kabupaten).normalize(masked)
            kinds = tuple(sorted({span.kind for span in spans}))
        kecamatan, desa = place.kecamatan, place.desa
        unclear = verdict.unclear
        return _tagging(
            None if unclear else category,
            round(confidence, 4),
            terms,
            not unclear and confidence < self.abstain_below,
            kecamatan.code if kecamatan else None,
            kecamatan.name if kecamatan else None,
            desa.code if desa else None,
            desa.name if desa else None,
            float(place.confidence),
            place.matched,
            place.outside_kabupaten,
            unclear,
            verdict.reasons,
            kinds,
            masked,
            normalized,
        )


_FIELDS = tuple(field.name for field in fields(Tagging))


def _tagging(*values: object) -> Tagging:
    """``Tagging(*values)`` without the frozen dataclass's per-field ``object.__setattr__`` (a few µs a post)."""
    tagging = object.__new__(Tagging)
    tagging.__dict__.update(zip(_FIELDS, values, strict=True))
    return tagging

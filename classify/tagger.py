"""Everything triage needs to know about a post, from one call: category, place, clarity, personal data.

The tagger composes the category model and the unclear detector of one model version with the
location tagger of the configured kabupaten. ``tag_many`` works a batch at a time: the posts are
split once and each chunk looked up once (:mod:`classify.post_chunks`), which gives the normalised
text, the category features' token numbers and the unclear rules' counts; the category features,
probabilities and explanations are computed for the whole batch with sparse-matrix operations;
one automaton pass over the batch finds the place names and one translation of it the posts that
may hold personal data, so that only posts naming a place or holding a number get a closer look.
Each step gives exactly what its per-post counterpart gives (tests/classify/test_batch_paths.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classify.category import CategoryClassifier, explain_rows
from classify.clarity import ClarityDetector
from classify.clarity_rules import Batch
from classify.location import LocationTagger
from classify.pii import find_pii_many, mask_pii
from classify.post_chunks import PostChunks
from classify.registry import load_model, load_object
from classify.text import DEFAULT_KABUPATEN, normalizer_for
from classify.text_features import TokenVectorizer
from classify.train import CLARITY_FILE

#: Posts are tagged in chunks of this many: large enough for vectorised work, small enough for memory.
BATCH = 2048


@dataclass(frozen=True)
class Tagging:
    """The machine's suggestion for one post; every tag carries its confidence or reason.

    ``category`` is the best guess (None for an unclear post); ``abstained`` says its confidence
    is below the threshold, so a person must decide. ``category_guess`` is the best guess even for
    an unclear post, with ``category_confidence`` and ``category_terms`` its own: some unclear flags
    fall on real complaints (19 of the demo's 49), and the verifikator who says so needs a category.
    ``masked_text`` and ``normalized_text`` never contain personal data.
    """

    category: str | None
    category_guess: str
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
        A fitted unclear detector; it reads hashtags with its own ``kabupaten``'s place names, which
        :meth:`load` sets to the office's.
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
        self._chunks: PostChunks | None = None

    @classmethod
    def load(cls, model_dir: Path, *, kabupaten: str = DEFAULT_KABUPATEN, abstain_below: float = 0.5) -> Tagger:
        """The tagger of a model version directory (see :mod:`classify.registry` for the checks)."""
        model_dir = Path(model_dir)
        category, card = load_model(model_dir)
        clarity = load_object(model_dir / CLARITY_FILE, card).set_params(kabupaten=kabupaten)
        location = LocationTagger(kabupaten=kabupaten).fit()
        tagger = cls(category, clarity, location, abstain_below=abstain_below, model_version=model_dir.name)
        # The model's hundreds of thousands of objects live as long as the process: left in the
        # collector's care, every full collection walks them all again (a fifth of tagging time).
        gc.freeze()
        return tagger

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
        with _collector_paused():
            for start in range(0, len(texts), BATCH):
                out.extend(self._batch(texts[start : start + BATCH], hints[start : start + BATCH]))
        return out

    def _batch(self, texts: list[str], hints: list[str | None]) -> list[Tagging]:
        if not texts:
            return []
        chunks = self._post_chunks()
        if chunks is None:
            normalized, words = self.category.pipeline_.named_steps["normalize"].transform(texts), None
            rules = Batch.of(texts, self.clarity.kabupaten)
            features = self.category.features_of_normalized(normalized)
        else:
            read = chunks.read(texts)
            normalized, rules = read.normalized, read.rules
            words, chars = self.category.vectorizer().blocks_of_numbers(read.tokens, read.token_numbers,
                                                                        read.token_doc, len(texts))
            features = words if chars is None else words + chars
        probabilities = self.category.proba_of_features(features)
        best = np.argmax(probabilities, axis=1)
        confidences = probabilities[np.arange(len(texts)), best]
        terms = explain_rows(self.category, features, best, self.n_terms, weights=False, word_features=words)
        unclear_reasons = self.clarity.reasons_many(texts, rules)
        places = self.location.tag_many(texts, hints)
        pii = find_pii_many(texts)
        classes = [str(c) for c in self.category.classes_]
        kabupaten, abstain_below = self.category.kabupaten, self.abstain_below
        out = []
        new, set_fields = object.__new__, object.__setattr__
        for text, normal, b, confidence, found, reasons, place, spans in zip(
            texts, normalized, best.tolist(), confidences.tolist(), terms, unclear_reasons, places, pii, strict=True
        ):
            masked, kinds = text, ()
            if spans:
                masked = mask_pii(text)
                normal = normalizer_for(kabupaten).normalize(masked)
                kinds = tuple(sorted({span.kind for span in spans}))
            kecamatan, desa, unclear = place.kecamatan, place.desa, bool(reasons)
            # Every field of Tagging, without the frozen dataclass's per-field __setattr__ (a µs a post);
            # tests/classify/test_tagger.py rebuilds a Tagging from its fields, so none can be missing.
            tagging = new(Tagging)
            set_fields(tagging, "__dict__", {
                "category": None if unclear else classes[b],
                "category_guess": classes[b],
                "category_confidence": round(confidence, 4),
                "category_terms": tuple(found),
                "abstained": not unclear and confidence < abstain_below,
                "kecamatan_code": kecamatan.code if kecamatan else None,
                "kecamatan_name": kecamatan.name if kecamatan else None,
                "desa_code": desa.code if desa else None,
                "desa_name": desa.name if desa else None,
                "location_confidence": float(place.confidence),
                "location_span": place.matched,
                "outside_kabupaten": place.outside_kabupaten,
                "unclear": unclear,
                "unclear_reasons": reasons,
                "pii_kinds": kinds,
                "masked_text": masked,
                "normalized_text": normal,
            })
            out.append(tagging)
        return out

    def _post_chunks(self) -> PostChunks | None:
        """The batch reader shared by the stages; None for a category model whose features are not
        the token TF-IDF alone (a prior's scores): those posts are read stage by stage."""
        if not isinstance(self.category.pipeline_.named_steps["features"], TokenVectorizer):
            return None
        if self._chunks is None or self._chunks.full() or self._chunks.rules.kabupaten != self.clarity.kabupaten:
            kabupaten = self.category.pipeline_.named_steps["normalize"].kabupaten
            self._chunks = PostChunks(normalizer_for(kabupaten), self.category.vectorizer(), self.clarity.kabupaten)
        return self._chunks


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch is tagged: it makes no reference cycles, only
    many small objects that are freed (or cached) by reference counting, and collections
    triggered by their allocation would walk the growing caches again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

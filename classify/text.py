"""Normalisation of informal social-media Indonesian, and the cached stemmer behind the features.

Rules are deliberately conservative: slang and abbreviations are rewritten only from the
lexicon in `classify/lexicon/slang.tsv` (pilah's own list, so `kel.` means kelurahan, never
"keluarga"); there is no fuzzy spelling correction (it turns "kalianda" into "kalian"); tokens
with digits are left alone (`2mgg`, `rt03`); place names are never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from sklearn.base import BaseEstimator, TransformerMixin

_TOKEN = re.compile(r"https?://\S+|www\.\S+|[@#][\w]+|[\w]+(?:[.\-'][\w]+)*\.?|\S", re.UNICODE)
_REDUPLICATED = re.compile(r"^([a-z]{2,})2$")
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_WORD = re.compile(r"[a-z][a-z\-]*")
_NOT_WORDS = ("http://", "https://", "www.", "@", "#")
STEM_CACHE_SIZE = 200_000


def _lexicon_lines(name: str) -> list[list[str]]:
    text = resources.files("classify").joinpath("lexicon", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def slang() -> dict[str, str]:
    return {row[0]: row[1] for row in _lexicon_lines("slang.tsv") if len(row) == 2}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(row[0] for row in _lexicon_lines("stopwords.txt"))


@lru_cache(maxsize=1)
def stem_exceptions() -> dict[str, str]:
    return {row[0]: row[1] for row in _lexicon_lines("stem_exceptions.tsv") if len(row) == 2}


@lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202 - Sastrawi has no types
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=1)
def root_words() -> frozenset[str]:
    """Sastrawi's dictionary of Indonesian root words, used to split hashtags."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(w for w in StemmerFactory().get_words() if len(w) >= 3)


def normalize(text: str) -> str:
    """Lowercased, slang expanded, reduplication and elongation undone; links, @ and # kept."""
    out: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        out.extend(_normal_token(token))
    return " ".join(out)


def _normal_token(token: str) -> list[str]:
    if token.startswith(("http://", "https://", "www.", "@")):
        return [token]
    if token.startswith("#"):
        return [token, *split_hashtag(token[1:])]
    if token in slang():
        return [slang()[token]]
    if any(ch.isdigit() for ch in token):
        doubled = _REDUPLICATED.match(token)
        return [f"{doubled.group(1)}-{doubled.group(1)}"] if doubled else [token]
    squeezed = _ELONGATED.sub(r"\1", token)
    return [slang().get(squeezed, squeezed)]


def split_hashtag(tag: str) -> list[str]:
    """`jalanrusak` → jalan rusak when every part is a known root word; otherwise nothing."""
    words = root_words()
    best: list[list[str] | None] = [[]] + [None] * len(tag)
    for end in range(1, len(tag) + 1):
        for start in range(max(0, end - 15), end):
            part = tag[start:end]
            if best[start] is not None and part in words:
                candidate = [*best[start], part]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    found = best[len(tag)]
    return found if found and len(found) > 1 else []


@lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(word: str) -> str:
    """Sastrawi's stem, cached (most posts reuse the same few thousand words), with our exceptions."""
    if word in stem_exceptions():
        return stem_exceptions()[word]
    return _stemmer().stem(word) or word


def tokens(text: str) -> list[str]:
    """Normalised, stemmed words without stopwords: the category model's word features."""
    stops = stopwords()
    words = (w for part in normalize(text).split() if not part.startswith(_NOT_WORDS) for w in _WORD.findall(part))
    return [stem(w) for w in words if w not in stops and len(w) > 1]


class TextNormalizer(TransformerMixin, BaseEstimator):
    """`normalize` as a Pipeline step."""

    def fit(self, X: Iterable[str], y: object = None) -> TextNormalizer:
        self.n_features_in_ = 1
        return self

    def transform(self, X: Iterable[str]) -> list[str]:
        return [normalize(str(x)) for x in X]

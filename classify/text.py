"""Normalisation of informal social-media Indonesian, and the cached stemmer behind the features.

Issue 3, item 1. The rules are deliberately conservative:

- lowercase, but URLs are kept verbatim and @mentions/#hashtags stay one token each; a hashtag
  is followed by its words when the lexicon knows every part (``#jalanrusak`` → ``#jalanrusak
  jalan rusak``);
- reduplication written with a 2 is spelled out (``rusak2`` → ``rusak-rusak``, ``kata2nya`` →
  ``kata-katanya``); elongation is undone (``parahhh`` → ``parah``), never inside a token with
  digits (``2mgg`` → ``2 minggu``) nor in a place name;
- slang and abbreviations come from the lexicon (:mod:`classify.text_lexicon`): ``kel.`` →
  kelurahan, ``kk`` stays; place names are never rewritten; there is no fuzzy spelling
  correction (it turns "kalianda" into "kalian").

Everything is cached per distinct whitespace-separated chunk and token, so a post usually costs a
split and dictionary look-ups.
:func:`normalize` is idempotent: normalising normalised text changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from classify.lookalikes import INVISIBLE
from classify.text_lexicon import Lexicon, load_lexicon

DEFAULT_KABUPATEN = "18.01"
#: Distinct tokens remembered per normaliser, and stems remembered: bounded so memory is too.
TOKEN_CACHE_SIZE = 200_000
STEM_CACHE_SIZE = 200_000

#: A rough cut into pieces (links, e-mail addresses, @handles, hashtags, words); each distinct piece
#: is then cut exactly, once, by the cached :meth:`Normaliser._piece`. Rough is fast: a post costs µs.
_PIECE = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@\w+|[#\w][\w-]*", re.IGNORECASE)
#: The same cut without e-mail addresses, and without links or "@": trying the e-mail alternative at
#: every word costs more than the rest of the cut, and few posts have an address.
_HANDLE_PIECE = re.compile(r"(?:https?://|www\.)\S+|@\w+|[#\w][\w-]*", re.IGNORECASE)
_SIMPLE_PIECE = re.compile(r"[#\w][\w-]*")
_EMAIL_HINT = re.compile(r"[\w.+-]@")
_TAG_HEAD = re.compile(r"#\w+")
_MENTION = re.compile(r"@\w+")
_TAG_TOKEN = re.compile(r"#\S+")
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_RUN = re.compile(r"([^\W\d_])\1{2,}")
_REDUPLICATED = re.compile(r"([^\W\d_]{3,})2([^\W\d_]{0,3})")
_NUMBER_UNIT = re.compile(r"(\d+)([^\W\d_]+)")
_PREFIX_NUMBER = re.compile(r"(rt|rw|no|gg|km|dsn|dusun|blok)(\d+)")
_ROMAN = re.compile(r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_URL_TRAIL = ".,;:!?)]}'\""
_NOT_FEATURES = ("http://", "https://", "www.")
_MAX_HASHTAG = 40


class Normaliser:
    """One lexicon and its token cache; :func:`normalizer_for` shares one per kabupaten."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._pieces = _Cache(lambda piece: " ".join(self._piece(piece)))
        self._repeats = _Cache(self._repeat)
        # No piece spans whitespace and the cuts look at no context, so a post's pieces are its
        # whitespace-separated chunks' pieces: each distinct chunk is cut once.
        self.chunks = _Cache(self.normal_chunk)

    def normalize(self, text: str) -> str:
        out = " ".join(filter(None, map(self.chunks.__getitem__, text.split())))
        return self.drop_repeated_expansions(out) if "#" in out else out

    def normal_chunk(self, chunk: str) -> str:
        """One whitespace-free chunk of a post, normalised ("" when nothing of it is kept).

        The clean-up (invisible characters, compatibility forms, apostrophes) is done per chunk, as none
        of it reaches across whitespace. NFKC may put a space inside a chunk ("¨" is a space and a
        combining mark); the cut never matches whitespace, so the parts come out apart all the same."""
        if not chunk.isascii():
            chunk = _INVISIBLE.sub("", chunk)
            if not unicodedata.is_normalized("NFKC", chunk):
                chunk = unicodedata.normalize("NFKC", chunk)
        if "'" in chunk or "’" in chunk:
            chunk = chunk.replace("'", "").replace("’", "")
        return self._chunk(chunk, _pattern_for(chunk))

    def _chunk(self, chunk: str, pattern: re.Pattern[str]) -> str:
        return " ".join(filter(None, map(self._pieces.__getitem__, pattern.findall(chunk))))  # "_" has no words

    def _piece(self, piece: str) -> tuple[str, ...]:
        if piece[:4].lower() in ("http", "www."):
            return (piece.rstrip(_URL_TRAIL) or piece,)
        lowered = piece.lower()
        if "@" in lowered:
            return self._handle(lowered)
        if lowered[0] == "#":
            tag = _TAG_HEAD.match(lowered)
            if tag is None:
                return self._words(lowered[1:])
            rest = lowered[tag.end() :]
            return (tag.group(), *self.hashtag_words(tag.group()[1:]), *(self._words(rest) if rest else ()))
        return self._words(lowered)

    def _handle(self, lowered: str) -> tuple[str, ...]:
        """An @mention (cut again after lowercasing: "İ" lowercases to two characters) or an e-mail address."""
        if lowered[0] != "@":
            return (lowered,) if lowered.isascii() else self._words(lowered)
        head = _MENTION.match(lowered)
        if head is None:
            return self._words(lowered[1:])
        return (head.group(), *self._words(lowered[head.end() :]))

    def _words(self, text: str) -> tuple[str, ...]:
        """The exact words of a rough piece: underscores and stray hyphens split, and lowercasing
        can produce combining marks that split a non-ASCII word again."""
        if text.isascii() and text.isalnum():
            return self.word(text)
        return tuple(w for part in _WORD.findall(text) for w in self.word(part))

    def word(self, word: str) -> tuple[str, ...]:
        """One lowercase word: slang, reduplication, number+unit and elongation handled."""
        lex = self.lexicon
        if word in lex.places:
            return (word,)
        if word in lex.replacements:
            return lex.replacements[word]
        if "-" in word:
            return self._hyphenated(word)
        if not word.isalpha():
            return self._with_digits(word)
        shorter = self._deelongated(word)
        return self.word(shorter) if shorter != word else (word,)

    def _hyphenated(self, word: str) -> tuple[str, ...]:
        first, _, rest = word.partition("-")
        if "-" not in rest and rest.startswith(first):  # rusak-rusak, kata-katanya: one word
            return (word,)
        return tuple(w for part in word.split("-") if part for w in self.word(part))

    def _with_digits(self, word: str) -> tuple[str, ...]:
        doubled = _REDUPLICATED.fullmatch(word)
        if doubled and self._reduplicable(doubled.group(1)):
            base = self.word(doubled.group(1))[0]
            return (f"{base}-{base}{doubled.group(2)}",)
        unit = _NUMBER_UNIT.fullmatch(word)
        if unit and unit.group(2) in self.lexicon.units:
            return (unit.group(1), *self.word(unit.group(2)))
        prefix = _PREFIX_NUMBER.fullmatch(word)
        if prefix:
            return (*self.word(prefix.group(1)), prefix.group(2))
        return (word,)

    def _reduplicable(self, base: str) -> bool:
        words = self.word(base)
        return (len(words) == 1 and words[0] != base) or (base in self.lexicon.known and base not in self.lexicon.units)

    def _deelongated(self, word: str) -> str:
        """parahhh → parah; maaaf → maaf (the shorter known spelling wins); parahh → parah.
        A Roman numeral is not elongated: "Dusun III" is hamlet 3, "viii" is 8."""
        if _ROMAN.fullmatch(word):
            return word
        known = self.lexicon.known
        if _RUN.search(word):
            single, double = _RUN.sub(r"\1", word), _RUN.sub(r"\1\1", word)
            if single in known or double not in known:
                return single
            return double
        if len(word) >= 4 and word[-1] == word[-2] and word not in known and word[:-1] in known:
            return word[:-1]
        return word

    def hashtag_words(self, body: str) -> tuple[str, ...]:
        """The words of a hashtag body when the lexicon knows every part, else nothing."""
        if not body or len(body) > _MAX_HASHTAG or not body.isalpha():
            return ()
        if body in self.lexicon.places or body in self.lexicon.replacements or body in self.lexicon.known:
            return self.word(body)
        parts = _split_known(body, self.lexicon.known)
        return tuple(w for part in parts for w in self.word(part)) if parts else ()

    def expands(self, normal: str) -> bool:
        """Whether normalised text holds a hashtag followed by its words: only then may a repeat of
        the words after it need dropping (:meth:`drop_repeated_expansions`)."""
        return any(self._repeats[tag] for tag in _TAG_TOKEN.findall(normal))

    def drop_repeated_expansions(self, out: str) -> str:
        """A hashtag's words written again right after it are kept once: keeps normalize idempotent."""
        padded = None
        for tag in set(_TAG_TOKEN.findall(out)):
            if len(self._pieces[tag]) == len(tag):  # most hashtags: nothing expanded, nothing to repeat
                continue
            repeat = self._repeats[tag]
            if repeat:
                twice, once = repeat
                padded = f" {out} " if padded is None else padded
                while twice in padded:  # replace() skips overlapping repeats, hence the loop
                    padded = padded.replace(twice, once)
        return out if padded is None else padded[1:-1]

    def _repeat(self, tag: str) -> tuple[str, str] | None:
        """(" #tag words words ", " #tag words ") for a hashtag the normaliser expands, else None."""
        words = self._pieces[tag][len(tag) + 1 :]
        return (f" {tag} {words} {words} ", f" {tag} {words} ") if words else None


def _pattern_for(text: str) -> re.Pattern[str]:
    if "@" in text:
        return _PIECE if _EMAIL_HINT.search(text) else _HANDLE_PIECE
    return _HANDLE_PIECE if "://" in text or "www." in text or "WWW." in text else _SIMPLE_PIECE


class _Cache(dict):
    """piece → its normalised words joined by spaces; computes on a miss, forgets all when full (bounded)."""

    def __init__(self, compute) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: str) -> str:
        if len(self) >= TOKEN_CACHE_SIZE:
            self.clear()
        value = self[key] = self.compute(key)
        return value


def _split_known(body: str, known: frozenset[str]) -> list[str] | None:
    """Fewest known words (3+ letters each) that spell ``body``; None if there is no such split."""
    best: list[list[str] | None] = [[]] + [None] * len(body)
    for end in range(3, len(body) + 1):
        for start in range(max(0, end - 20), end - 2):
            head = best[start]
            if head is not None and body[start:end] in known and (best[end] is None or len(head) + 1 < len(best[end])):
                best[end] = [*head, body[start:end]]
    return best[-1]


@lru_cache(maxsize=8)
def normalizer_for(kabupaten: str = DEFAULT_KABUPATEN) -> Normaliser:
    """The shared normaliser whose lexicon protects ``kabupaten``'s place names."""
    return Normaliser(load_lexicon(kabupaten))


def normalize(text: str) -> str:
    """The normalised text: lowercase tokens separated by single spaces (see the module docstring)."""
    return normalizer_for().normalize(text)


# -- features: stems without stopwords -------------------------------------------------------------


@lru_cache(maxsize=1)
def _sastrawi():
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    # Sastrawi's own CachedStemmer never forgets; this one's cache is the bounded lru_cache below.
    return Stemmer(ArrayDictionary(StemmerFactory().get_words()))


@lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(word: str) -> str:
    """Sastrawi's stem with pilah's exceptions (``kerusakan`` → rusak, not "rusa"); place names kept."""
    lex = load_lexicon(DEFAULT_KABUPATEN)
    if word in lex.stem_exceptions:
        return lex.stem_exceptions[word]
    if word in lex.places or not word.replace("-", "").isalpha():
        return word
    return _sastrawi().stem_word(word) or word


def feature_token(token: str, stopwords: frozenset[str], places: frozenset[str] = frozenset()) -> str | None:
    """What one normalised token contributes to the word features: its stem, itself, or nothing.

    ``places`` are the office's place words, kept whole: :func:`stem` keeps Lampung Selatan's, and
    another kabupaten's "kejobong" must not become "jobong", nor "larangan" the word "larang"."""
    if token.startswith(_NOT_FEATURES) or ("@" in token and token[0] != "@"):
        return None
    if token[0] in "@#":
        return token if len(token) > 2 else None
    if len(token) < 2 or token in stopwords or not any(ch.isalpha() for ch in token):
        return None
    return token if token in places else stem(token)


def tokens(text: str) -> list[str]:
    """Normalised, stemmed words without stopwords: the category model's word features."""
    stops = load_lexicon(DEFAULT_KABUPATEN).stopwords
    found = (feature_token(token, stops) for token in normalize(text).split())
    return [token for token in found if token]


class TextNormalizer(TransformerMixin, BaseEstimator):
    """:func:`normalize` as a Pipeline step.

    Parameters
    ----------
    kabupaten : str
        Kemendagri code whose place names the normaliser protects from rewriting.
    """

    def __init__(self, kabupaten: str = DEFAULT_KABUPATEN) -> None:
        self.kabupaten = kabupaten

    def fit(self, X: Iterable[str] | None = None, y: object = None) -> TextNormalizer:
        """Loads the lexicon (nothing is learned from ``X``)."""
        self.n_places_ = len(normalizer_for(self.kabupaten).lexicon.places)
        return self

    def transform(self, X: Iterable[str]) -> list[str]:
        check_is_fitted(self, "n_places_")
        if isinstance(X, str):
            raise TypeError("expected an iterable of texts, got one string; wrap it in a list")
        normalise = normalizer_for(self.kabupaten).normalize
        return [normalise(text if isinstance(text, str) else str(text)) for text in X]

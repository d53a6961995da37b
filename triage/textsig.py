"""Text signatures for duplicate detection: a normal form, its hash, word shingles, similarity.

This is deliberately not classify's normaliser: a duplicate signature must stay the same when
the model (and its normaliser) is retrained, or old and new reports would stop matching.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable
from itertools import pairwise

_RETWEET_PREFIX = re.compile(r"^rt @\w+:?\s*")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION_OR_TAG = re.compile(r"[@#]\w+")
_REPEATED_LETTER = re.compile(r"([a-z])\1{2,}")
_TOKEN = re.compile(r"[a-z0-9]+")
#: "lubang2" is "lubang-lubang", written the way citizens write it.
_REDUPLICATED = re.compile(r"([a-z]{3,})2")
#: "jalannya" is about "jalan"; words ending in "tanya" (bertanya, ditanya) keep their ending.
_NYA = re.compile(r"(?!.*tanya$)([a-z]{4,})nya")
#: Distinct words folded and remembered; past this many, new ones are folded each time they come.
FOLD_CACHE_SIZE = 200_000

# Spellings citizens use for the same word; folded so "sdh" and "sudah" shingle alike.
_SPELLINGS = {
    "sdh": "sudah", "udh": "sudah", "udah": "sudah", "dah": "sudah", "blm": "belum", "jln": "jalan",
    "jl": "jalan", "ds": "desa", "kec": "kecamatan", "kab": "kabupaten", "sy": "saya", "aku": "saya",
    "gk": "tidak", "ga": "tidak", "gak": "tidak", "nggak": "tidak", "tdk": "tidak", "yg": "yang",
    "dgn": "dengan", "dg": "dengan", "utk": "untuk", "tp": "tapi", "jg": "juga", "dr": "dari",
    "pd": "pada", "mhn": "mohon", "tlg": "tolong", "tolg": "tolong", "kpn": "kapan", "bgt": "banget",
    "krn": "karena", "karna": "karena", "sm": "sama", "bnyk": "banyak", "byk": "banyak", "skrg": "sekarang",
    "trs": "terus", "lg": "lagi", "org": "orang", "ujan": "hujan", "taun": "tahun", "thn": "tahun",
    "smua": "semua", "smpe": "sampai", "sampe": "sampai", "trmksh": "terima kasih", "tks": "terima kasih",
    "makasih": "terima kasih", "wrg": "warga", "pak": "pak", "bpk": "pak", "bapak": "pak",
}

# Words that say nothing about what a complaint is about (used for the same-author check only).
_FUNCTION_WORDS = frozenset(
    {
        "yang", "dan", "di", "ke", "dari", "pada", "untuk", "dengan", "ini", "itu", "saya", "kami", "kita", "pak",
        "bu", "ibu", "min", "admin", "mohon", "tolong", "sudah", "belum", "tidak", "juga", "lagi", "ada", "apa",
        "kapan", "kok", "sih", "dong", "ya", "tapi", "karena", "sama", "banget", "terima", "kasih", "bupati",
        "pemkab", "lampung", "selatan", "lamsel", "warga", "desa", "kecamatan", "kabupaten", "jalan"
    }
)

_SENTENCE_END = re.compile(r"[.!?\n]+")

SHINGLE_SIZE = 2
#: A sentence at least this long, shared word for word, makes two posts worth comparing (`sentence_keys`).
MIN_SENTENCE_TOKENS = 6
#: Fewer tokens than this and a text is too short for its hash or shingles to mean "the same complaint".
MIN_TOKENS = 3


def tokens(text: str) -> list[str]:
    """Lower-case words of a post without retweet prefix, links, mentions, hashtags or stretched letters,
    with "anak2" written out and "-nya" dropped (so "lubang2 di jalannya" repeats "lubang-lubang di jalan").

    Every post is tokenised once on the duplicate path, so the passes a text cannot need (NFKC of
    plain ASCII, link and mention removal without their markers) are skipped, and each distinct
    word is folded once (`fold`, remembered in `_FOLDED`) and joined and split with the rest.
    """
    folded = text.casefold() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    if folded.startswith("rt @"):
        folded = _RETWEET_PREFIX.sub("", folded)
    if "://" in folded or "www." in folded:
        folded = _URL.sub(" ", folded)
    if "@" in folded or "#" in folded:
        folded = _MENTION_OR_TAG.sub(" ", folded)
    found = _TOKEN.findall(_REPEATED_LETTER.sub(r"\1", folded))
    words = list(map(_FOLDED.get, found))
    if None in words:
        words = [word if word is not None else _remember(seen) for word, seen in zip(words, found, strict=True)]
    return " ".join(words).split()


def fold(word: str) -> str:
    """One word as duplicates compare it: reduplication written out, "-nya" dropped, spellings folded."""
    twice = _REDUPLICATED.fullmatch(word)
    parts = [twice[1]] * 2 if twice else [word]
    return " ".join(_SPELLINGS.get(part, part) for part in map(_without_nya, parts))


def _without_nya(word: str) -> str:
    stem = _NYA.fullmatch(word)
    return stem[1] if stem else word


def _remember(word: str) -> str:
    folded = fold(word)
    if len(_FOLDED) < FOLD_CACHE_SIZE:
        _FOLDED[word] = folded
    return folded


_FOLDED: dict[str, str] = {}


def sentence_keys(text: str, words: list[str]) -> list[int]:
    """A stable key (CRC32 of its tokens) per sentence of at least MIN_SENTENCE_TOKENS tokens.

    A complaint repeated with a greeting or a sentence added may share too few word pairs with the
    first post to be sure of a shared LSH bucket, but it shares whole sentences: these keys make the
    two candidates every time, and the containment check decides. `words` are the whole text's
    tokens, which are its one sentence when nothing splits it.
    """
    parts = [part for part in _SENTENCE_END.split(text) if part.strip()]
    sentences = [words] if len(parts) <= 1 else [tokens(part) for part in parts]
    return sorted({zlib.crc32(" ".join(sentence).encode()) for sentence in sentences
                   if len(sentence) >= MIN_SENTENCE_TOKENS})


def normal_form(text: str) -> str:
    return " ".join(tokens(text))


def text_hash(text: str) -> str | None:
    """SHA-256 of the normal form; None when too little is left to call two texts the same."""
    return words_hash(tokens(text))


def words_hash(words: list[str]) -> str | None:
    """`text_hash` of already tokenised text, so a signature tokenises each post once."""
    if len(words) < MIN_TOKENS:
        return None
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def shingles(words: list[str], size: int = SHINGLE_SIZE) -> frozenset[str]:
    if len(words) < size:
        return frozenset(words)
    if size == 2:  # the hot path: pairwise avoids a slice per shingle
        return frozenset(map(" ".join, pairwise(words)))
    return frozenset(" ".join(words[i:i + size]) for i in range(len(words) - size + 1))


def content_words(words: Iterable[str]) -> frozenset[str]:
    return frozenset(w for w in words if w not in _FUNCTION_WORDS and len(w) > 1)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller set found in the larger: high when one text is the other plus a sentence."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))

"""The rule half of the unclear detector: lexicons and the checks that need no model.

Rules catch what a word list can decide (greeting only, too short, only @mentions/links/hashtags,
promotion and online-gambling spam); the model in :mod:`classify.clarity` decides the rest
(no complaint in it, off-topic chatter). The word lists are in :mod:`classify.clarity_lexicon`;
their counts are also model features (:func:`cue_counts`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from typing import Any

import numpy as np

from classify.clarity_lexicon import (
    DIGIT_BIT,
    GREETING,
    GREETING_FLAG,
    POSITIVE_FLAG,
    PROBLEM_FLAG,
    SPAM_FLAG,
    SPAM_STRONG,
    SPAM_STRONG_BIT,
    SPAM_WEAK,
    SPAM_WEAK_BIT,
    TOPIC_FLAG,
    WORD_BITS,
    flags,
)

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"[@#]\w+")
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*|[0-9]+")
_PHONE_OR_WA = re.compile(r"(?:\+62|\b0)8\d{7,11}\b|\bwa\.me/", re.IGNORECASE)


@dataclass(frozen=True)
class Words:
    """What the rules see of a post: its words (lowercased) and how much was handles or links."""

    words: tuple[str, ...]
    handles: int
    links: int
    contact: bool


@lru_cache(maxsize=16384)
def words_of(text: str) -> Words:
    """The rules' view of a post; cached because the model's features and the rules both ask for it.

    Links, handles, phone numbers and words never span whitespace, so each distinct
    whitespace-separated chunk is read once (:class:`_Chunks`) and a post is its chunks put together.
    """
    chunks = text.split()
    _CHUNKS.forget_if_full()
    words = tuple(chain.from_iterable(map(_CHUNKS.__getitem__, chunks)))
    special = [found for found in map(_CHUNKS.special.get, chunks) if found]
    if not special:
        return Words(words, 0, 0, False)
    handles, links, contact = zip(*map(_unpacked, special), strict=True)
    return Words(words, sum(handles), sum(links), any(contact))


#: Distinct chunks remembered; bounded so memory is too.
CHUNK_CACHE_SIZE = 200_000
_HANDLE_SHIFT = 20


class _Chunks(dict):
    """chunk → its words; a chunk with handles, links or a phone number also gets ``special[chunk]``,
    those three counts packed in one int (:func:`_unpacked`) so that a batch reads them with one ``map``."""

    def __init__(self) -> None:
        super().__init__()
        self.special: dict[str, int] = {}

    def forget_if_full(self) -> None:
        """Only between calls, so that the chunks being read and their ``special`` entries stay together."""
        if len(self) >= CHUNK_CACHE_SIZE:
            self.clear()
            self.special.clear()

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        text, links, handles = chunk, 0, 0
        if "://" in text or "www." in text.lower():
            links = len(_URL.findall(text))
            text = _URL.sub(" ", text)
        if "@" in text or "#" in text:
            handles = len(_HANDLE.findall(text))
            text = _HANDLE.sub(" ", text)
        contact = ("8" in text or "wa.me" in text.lower()) and bool(_PHONE_OR_WA.search(text))
        if handles or links or contact:
            self.special[chunk] = (handles << _HANDLE_SHIFT) | (links << 1) | contact
        words = self[chunk] = tuple(_WORD.findall(text.lower()))
        return words


def _unpacked(packed: Any) -> tuple[Any, Any, Any]:
    """(handles, links, contact) of packed ``special`` values: one int, or an array of them."""
    return packed >> _HANDLE_SHIFT, (packed >> 1) & ((1 << (_HANDLE_SHIFT - 1)) - 1), packed & 1


_CHUNKS = _Chunks()


def rule_reasons(seen: Words, min_words: int) -> tuple[str, ...]:
    """Reason codes the rules alone can give; empty when the model must decide."""
    words = seen.words
    if not words:
        return ("mentions_only",) if seen.handles or seen.links else ("too_short",)
    if _is_spam(seen):
        return ("spam",)
    content = [w for w in words if w not in GREETING and not w.isdigit()]
    if not content:
        return ("greeting_only",)
    problem = sum(1 for w in content if flags(w) & PROBLEM_FLAG)
    if len(content) < min_words and not (problem and len(content) >= 2):
        return ("too_short",)
    return ()


def _is_spam(seen: Words) -> bool:
    strong = sum(w in SPAM_STRONG for w in seen.words)
    weak = sum(w in SPAM_WEAK for w in seen.words) + (seen.contact or seen.links > 0)
    if strong >= 2:
        return True
    problem = sum(1 for w in seen.words if flags(w) & PROBLEM_FLAG)
    return 2 * strong + weak >= 3 and problem < 2


def cue_counts(seen: Words) -> tuple[int, int, int, int, int, int]:
    """(problem, positive, topic, greeting, spam, words) counts: the lexicon features the model also uses."""
    problem = positive = topic = greeting = spam = 0
    for bits in map(flags, seen.words):
        if bits:
            problem += bits & PROBLEM_FLAG
            positive += (bits & POSITIVE_FLAG) >> 1
            topic += (bits & TOPIC_FLAG) >> 2
            greeting += (bits & GREETING_FLAG) >> 3
            spam += (bits & SPAM_FLAG) >> 4
    return problem, positive, topic, greeting, spam, len(seen.words)


@dataclass(frozen=True)
class Batch:
    """A batch of posts seen by the rules, counted once over all their words with numpy.

    The same counts as :func:`rule_reasons` and :func:`cue_counts` give post by post (and the same
    words as :func:`words_of`), without a Python loop per post or word: every chunk and every word
    is one cached look-up in a C-level ``map``, the rest is ``repeat`` and ``bincount``. ``flat``
    and ``doc`` (each word's post) are kept for the word features.
    """

    n: int
    flat: list[str]
    doc: np.ndarray
    bits: np.ndarray
    marks: np.ndarray
    linked: np.ndarray

    @classmethod
    def of(cls, texts: Sequence[str]) -> Batch:
        n = len(texts)
        _CHUNKS.forget_if_full()
        split = list(map(str.split, texts))
        chunks = list(chain.from_iterable(split))
        read = list(map(_CHUNKS.__getitem__, chunks))
        flat = list(chain.from_iterable(read))
        chunk_doc = np.repeat(np.arange(n), np.fromiter(map(len, split), dtype=np.int64, count=n))
        doc = np.repeat(chunk_doc, np.fromiter(map(len, read), dtype=np.int64, count=len(read)))
        bits = np.fromiter(map(WORD_BITS.__getitem__, flat), dtype=np.int64, count=len(flat))
        packed = np.fromiter(map(_CHUNKS.special.get, chunks, repeat(0)), dtype=np.int64, count=len(chunks))
        handles, links, contact = (np.bincount(chunk_doc, weights=column, minlength=n).astype(np.int64)
                                   for column in _unpacked(packed))
        return cls(n, flat, doc, bits, handles + links, ((contact > 0) | (links > 0)).astype(np.int64))

    def count(self, bit: int, among: int = 0) -> np.ndarray:
        """Per post: words with ``bit`` set and none of the bits in ``among``."""
        hit = (self.bits & bit) != 0 if bit else np.ones(len(self.bits), dtype=bool)
        if among:
            hit &= (self.bits & among) == 0
        return np.bincount(self.doc[hit], minlength=self.n)

    def cue_counts(self) -> np.ndarray:
        """:func:`cue_counts` of every post, one row each."""
        return np.column_stack([self.count(bit) for bit in
                                (PROBLEM_FLAG, POSITIVE_FLAG, TOPIC_FLAG, GREETING_FLAG, SPAM_FLAG, 0)])

    def rule_reasons(self, min_words: int) -> list[tuple[str, ...]]:
        """:func:`rule_reasons` of every post."""
        words = self.count(0)
        strong, weak = self.count(SPAM_STRONG_BIT), self.count(SPAM_WEAK_BIT) + self.linked
        spam = (strong >= 2) | ((2 * strong + weak >= 3) & (self.count(PROBLEM_FLAG) < 2))
        content = self.count(0, among=GREETING_FLAG | DIGIT_BIT)
        named = self.count(PROBLEM_FLAG, among=GREETING_FLAG | DIGIT_BIT) > 0
        short = (content < min_words) & ~(named & (content >= 2))
        empty = words == 0
        codes = np.select(
            [empty & (self.marks > 0), empty, spam, content == 0, short],
            [1, 2, 3, 4, 2],
            default=0,
        )
        return [_RULE_CODES[c] for c in codes.tolist()]


_RULE_CODES = ((), ("mentions_only",), ("too_short",), ("spam",), ("greeting_only",))

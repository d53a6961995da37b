"""The rule half of the unclear detector: lexicons and the checks that need no model.

Rules catch what a word list can decide (greeting only, too short, only @mentions/links/hashtags,
promotion and online-gambling spam, an office's response reported as news); the model in
:mod:`classify.clarity` decides the rest (no complaint in it, off-topic chatter). The word lists are
in :mod:`classify.clarity_lexicon`; their counts are also model features (:func:`cue_counts`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np

from classify.clarity_lexicon import (
    AUTHORITY_BIT,
    DIGIT_BIT,
    GREETING,
    GREETING_FLAG,
    OWN_VOICE_BIT,
    POSITIVE_FLAG,
    PROBLEM_FLAG,
    RESPONSE_BIT,
    SPAM_FLAG,
    SPAM_STRONG,
    SPAM_STRONG_BIT,
    SPAM_WEAK,
    SPAM_WEAK_BIT,
    TOPIC_FLAG,
    UNSPECIFIC,
    WORD_BITS,
    flags,
)
from classify.lookalikes import fold
from classify.text import DEFAULT_KABUPATEN, Normaliser, normalizer_for

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"[@#]\w+")
_HASHTAG = re.compile(r"#([A-Za-z]+)(?!\w)")
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
def words_of(text: str, kabupaten: str = DEFAULT_KABUPATEN) -> Words:
    """The rules' view of a post; cached because the model's features and the rules both ask for it.

    Links, handles, phone numbers and words never span whitespace, so each distinct
    whitespace-separated chunk is read once (:class:`_Chunks`) and a post is its chunks put together.
    ``kabupaten``: whose place names a hashtag may be split into (:func:`problem_hashtag_words`).
    """
    chunks = text.split()
    known = _chunks_of(kabupaten)
    known.forget_if_full()
    words = tuple(chain.from_iterable(map(known.__getitem__, chunks)))
    special = [found for found in map(known.special.get, chunks) if found]
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

    def __init__(self, normaliser: Normaliser) -> None:
        super().__init__()
        self.normaliser = normaliser
        self.special: dict[str, int] = {}

    def forget_if_full(self) -> None:
        """Only between calls, so that the chunks being read and their ``special`` entries stay together."""
        if len(self) >= CHUNK_CACHE_SIZE:
            self.clear()
            self.special.clear()

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        words, packed = _read(chunk, self.normaliser)
        if packed:
            self.special[chunk] = packed
        self[chunk] = words
        return words


def _read(chunk: str, normaliser: Normaliser) -> tuple[tuple[str, ...], int]:
    """(words, handles/links/contact packed in one int) of one whitespace-free chunk."""
    text, links, handles, named = fold(chunk), 0, 0, ()
    if "://" in text or "www." in text.lower():
        text, links = _URL.subn(" ", text)
    if "#" in text:
        named = tuple(w for body in _HASHTAG.findall(text) for w in problem_hashtag_words(body, normaliser))
    if "@" in text or "#" in text:
        text, handles = _HANDLE.subn(" ", text)
    contact = ("8" in text or "wa.me" in text.lower()) and bool(_PHONE_OR_WA.search(text))
    return tuple(_WORD.findall(text.lower())) + named, (handles << _HANDLE_SHIFT) | (links << 1) | contact


def problem_hashtag_words(body: str, normaliser: Normaliser | None = None) -> tuple[str, ...]:
    """The words of a hashtag that names a problem (#jalanrusak, #pupuklangka), else nothing.

    Such a tag is how many citizens state the complaint itself ("Cukup ngga ya? #jalanrusak"), so its
    words are the post's words. Other tags (#LampungSelatan, #LaporBupati) stay mere tags: a greeting
    with one is still a greeting. A tag is split only where ``normaliser``'s lexicon knows every part,
    so whose place names it knows decides whether "#banjirkejobong" names a problem (default: the
    default kabupaten's).
    """
    words = (normaliser or normalizer_for()).hashtag_words(body.lower())
    return words if any(flags(w) & PROBLEM_FLAG and w not in UNSPECIFIC for w in words) else ()


def _unpacked(packed: Any) -> tuple[Any, Any, Any]:
    """(handles, links, contact) of packed ``special`` values: one int, or an array of them."""
    return packed >> _HANDLE_SHIFT, (packed >> 1) & ((1 << (_HANDLE_SHIFT - 1)) - 1), packed & 1


_CHUNKS: dict[str, _Chunks] = {}


def _chunks_of(kabupaten: str) -> _Chunks:
    known = _CHUNKS.get(kabupaten)
    if known is None:
        known = _CHUNKS[kabupaten] = _Chunks(normalizer_for(kabupaten))
    return known


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
    if reports_response(words):
        return ("no_complaint",)
    return ()


def reports_response(words: Sequence[str]) -> bool:
    """Whether a post reports what an office is already doing, in no citizen's voice.

    "Bupati Sidak Jalan Rusak di Way Urang", "Dinas PUPR Kebut Perbaikan Jembatan" name a problem,
    but as news of the response: no request, no "saya"/"kami", no "belum"/"masih" (:data:`OWN_VOICE`).
    A complaint about the same road says what is still wrong, or asks. The seed corpus labels such
    news as no complaint; the rule fires on none of its complaints.
    """
    seen = 0
    for bits in map(WORD_BITS.__getitem__, words):
        if bits & OWN_VOICE_BIT:
            return False
        seen |= bits
    return seen & (AUTHORITY_BIT | RESPONSE_BIT) == AUTHORITY_BIT | RESPONSE_BIT


def _is_spam(seen: Words) -> bool:
    strong = sum(w in SPAM_STRONG for w in seen.words)
    weak = sum(w in SPAM_WEAK for w in seen.words) + (seen.contact or seen.links > 0)
    named = sum(1 for w in seen.words if flags(w) & TOPIC_FLAG)
    problem = sum(1 for w in seen.words if flags(w) & PROBLEM_FLAG)
    return strong >= 2 or 2 * strong + weak >= spam_bar(named, problem)


def spam_bar(named: int | np.ndarray, problem: int | np.ndarray) -> int | np.ndarray:
    """How much advertising vocabulary (a strong word 2, a weak word 1, a link or a number 1) makes a post
    spam, given how many words name a public service or a problem: three with none, two more for each
    service word and one more for each problem word.

    "BPNT blm cair, hub wa 0812…" and a tweet's photo link ("jalan rusak … https://t.co/…") use words
    an advert uses too (cair, daftar, gratis, hub, link); what they name is what a complaint names.
    An advert for rice or loans names a service now and then, but its advertising outweighs it.
    Problem words raise it less, as adverts are full of "tanpa" (tanpa jaminan, tanpa antre)."""
    return 3 + 2 * named + problem


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


class ChunkTable(dict):
    """chunk → number; per number its words (as word numbers) and packed ``special`` counts, per word
    number the word and its bits. A batch is then one ``map`` over its chunks and numpy gathers.

    Numbers only grow; a full table is replaced by a new one (see :meth:`current`), never cleared,
    so a :class:`Batch` made earlier keeps valid numbers. ``kabupaten``: as in :func:`words_of`.
    """

    def __init__(self, kabupaten: str = DEFAULT_KABUPATEN) -> None:
        super().__init__()
        self.kabupaten = kabupaten
        self.normaliser = normalizer_for(kabupaten)
        self.word_numbers: dict[str, int] = {}
        self.words: list[str] = []
        self.word_bits: list[int] = []
        self.chunk_words: list[tuple[int, ...]] = []
        self.chunk_special: list[int] = []
        self.columns: dict[int, tuple[dict[str, int], np.ndarray]] = {}
        self._arrays: tuple[np.ndarray, ...] | None = None

    def __missing__(self, chunk: str) -> int:
        words, packed = _read(chunk, self.normaliser)
        numbers = self.word_numbers
        for word in words:
            if word not in numbers:
                numbers[word] = len(self.words)
                self.words.append(word)
                self.word_bits.append(WORD_BITS[word])
        self.chunk_words.append(tuple(numbers[word] for word in words))
        self.chunk_special.append(packed)
        number = self[chunk] = len(self.chunk_words) - 1
        return number

    def arrays(self) -> tuple[np.ndarray, ...]:
        """(word count, first word position, packed special) per chunk; word numbers of all chunks in
        a row; bits per word. Only what was added since the last call is converted."""
        done = 0 if self._arrays is None else len(self._arrays[0])
        if self._arrays is not None and done == len(self.chunk_words):
            return self._arrays
        chunks = self.chunk_words[done:]
        counts = np.fromiter(map(len, chunks), dtype=np.int64, count=len(chunks))
        offset = len(self._arrays[3]) if done else 0
        parts = (counts, np.cumsum(counts) - counts + offset, np.array(self.chunk_special[done:], dtype=np.int64),
                 np.fromiter(chain.from_iterable(chunks), dtype=np.int64, count=int(counts.sum())))
        known = len(self._arrays[4]) if done else 0
        parts = (*parts, np.array(self.word_bits[known:], dtype=np.int64))
        if done:
            parts = tuple(np.concatenate([old, new]) for old, new in zip(self._arrays, parts, strict=True))
        self._arrays = parts
        return self._arrays

    def column_of(self, vocabulary: dict[str, int]) -> np.ndarray:
        """Per word number, its column in ``vocabulary`` (-1 where it has none)."""
        known, columns = self.columns.get(id(vocabulary), (None, np.zeros(0, dtype=np.int64)))
        if known is not vocabulary:
            columns = np.zeros(0, dtype=np.int64)
        if len(columns) < len(self.words):
            new = self.words[len(columns) :]
            get = vocabulary.get
            columns = np.concatenate([columns, np.fromiter((get(w, -1) for w in new), dtype=np.int64, count=len(new))])
            self.columns[id(vocabulary)] = (vocabulary, columns)
        return columns

    @classmethod
    def current(cls, kabupaten: str = DEFAULT_KABUPATEN) -> ChunkTable:
        """The kabupaten's table in use, a new one when the last grew past :data:`CHUNK_CACHE_SIZE`
        (bounded memory)."""
        table = _TABLES.get(kabupaten)
        if table is None or len(table) >= CHUNK_CACHE_SIZE or len(table.words) >= CHUNK_CACHE_SIZE:
            table = _TABLES[kabupaten] = cls(kabupaten)
        return table


_TABLES: dict[str, ChunkTable] = {}


@dataclass(frozen=True)
class Batch:
    """A batch of posts seen by the rules, counted once over all their words with numpy.

    The same counts as :func:`rule_reasons` and :func:`cue_counts` give post by post (and the same
    words as :func:`words_of`), without a Python loop per post or word: every chunk is one cached
    look-up in a C-level ``map`` giving its number in a :class:`ChunkTable`, the rest is numpy
    gathers, ``repeat`` and ``bincount``. ``words`` (word numbers in ``table``) and ``doc`` (each
    word's post) are kept for the word features.
    """

    n: int
    words: np.ndarray
    doc: np.ndarray
    bits: np.ndarray
    marks: np.ndarray
    linked: np.ndarray
    table: ChunkTable
    _counts: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    @property
    def flat(self) -> list[str]:
        """The words of all posts in a row, as :func:`words_of` gives them."""
        return [self.table.words[i] for i in self.words.tolist()]

    def columns(self, vocabulary: dict[str, int]) -> np.ndarray:
        """Each word's column in a fitted vocabulary, -1 where it has none."""
        return self.table.column_of(vocabulary)[self.words]

    @classmethod
    def of(cls, texts: Sequence[str], kabupaten: str = DEFAULT_KABUPATEN) -> Batch:
        """The batch of ``texts`` read as :func:`words_of` reads them for ``kabupaten``."""
        table = ChunkTable.current(kabupaten)
        split = list(map(str.split, texts))
        lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(texts))
        chunks = np.fromiter(map(table.__getitem__, chain.from_iterable(split)), dtype=np.int64,
                             count=int(lengths.sum()))
        return cls.of_chunks(table, chunks, lengths)

    @classmethod
    def of_chunks(cls, table: ChunkTable, chunks: np.ndarray, lengths: np.ndarray) -> Batch:
        """The batch of posts given as their chunks' numbers in ``table`` and each post's chunk count
        (a caller that has them already, :mod:`classify.post_chunks`, need not split the posts again)."""
        n = len(lengths)
        counts, starts, special, chunk_words, word_bits = table.arrays()
        chunk_doc = np.repeat(np.arange(n), lengths)
        per_chunk = counts[chunks]
        ends = np.cumsum(per_chunk)
        total = int(ends[-1]) if len(ends) else 0
        words = chunk_words[np.repeat(starts[chunks] - (ends - per_chunk), per_chunk) + np.arange(total)]
        doc = np.repeat(chunk_doc, per_chunk)
        handles, links, contact = (np.bincount(chunk_doc, weights=column, minlength=n).astype(np.int64)
                                   for column in _unpacked(special[chunks]))
        return cls(n, words, doc, word_bits[words], handles + links,
                   ((contact > 0) | (links > 0)).astype(np.int64), table)

    def subset(self, rows: Sequence[int]) -> Batch:
        """The batch of the posts ``rows`` (ascending) alone, as :meth:`of` their texts would give it."""
        rows = np.asarray(rows, dtype=np.int64)
        renumbered = np.full(self.n, -1, dtype=np.int64)
        renumbered[rows] = np.arange(len(rows))
        doc = renumbered[self.doc]
        kept = doc >= 0
        return Batch(len(rows), self.words[kept], doc[kept], self.bits[kept], self.marks[rows], self.linked[rows],
                     self.table)

    def count(self, bit: int, among: int = 0) -> np.ndarray:
        """Per post: words with ``bit`` set and none of the bits in ``among`` (remembered: the rules
        and the model's features ask for some of the same counts; the array is shared, read only)."""
        found = self._counts.get((bit, among))
        if found is None:
            if not bit and not among:
                found = np.bincount(self.doc, minlength=self.n)
            else:
                hit = (self.bits & bit) != 0 if bit else np.ones(len(self.bits), dtype=bool)
                if among:
                    hit &= (self.bits & among) == 0
                found = np.bincount(self.doc[hit], minlength=self.n)
            found.flags.writeable = False
            self._counts[bit, among] = found
        return found

    def cue_counts(self) -> np.ndarray:
        """:func:`cue_counts` of every post, one row each."""
        return np.column_stack([self.count(bit) for bit in
                                (PROBLEM_FLAG, POSITIVE_FLAG, TOPIC_FLAG, GREETING_FLAG, SPAM_FLAG, 0)])

    def rule_reasons(self, min_words: int) -> list[tuple[str, ...]]:
        """:func:`rule_reasons` of every post."""
        words = self.count(0)
        strong, weak = self.count(SPAM_STRONG_BIT), self.count(SPAM_WEAK_BIT) + self.linked
        spam = (strong >= 2) | (2 * strong + weak >= spam_bar(self.count(TOPIC_FLAG), self.count(PROBLEM_FLAG)))
        content = self.count(0, among=GREETING_FLAG | DIGIT_BIT)
        named = self.count(PROBLEM_FLAG, among=GREETING_FLAG | DIGIT_BIT) > 0
        short = (content < min_words) & ~(named & (content >= 2))
        empty = words == 0
        response = ((self.count(AUTHORITY_BIT) > 0) & (self.count(RESPONSE_BIT) > 0)
                    & (self.count(OWN_VOICE_BIT) == 0))
        codes = np.select(
            [empty & (self.marks > 0), empty, spam, content == 0, short, response],
            [1, 2, 3, 4, 2, 5],
            default=0,
        )
        return [_RULE_CODES[c] for c in codes.tolist()]


_RULE_CODES = ((), ("mentions_only",), ("too_short",), ("spam",), ("greeting_only",), ("no_complaint",))

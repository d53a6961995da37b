"""The rule half of the unclear detector: lexicons and the checks that need no model.

Rules catch what a word list can decide (greeting only, too short, only @mentions/links/hashtags,
promotion and online-gambling spam); the model in :mod:`classify.clarity` decides the rest
(no complaint in it, off-topic chatter). The word lists are in :mod:`classify.clarity_lexicon`;
their counts are also model features (:func:`cue_counts`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from classify.clarity_lexicon import (
    GREETING,
    GREETING_FLAG,
    POSITIVE_FLAG,
    PROBLEM_FLAG,
    SPAM_FLAG,
    SPAM_STRONG,
    SPAM_WEAK,
    TOPIC_FLAG,
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
    """The rules' view of a post; cached because the model's features and the rules both ask for it."""
    links = 0
    if "://" in text or "www." in text:
        links = len(_URL.findall(text))
        text = _URL.sub(" ", text)
    handles = 0
    if "@" in text or "#" in text:
        handles = len(_HANDLE.findall(text))
        text = _HANDLE.sub(" ", text)
    contact = ("8" in text or "wa.me" in text) and bool(_PHONE_OR_WA.search(text))
    return Words(tuple(_WORD.findall(text.lower())), handles, links, contact)


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

"""Duplicate groups: which earlier report a new one repeats, and how we know.

A group is a canonical report (the earliest) and members linked to it by duplicate_of_id; nothing
is deleted. A new report is compared, in this order, with the reports of the last
`duplicate_window_days`:

1. `retweet` / `quote`: the X payload links it to another tweet (or to a tweet other reports link to);
2. `exact`: the same normal-form text hash (the same SMS sent twice, a copy-paste);
3. `near`: word-shingle Jaccard >= the threshold, or one text contained in the other (the same
   complaint with a sentence added) when both are long enough for that to mean something;
4. `author_repeat`: the same author (same channel account, or the same display name on another
   channel) with enough content words in common, unless the two were classified into different
   categories (one person's birth certificate and unpaid BPNT are two complaints).

A textual match across channels is kind `cross_channel`. Candidates for (3) come from MinHash LSH
buckets (`triage.minhash`); their MinHash signatures estimate every candidate's Jaccard in one numpy
call, and only candidates that could pass (the estimate plus a wide margin) are verified exactly, so
LSH and the estimate only decide what is compared, never what matches. Queries come oldest first (the
pipeline triages oldest post first), so everything older than the current post minus the window can
never match again and is dropped from every index: memory follows the window, not the history. A
report the index no longer holds is looked up in the database by the caller (`canonical_of` returns
None).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from triage import textsig
from triage.minhash import LshBuckets, MinHasher, SignatureStore

#: One text containing this share of the other's shingles is the same complaint with a sentence added...
CONTAINMENT_THRESHOLD = 0.8
#: ...but only when the shorter text has at least this many shingles (short texts contain each other by chance).
CONTAINMENT_MIN_SHINGLES = 8
#: Content-word Jaccard above which two posts by the same author about the same category are one complaint.
AUTHOR_REPEAT_SIMILARITY = 0.3
MIN_SHINGLES = 3
#: Added to a signature's Jaccard estimate before ruling a candidate out: about five standard deviations
#: of the estimate over 150 permutations, so a pair that passes exactly is practically never skipped.
ESTIMATE_MARGIN = 0.2


@dataclass
class Signature:
    """What duplicate detection needs of a report, computed from its post (never from the model's text)."""

    report_id: int
    channel: str
    source_id: str
    created_at: datetime
    author_keys: frozenset[str]
    category: str | None
    text_hash: str | None
    shingles: frozenset[str]
    content: frozenset[str]
    link_kind: str | None = None  # "retweet" | "quote"
    link_ref: str | None = None   # the referenced tweet's source id
    canonical_id: int | None = None
    bands: list[int] | None = field(default=None, repr=False)  # LSH band keys, filled by the index
    minhash: np.ndarray | None = field(default=None, repr=False)
    slot: int | None = field(default=None, repr=False)  # row in the index's SignatureStore while in the window


@dataclass(frozen=True)
class DuplicateMatch:
    canonical_id: int
    matched_id: int
    kind: str
    similarity: float | None


def signature(report_id: int, post, category: str | None) -> Signature:
    """Build a signature from a Post row (or anything with its attributes)."""
    words = textsig.tokens(post.text)
    link_kind, link_ref = _link(post)
    return Signature(
        report_id=report_id, channel=post.channel, source_id=post.source_id, created_at=post.created_at,
        author_keys=author_keys(post.channel, post.author_id, post.author_name), category=category,
        text_hash=textsig.words_hash(words), shingles=textsig.shingles(words),
        content=textsig.content_words(words), link_kind=link_kind, link_ref=link_ref,
    )


def author_keys(channel: str, author_id: str | None, author_name: str | None) -> frozenset[str]:
    keys = set()
    if author_id:
        keys.add(f"id:{channel}:{author_id}")
    name = " ".join((author_name or "").casefold().split())
    if name:
        keys.add(f"name:{name}")
    return frozenset(keys)


def reporter_key(channel: str, author_id: str | None, source_id: str) -> str:
    """Who counts as one reporter: one account on one channel (a copy on another channel is one more)."""
    return f"{channel}:{author_id or source_id}"


def _link(post) -> tuple[str | None, str | None]:
    if post.retweet_of_id:
        return "retweet", post.retweet_of_id
    if post.quote_of_id:
        return "quote", post.quote_of_id
    return None, None


@dataclass
class DuplicateIndex:
    """The reports of the window, indexed by hash, LSH band, author and link, for matching new ones."""

    window: timedelta
    threshold: float
    by_id: dict[int, Signature] = field(default_factory=dict)
    by_source: dict[tuple[str, str], int] = field(default_factory=dict)
    by_hash: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_author: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_link: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    hasher: MinHasher = field(default_factory=MinHasher)
    buckets: LshBuckets = field(default_factory=LshBuckets)  # band key → store slots
    store: SignatureStore = field(init=False, repr=False)
    _expiry: list[tuple[datetime, int]] = field(default_factory=list, repr=False)  # heap of (created_at, id)

    def __post_init__(self) -> None:
        self.store = SignatureStore(self.hasher.bands * self.hasher.rows)

    def add(self, sig: Signature, canonical_id: int | None) -> None:
        sig.canonical_id = canonical_id or sig.report_id
        self.by_id[sig.report_id] = sig
        self.by_source[(sig.channel, sig.source_id)] = sig.report_id
        if sig.text_hash:
            self.by_hash[sig.text_hash].append(sig.report_id)
        if len(sig.shingles) >= MIN_SHINGLES:
            bands = self._bands(sig)
            sig.slot = self.store.put(sig.report_id, sig.minhash, len(sig.shingles), sig.created_at.timestamp())
            self.buckets.add(sig.slot, bands)
        for key in sig.author_keys:
            self.by_author[key].append(sig.report_id)
        if sig.link_ref:
            self.by_link[sig.link_ref].append(sig.report_id)
        heapq.heappush(self._expiry, (sig.created_at, sig.report_id))

    def forget_before(self, horizon: datetime) -> int:
        """Drop every report created before `horizon` from all indexes; returns how many went."""
        dropped = 0
        while self._expiry and self._expiry[0][0] < horizon:
            created_at, report_id = heapq.heappop(self._expiry)
            sig = self.by_id.get(report_id)
            if sig is not None and sig.created_at == created_at:
                self._remove(sig)
                dropped += 1
        return dropped

    def _remove(self, sig: Signature) -> None:
        rid = sig.report_id
        del self.by_id[rid]
        if self.by_source.get((sig.channel, sig.source_id)) == rid:
            del self.by_source[(sig.channel, sig.source_id)]
        if sig.text_hash:
            _discard(self.by_hash, sig.text_hash, rid)
        if sig.slot is not None:
            self.buckets.remove(sig.slot, sig.bands)
            self.store.release(sig.slot)
            sig.slot = None
        for key in sig.author_keys:
            _discard(self.by_author, key, rid)
        if sig.link_ref:
            _discard(self.by_link, sig.link_ref, rid)

    def _bands(self, sig: Signature) -> list[int]:
        if sig.bands is None:
            sig.minhash = self.hasher.signature(sig.shingles).astype(np.uint32)
            sig.bands = self.hasher.band_keys_of(sig.minhash.astype(np.uint64))
        return sig.bands

    def canonical_of(self, report_id: int) -> int | None:
        sig = self.by_id.get(report_id)
        return sig.canonical_id if sig else None

    def match(self, sig: Signature, linked: DuplicateMatch | None = None) -> DuplicateMatch | None:
        """The group this report belongs to, or None when it starts its own.

        `linked` is the match through a retweet/quote link the caller resolved in the database
        (the referenced tweet may be older than the window). Reports more than a window older than
        this one are forgotten first: callers query oldest first, so those can never match again.
        """
        self.forget_before(sig.created_at - self.window)
        return linked or self._linked(sig) or self._exact(sig) or self._near(sig) or self._author(sig)

    def _linked(self, sig: Signature) -> DuplicateMatch | None:
        if not sig.link_ref:
            return None
        target = self.by_source.get(("twitter", sig.link_ref))
        if target is None:
            others = [rid for rid in self.by_link.get(sig.link_ref, []) if rid != sig.report_id]
            target = others[0] if others else None
        if target is None:
            return None
        return self._to_group(sig, target, sig.link_kind or "retweet")

    def _exact(self, sig: Signature) -> DuplicateMatch | None:
        if not sig.text_hash:
            return None
        for other in self.by_hash.get(sig.text_hash, []):
            if self._comparable(sig, other):
                return self._to_group(sig, other, self._kind(sig, other, "exact"), 1.0)
        return None

    def _near(self, sig: Signature) -> DuplicateMatch | None:
        if len(sig.shingles) < MIN_SHINGLES:
            return None
        best: tuple[float, int] | None = None
        for other in self._plausible(sig, self.buckets.candidates(self._bands(sig))):
            if not self._comparable(sig, other):
                continue
            score = near_similarity(sig.shingles, self.by_id[other].shingles, self.threshold)
            if score is not None and (best is None or score > best[0]):
                best = (score, other)
        if best is None:
            return None
        return self._to_group(sig, best[1], self._kind(sig, best[1], "near"), best[0])

    def _plausible(self, sig: Signature, slots: set[int]) -> list[int]:
        """Report ids of the candidate slots whose estimated similarity could pass, within the window, in id order.

        The bound mirrors `near_similarity`: the estimate plus the margin is taken as the Jaccard,
        and the containment that Jaccard would imply for the two set sizes is checked too.
        """
        if not slots:
            return []
        store = self.store
        rows = np.fromiter(slots, dtype=np.int64, count=len(slots))
        high = np.minimum((store.values[rows] == sig.minhash).mean(axis=1) + ESTIMATE_MARGIN, 1.0)
        sizes, own = store.sizes[rows], len(sig.shingles)
        smaller = np.minimum(sizes, own)
        shared = high * (sizes + own) / (1.0 + high)
        could = (high >= self.threshold) | ((smaller >= CONTAINMENT_MIN_SHINGLES)
                                             & (shared >= CONTAINMENT_THRESHOLD * smaller))
        near_in_time = np.abs(store.times[rows] - sig.created_at.timestamp()) <= self.window.total_seconds() + 1
        return sorted(store.items[rows[could & near_in_time]].tolist())

    def _author(self, sig: Signature) -> DuplicateMatch | None:
        candidates = {rid for key in sig.author_keys for rid in self.by_author.get(key, ())}
        best: tuple[float, int] | None = None
        for other in sorted(candidates):
            earlier = self.by_id[other]
            if not self._comparable(sig, other) or _categories_differ(sig.category, earlier.category):
                continue
            score = textsig.jaccard(sig.content, earlier.content)
            if score >= AUTHOR_REPEAT_SIMILARITY and (best is None or score > best[0]):
                best = (score, other)
        if best is None:
            return None
        return self._to_group(sig, best[1], self._kind(sig, best[1], "author_repeat"), best[0])

    def _comparable(self, sig: Signature, other: int) -> bool:
        earlier = self.by_id[other]
        return other != sig.report_id and abs(sig.created_at - earlier.created_at) <= self.window

    def _kind(self, sig: Signature, other: int, same_channel_kind: str) -> str:
        return same_channel_kind if self.by_id[other].channel == sig.channel else "cross_channel"

    def _to_group(self, sig: Signature, other: int, kind: str, similarity: float | None = None) -> DuplicateMatch:
        if similarity is None:
            similarity = textsig.jaccard(sig.shingles, self.by_id[other].shingles)
        return DuplicateMatch(self.by_id[other].canonical_id or other, other, kind, round(similarity, 4))


def _discard(index: dict[str, list[int]], key: str, report_id: int) -> None:
    members = index.get(key)
    if members is not None and report_id in members:
        members.remove(report_id)
        if not members:
            del index[key]


def _categories_differ(a: str | None, b: str | None) -> bool:
    """Two known, different categories are two complaints; an unknown one (the model abstained) is no evidence."""
    return a is not None and b is not None and a != b


def near_similarity(a: frozenset[str], b: frozenset[str], threshold: float) -> float | None:
    """Jaccard when it passes the threshold, or containment for 'the same text plus a sentence'; else None."""
    if not a or not b:
        return None
    shared = len(a & b)  # one intersection serves both measures: this runs on every LSH candidate
    score = shared / (len(a) + len(b) - shared)
    if score >= threshold:
        return score
    smaller = min(len(a), len(b))
    if smaller >= CONTAINMENT_MIN_SHINGLES and shared / smaller >= CONTAINMENT_THRESHOLD:
        return shared / smaller
    return None

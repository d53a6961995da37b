"""The shapes every channel parser produces, so the store needs to know no channel."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

COLLECTOR_VERSION = "pilah-ingest/1"


@dataclass(frozen=True, slots=True)
class PostRecord:
    """One post as parsed from a payload, before it is stored."""

    source_id: str
    text: str
    created_at: datetime
    author_id: str | None = None
    author_name: str | None = None
    author_handle: str | None = None
    url: str | None = None
    reply_to_id: str | None = None
    quote_of_id: str | None = None
    retweet_of_id: str | None = None
    conversation_id: str | None = None
    parent_id: str | None = None
    geo_hint: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """An item the parser could not use: where it was, why, and the item itself."""

    locator: str
    reason_code: str
    reason: str
    item: str

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.locator}\x00{self.item}".encode()).hexdigest()


@dataclass(slots=True)
class ParsedPage:
    """What a parser made of one payload; `cursor` is where the next read should start."""

    posts: list[PostRecord] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a payload came from, stored beside it."""

    channel: str
    endpoint: str
    retrieved_at: datetime
    parameters: dict[str, Any] = field(default_factory=dict)
    collector_version: str = COLLECTOR_VERSION


@dataclass(frozen=True, slots=True)
class CheckpointAdvance:
    """Move a collector's checkpoint, in the same transaction as the posts it covers."""

    collector: str
    key: str
    value: str


@dataclass(slots=True)
class IngestOutcome:
    """Counts for one payload or a whole run; `unreadable` payloads could not be read at all (a wrong format
    or column map), and `unreadable_reason` says why for the first of them, so a file import can say that the
    whole file, not a row of it, went to quarantine."""

    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    quarantined: int = 0
    unreadable: int = 0
    unreadable_reason: str | None = None

    def add(self, other: IngestOutcome) -> IngestOutcome:
        self.fetched += other.fetched
        self.new += other.new
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined
        self.unreadable += other.unreadable
        self.unreadable_reason = self.unreadable_reason or other.unreadable_reason
        return self

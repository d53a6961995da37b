"""What the channels delivered: raw payloads, the posts parsed from them, checkpoints, quarantine."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pilah.schema.base import Base, UTCDateTime, utcnow

CHANNELS = ("twitter", "facebook", "sms", "web", "import")


class ChannelPayload(Base):
    """A response page or file exactly as received, byte for byte, with where it came from."""

    __tablename__ = "channel_payloads"
    __table_args__ = (UniqueConstraint("channel", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    endpoint: Mapped[str] = mapped_column(String(500))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    collector_version: Mapped[str] = mapped_column(String(40))
    retrieved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)


class Post(Base):
    """One inbound message as the channel delivered it; unique per channel and source id."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("channel", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(100))
    payload_id: Mapped[int] = mapped_column(ForeignKey("channel_payloads.id"), index=True)
    author_id: Mapped[str | None] = mapped_column(String(100))
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_handle: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    url: Mapped[str | None] = mapped_column(String(500))
    reply_to_id: Mapped[str | None] = mapped_column(String(100))
    quote_of_id: Mapped[str | None] = mapped_column(String(100))
    retweet_of_id: Mapped[str | None] = mapped_column(String(100))
    conversation_id: Mapped[str | None] = mapped_column(String(100))
    parent_id: Mapped[str | None] = mapped_column(String(100))
    geo_hint: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(10))
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Checkpoint(Base):
    """How far a collector has read a source (since_id, cursor, file offset)."""

    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("collector", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collector: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(Text)  # a Graph API cursor can pass 500 characters
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class QuarantinedItem(Base):
    """An item that could not be turned into a post, kept with the reason, never dropped."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("channel", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    payload_id: Mapped[int | None] = mapped_column(ForeignKey("channel_payloads.id"), index=True)
    locator: Mapped[str] = mapped_column(String(200))
    reason_code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    item: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A person's decision that the item needs no reading (`pilah quarantine dismiss`): it leaves the list, but
    # stays counted among what was collected, so a report of a past month does not change with it.
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CollectorRun(Base):
    """One run of a collector or import, for the operator to see what happened and when."""

    __tablename__ = "collector_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

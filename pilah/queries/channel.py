"""Queries over what the channels delivered: payloads, posts, checkpoints, quarantine."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pilah.queries.upsert import insert_ignoring_conflicts, insert_returning_new, upsert
from pilah.schema import ChannelPayload, Checkpoint, Post, QuarantinedItem, utcnow

_IN_CHUNK = 500




def insert_new_payload(session: Session, values: dict[str, Any]) -> int | None:
    """Store a raw payload; its new id, or None when these exact bytes were already stored on this channel."""
    inserted = insert_returning_new(session, ChannelPayload.__table__, [values], ["channel", "sha256"], "id")
    return inserted[0] if inserted else None


def insert_new_posts(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert posts not yet stored (by channel + source id); how many were new."""
    return insert_ignoring_conflicts(session, Post.__table__, rows, ["channel", "source_id"])






def insert_quarantined(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    insert_ignoring_conflicts(session, QuarantinedItem.__table__, rows, ["channel", "fingerprint"])


def get_checkpoint(session: Session, collector: str, key: str) -> str | None:
    return session.scalars(
        select(Checkpoint.value).where(Checkpoint.collector == collector, Checkpoint.key == key)
    ).one_or_none()


def set_checkpoint(session: Session, collector: str, key: str, value: str) -> None:
    upsert(session, Checkpoint.__table__,
           {"collector": collector, "key": key, "value": value, "updated_at": utcnow()},
           ["collector", "key"], ["value", "updated_at"])




def count_posts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Post)) or 0




def quarantined_items(session: Session, limit: int = 50) -> Iterable[QuarantinedItem]:
    return session.scalars(select(QuarantinedItem).order_by(QuarantinedItem.id.desc()).limit(limit))

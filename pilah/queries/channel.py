"""Queries over what the channels delivered (payloads, posts, checkpoints, quarantine) and what goes back (outbox)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Dialect, Insert, Select, Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pilah.errors import OutboxNotUncertain
from pilah.queries import audit
from pilah.queries.upsert import insert_ignoring_conflicts
from pilah.schema import (
    AuditEvent,
    ChannelPayload,
    Checkpoint,
    OutboxMessage,
    Post,
    QuarantinedItem,
    UTCDateTime,
    utcnow,
)

#: The post columns a parser fills, in the order `insert_new_posts` takes them.
POST_VALUE_COLUMNS = ("source_id", "text", "created_at", "author_id", "author_name", "author_handle", "url",
                      "reply_to_id", "quote_of_id", "retweet_of_id", "conversation_id", "parent_id", "geo_hint",
                      "language")
_POST_COLUMNS = ("channel", "payload_id", "ingested_at", *POST_VALUE_COLUMNS)


class StoredPayload(NamedTuple):
    """A payload row already holding these bytes, and the parameters it was read with then."""

    id: int
    parameters: dict[str, Any]


def insert_new_payload(session: Session, values: dict[str, Any]) -> int | StoredPayload | None:
    """Store a raw payload; its new id, or the stored one when these exact bytes were already stored on
    this channel (None only when a concurrent writer stored them in between).

    Asks by hash first: a re-read page then costs an index lookup instead of shipping its body
    (tens of kilobytes, twice that hex-encoded) to the server only to hit the unique constraint.
    The INSERT keeps ON CONFLICT for a concurrent writer that stores the same bytes in between.
    """
    statements = _statements(session.get_bind().dialect.name)
    known = session.execute(statements.known_payload, values).first()
    if known is not None:
        return StoredPayload(known.id, known.parameters or {})
    return session.execute(statements.new_payload, values).scalar_one_or_none()


def insert_new_posts(session: Session, channel: str, payload_id: int, rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert posts not yet stored (by channel + source id); how many were new.

    `rows` hold POST_VALUE_COLUMNS in order. This is the hot path of every ingest, so it goes
    below SQLAlchemy's per-row parameter handling (a third of ingest time, bench/bench_ingest.py)
    with one statement per page. On PostgreSQL the page travels as one JSON array parameter of a
    constant, server-prepared INSERT .. SELECT (per-row statements cost a round trip each; psycopg
    dumps array parameters and splits long multi-VALUES texts in Python). On SQLite it is one
    executemany of plain tuples, converted by the dialect's own bind processors so a post is
    stored exactly as an ORM insert would store it.
    """
    if not rows:
        return 0
    connection = session.connection()
    statement, to_db, convert = _post_insert(connection.dialect)
    fixed = (channel, payload_id, to_db(utcnow()))
    params = [fixed + convert(row) for row in rows]
    if connection.dialect.name == "postgresql":
        params = (json.dumps(params, ensure_ascii=False, separators=(",", ":")),)
    return max(connection.exec_driver_sql(statement, params).rowcount, 0)


@cache
def _post_insert(dialect: Dialect) -> tuple[str, Callable[[Any], Any], Callable[[tuple[Any, ...]], tuple[Any, ...]]]:
    """The INSERT .. ON CONFLICT DO NOTHING text for this backend, its time converter and row converter."""
    table: Table = Post.__table__
    names = ", ".join(_POST_COLUMNS)
    conflict = "ON CONFLICT (channel, source_id) DO NOTHING"
    times = [index for index, name in enumerate(POST_VALUE_COLUMNS) if isinstance(table.c[name].type, UTCDateTime)]
    if dialect.name == "postgresql":
        # Cast to the unsized type: `::VARCHAR(100)` would silently cut a long value the column itself refuses.
        casts = ", ".join(f"(row ->> {index})::{table.c[name].type.compile(dialect=dialect).split('(')[0]}"
                          for index, name in enumerate(_POST_COLUMNS))
        select_rows = f"SELECT {casts} FROM jsonb_array_elements(%s::jsonb) AS row"
        return f"INSERT INTO posts ({names}) {select_rows} {conflict}", _utc_iso, _converter(times, _utc_iso)
    marks = ", ".join("?" * len(_POST_COLUMNS))
    to_db = UTCDateTime().dialect_impl(dialect).bind_processor(dialect) or _same
    return f"INSERT INTO posts ({names}) VALUES ({marks}) {conflict}", to_db, _converter(times, to_db)


def _converter(indexes: list[int], convert: Callable[[Any], Any]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    def row_for_driver(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for index in indexes:
            values[index] = convert(values[index])
        return tuple(values)
    return row_for_driver


def _utc_iso(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; pass an aware UTC time")
    return value.astimezone(UTC).isoformat()


def _same(value: Any) -> Any:
    return value


def insert_quarantined(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    insert_ignoring_conflicts(session, QuarantinedItem.__table__, rows, ["channel", "fingerprint"])


def get_checkpoint(session: Session, collector: str, key: str) -> str | None:
    return session.scalars(
        select(Checkpoint.value).where(Checkpoint.collector == collector, Checkpoint.key == _stored_key(key))
    ).one_or_none()


def set_checkpoint(session: Session, collector: str, key: str, value: str) -> None:
    session.execute(_statements(session.get_bind().dialect.name).checkpoint,
                    {"collector": collector, "key": _stored_key(key), "value": value, "updated_at": utcnow()})


def _stored_key(key: str) -> str:
    """A key that fits its column: a long one (an import's full path) keeps its start and its hash."""
    limit = Checkpoint.__table__.columns["key"].type.length
    if len(key) <= limit:
        return key
    return f"{key[: limit - 65]}#{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()}"


@dataclass(frozen=True)
class _PageStatements:
    known_payload: Select
    new_payload: Insert
    checkpoint: Insert


@cache
def _statements(dialect_name: str) -> _PageStatements:
    """Built once per backend: every page runs them, and building one anew costs more than running it."""
    module = postgresql if dialect_name == "postgresql" else sqlite
    payloads, checkpoints = ChannelPayload.__table__, Checkpoint.__table__  # Core tables: no ORM bulk-insert layer
    payload = module.insert(payloads).on_conflict_do_nothing(index_elements=["channel", "sha256"])
    checkpoint = module.insert(checkpoints)
    checkpoint = checkpoint.on_conflict_do_update(
        index_elements=["collector", "key"],
        set_={"value": checkpoint.excluded.value, "updated_at": checkpoint.excluded.updated_at})
    known = select(payloads.c.id, payloads.c.parameters).where(payloads.c.channel == bindparam("channel"),
                                                               payloads.c.sha256 == bindparam("sha256"))
    return _PageStatements(known, payload.returning(payloads.c.id), checkpoint)


def count_posts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Post)) or 0




def quarantined_with_source(session: Session, limit: int = 50) -> list[tuple[QuarantinedItem, str | None]]:
    """The newest quarantined items still unread (a later read of their file may have taken them in), each
    with where its payload came from ("file:rekap.csv", an API endpoint)."""
    unread = select(QuarantinedItem.id).where(QuarantinedItem.resolved_at.is_(None),
                                              QuarantinedItem.dismissed_at.is_(None)) \
        .order_by(QuarantinedItem.id.desc()).limit(limit)
    rows = session.execute(select(QuarantinedItem, ChannelPayload.endpoint)
                           .outerjoin(ChannelPayload, ChannelPayload.id == QuarantinedItem.payload_id)
                           .where(QuarantinedItem.id.in_(unread)).order_by(QuarantinedItem.id.desc()))
    return [(item, endpoint) for item, endpoint in rows]


def dismiss_quarantined(session: Session, item_ids: Sequence[int], *, actor: str, note: str,
                        at: datetime) -> list[QuarantinedItem]:
    """Mark items a person has dealt with (typed in by hand, or junk from a file read with the wrong format)
    as dismissed, each with an audit event; the item itself is kept, and still counted among what was
    collected. Returns the items this changed: ones already resolved or dismissed are left as they were.
    Raises LookupError naming ids that do not exist."""
    found = {item.id: item for item in session.scalars(select(QuarantinedItem)
                                                       .where(QuarantinedItem.id.in_(item_ids)))}
    missing = [str(i) for i in item_ids if i not in found]
    if missing:
        raise LookupError(", ".join(missing))
    changed = [found[i] for i in dict.fromkeys(item_ids)
               if found[i].resolved_at is None and found[i].dismissed_at is None]
    for item in changed:
        item.dismissed_at = at
        audit.record(session, "quarantine", str(item.id), "dismiss", actor, at, reason=note,
                     details={"channel": item.channel, "locator": item.locator, "reason_code": item.reason_code})
    return changed


def resolve_quarantined(session: Session, payload_id: int, rejected: dict[str, tuple[str, str]],
                        at: datetime, *, took_in: bool = True) -> None:
    """After a payload is read again with other options: its items this read rejected too (fingerprint →
    reason code, reason) take this read's reason, and the rest were taken in, so they are resolved at `at`;
    unless this read took in nothing (`took_in` false: the payload was unreadable as a whole, a wrong map
    again, so its rows were not read at all and stay unread)."""
    for row in session.scalars(select(QuarantinedItem).where(QuarantinedItem.payload_id == payload_id,
                                                             QuarantinedItem.resolved_at.is_(None))):
        again = rejected.get(row.fingerprint)
        if again is not None:
            row.reason_code, row.reason = again
        elif took_in:
            row.resolved_at = at


#: Outbox states: menunggu (waiting) → mengirim (an attempt is recorded, the send is under way) →
#: terkirim (sent) | gagal (failed for good) | tak_pasti (unknown whether it went out: a person checks).
OUTBOX_WAITING, OUTBOX_SENDING, OUTBOX_SENT, OUTBOX_FAILED, OUTBOX_UNCERTAIN = (
    "menunggu", "mengirim", "terkirim", "gagal", "tak_pasti")
OUTBOX_ACTOR = "pilah-outbox"


def outbox_due(session: Session, limit: int) -> Sequence[OutboxMessage]:
    return session.scalars(select(OutboxMessage).where(OutboxMessage.status == OUTBOX_WAITING)
                           .order_by(OutboxMessage.id).limit(limit)).all()


def outbox_sending(session: Session) -> Sequence[OutboxMessage]:
    return session.scalars(select(OutboxMessage).where(OutboxMessage.status == OUTBOX_SENDING)
                           .order_by(OutboxMessage.id)).all()


def last_outbox_attempt(session: Session, message_id: int) -> datetime | None:
    return session.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.entity_type == "outbox_message", AuditEvent.entity_id == str(message_id),
        AuditEvent.action == "outbox_attempt"))


def claim_outbox_message(session: Session, message_id: int, at: datetime) -> int | None:
    """Move one waiting message to 'mengirim' and count the attempt; its attempt number, or None if taken."""
    claimed = session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id,
                                                          OutboxMessage.status == OUTBOX_WAITING)
                              .values(status=OUTBOX_SENDING, attempts=OutboxMessage.attempts + 1))
    if claimed.rowcount != 1:
        return None
    attempt = session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == message_id))
    record_outbox_event(session, message_id, "outbox_attempt", OUTBOX_WAITING, OUTBOX_SENDING, at,
                        details={"attempt": attempt})
    return attempt


def settle_outbox_message(session: Session, message_id: int, status: str, at: datetime, *, error: str | None,
                          details: dict[str, Any] | None = None, undo_attempt: bool = False) -> None:
    """Record how a send ended: the message's new status and an audit event saying why."""
    values: dict[str, Any] = {"status": status, "error": error}
    if status == OUTBOX_SENT:
        values["sent_at"] = at
    if undo_attempt:
        values["attempts"] = OutboxMessage.attempts - 1
    previous = session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == message_id))
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))
    action = {OUTBOX_SENT: "outbox_sent", OUTBOX_FAILED: "outbox_failed", OUTBOX_UNCERTAIN: "outbox_uncertain"
              }.get(status, "outbox_deferred")
    record_outbox_event(session, message_id, action, previous, status, at, reason=error, details=details)


def uncertain_outbox(session: Session) -> Sequence[OutboxMessage]:
    return session.scalars(select(OutboxMessage).where(OutboxMessage.status == OUTBOX_UNCERTAIN)
                           .order_by(OutboxMessage.id)).all()


def settle_checked_outbox(session: Session, message_id: int, *, went_out: bool, actor: str, note: str,
                          at: datetime) -> str:
    """Record what a person saw on the channel for a `tak_pasti` message; returns its new status.

    It went out: `terkirim`. It did not: `menunggu`, so the next outbox run sends it again; only a
    person may decide that, because a second copy on the reporter's timeline is the worse mistake.
    A message in any other state is refused (someone else may have settled it already).
    """
    status = OUTBOX_SENT if went_out else OUTBOX_WAITING
    values: dict[str, Any] = {"status": status, "error": None, **({"sent_at": at} if went_out else {})}
    settled = session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id,
                                                          OutboxMessage.status == OUTBOX_UNCERTAIN).values(**values))
    if settled.rowcount != 1:
        current = session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == message_id))
        raise OutboxNotUncertain(
            f"pesan outbox {message_id} " + (f"berstatus {current}, bukan tak_pasti" if current else "tidak ada")
            + f" / outbox message {message_id} " + (f"is {current}, not tak_pasti" if current else "does not exist"),
            hint="lihat `pilah outbox list` / see `pilah outbox list`")
    record_outbox_event(session, message_id, "outbox_checked", OUTBOX_UNCERTAIN, status, at, reason=note,
                        details={"went_out": went_out}, actor=actor)
    return status


def note_outbox_waiting(session: Session, message_id: int, reason: str) -> None:
    """A message that cannot be sent yet (channel off, no gateway) keeps waiting, with the reason shown."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id,
                                                OutboxMessage.status == OUTBOX_WAITING).values(error=reason))


def record_outbox_event(session: Session, message_id: int, action: str, from_status: str | None,
                        to_status: str | None, at: datetime, *, reason: str | None = None,
                        details: dict[str, Any] | None = None, actor: str = OUTBOX_ACTOR) -> None:
    session.add(AuditEvent(at=at, actor=actor, entity_type="outbox_message", entity_id=str(message_id),
                           action=action, from_status=from_status, to_status=to_status, reason=reason,
                           details=details or {}))

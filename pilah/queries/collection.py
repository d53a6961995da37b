"""Named queries for collector runs and scheduler locks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select, text, update
from sqlalchemy.orm import Session

from pilah.queries.upsert import insert_ignoring_conflicts
from pilah.schema import CollectorRun, SchedulerLock


def start_run(session: Session, source: str, started_at: datetime) -> int:
    run = CollectorRun(source=source, started_at=started_at)
    session.add(run)
    session.flush()
    return run.id


def finish_run(session: Session, run_id: int, finished_at: datetime, counts: dict[str, int],
               error: str | None) -> None:
    session.execute(update(CollectorRun).where(CollectorRun.id == run_id)
                    .values(finished_at=finished_at, error=error, **counts))


def recent_runs(session: Session, source: str | None = None, limit: int = 20) -> Sequence[CollectorRun]:
    query = select(CollectorRun).order_by(CollectorRun.id.desc()).limit(limit)
    if source is not None:
        query = query.where(CollectorRun.source == source)
    return session.scalars(query).all()


def try_lock_row(session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take the named lock if it is free or expired; the caller's transaction must commit for it to hold."""
    session.execute(delete(SchedulerLock).where(SchedulerLock.name == name, SchedulerLock.expires_at < now))
    insert_ignoring_conflicts(session, SchedulerLock.__table__,
                              [{"name": name, "holder": holder, "acquired_at": now, "expires_at": now + ttl}],
                              ["name"])
    return session.scalar(select(SchedulerLock.holder).where(SchedulerLock.name == name)) == holder


def release_lock_row(session: Session, name: str, holder: str) -> None:
    session.execute(delete(SchedulerLock).where(SchedulerLock.name == name, SchedulerLock.holder == holder))


_ADVISORY_KEY = "hashtext(current_schema() || ':' || :name)"


def try_advisory_lock(connection: Connection, name: str) -> bool:
    """PostgreSQL session-level advisory lock, keyed per schema so two installations never collide."""
    return bool(connection.scalar(text(f"SELECT pg_try_advisory_lock({_ADVISORY_KEY})"), {"name": name}))


def release_advisory_lock(connection: Connection, name: str) -> None:
    connection.execute(text(f"SELECT pg_advisory_unlock({_ADVISORY_KEY})"), {"name": name})

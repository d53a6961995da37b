"""Database locks that let several scheduler processes share one job store safely.

APScheduler 3 does not coordinate schedulers that share a job store, so two processes may both
find the same job due. Two locks close the gap: an *occurrence claim* (a lock row per job and
scheduled slot, inserted once, kept until it expires) so each occurrence runs in one process
only, and a *running lock* (a PostgreSQL advisory lock, or a lock row with an expiry on SQLite)
so two different occurrences of one job never overlap.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from pilah.db import is_postgresql
from pilah.queries import collection as q
from pilah.schema import SchedulerLock


def holder_name() -> str:
    """Unique per attempt (host, process, random), so even two threads of one process exclude each other."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def claim_occurrence(factory: sessionmaker[Session], job_id: str, occurrence: str, ttl: timedelta) -> bool:
    """True for exactly one process per (job, occurrence) while the claim row lives."""
    now = datetime.now(UTC)
    with factory() as session, session.begin():
        session.execute(delete(SchedulerLock).where(SchedulerLock.expires_at < now,
                                                    SchedulerLock.name.like("claim:%")))
        return q.try_lock_row(session, f"claim:{job_id}@{occurrence}"[:100], holder_name(), now, ttl)


@contextmanager
def running_lock(engine: Engine, factory: sessionmaker[Session], job_id: str, ttl: timedelta) -> Iterator[bool]:
    """Yields whether this process may run the job now; releases the lock afterwards."""
    if is_postgresql(engine):
        with _advisory(engine, job_id) as held:
            yield held
        return
    name, holder = f"run:{job_id}"[:100], holder_name()
    with factory() as session, session.begin():
        held = q.try_lock_row(session, name, holder, datetime.now(UTC), ttl)
    try:
        yield held
    finally:
        if held:
            with factory() as session, session.begin():
                q.release_lock_row(session, name, holder)


@contextmanager
def _advisory(engine: Engine, job_id: str) -> Iterator[bool]:
    """A session-level advisory lock lives on one connection: hold that connection for the whole job."""
    with engine.connect() as connection:
        held = q.try_advisory_lock(connection, job_id)
        connection.commit()
        try:
            yield held
        finally:
            if held:
                q.release_advisory_lock(connection, job_id)
                connection.commit()

"""The two session factories: reading sessions don't wait for a writer on SQLite and refuse to write
there; writing sessions on the same pooled connections still write. SQLite's planner statistics.
PostgreSQL connections that sat idle in the pool are checked before use."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from pilah import db
from pilah.db import (
    make_engine,
    read_session_factory,
    refresh_planner_statistics,
    session_factory,
    statement_snapshot_reader,
)
from pilah.schema import Opd


def _opd(code: str) -> Opd:
    return Opd(code=code, name=f"Dinas {code}", short_name=code.upper(), kind="dinas")


def test_a_reader_sees_the_last_commit_while_a_writer_holds_the_lock(engine) -> None:
    with session_factory(engine).begin() as setup:
        setup.add(_opd("dinas-a"))
    reader = read_session_factory(engine)
    with session_factory(engine)() as writer, writer.begin():
        writer.add(_opd("dinas-b"))
        writer.flush()  # on SQLite this transaction holds the write lock (BEGIN IMMEDIATE) until it ends
        with reader() as session:
            assert session.scalar(select(func.count()).select_from(Opd)) == 1
    with reader() as session:
        assert session.scalar(select(func.count()).select_from(Opd)) == 2


@pytest.mark.parametrize("reader", [read_session_factory, statement_snapshot_reader])
def test_a_reading_session_refuses_to_write_on_sqlite(engine, reader) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL sessions are not marked read-only")
    with reader(engine)() as session:
        session.add(_opd("dinas-c"))
        with pytest.raises(OperationalError, match="readonly"):
            session.flush()


def test_a_writing_session_after_a_reading_one_writes(engine) -> None:
    with read_session_factory(engine)() as session:
        session.scalar(select(func.count()).select_from(Opd))
    with session_factory(engine).begin() as session:
        session.add(_opd("dinas-d"))
    with read_session_factory(engine)() as session:
        assert session.scalar(select(Opd.code)) == "dinas-d"



def test_a_statement_snapshot_reader_leaves_no_transaction_open_on_postgresql(engine) -> None:
    """Each statement commits on its own, so a later one sees what was committed in between."""
    if engine.dialect.name == "sqlite":
        pytest.skip("on SQLite the reader is the plain reading session")
    with session_factory(engine).begin() as setup:
        setup.add(_opd("dinas-e"))
    with statement_snapshot_reader(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Opd)) == 1
        with session_factory(engine).begin() as writer:
            writer.add(_opd("dinas-f"))
        seen = session.scalar(select(func.count()).select_from(Opd))
        open_transaction = session.connection().connection.dbapi_connection.info.transaction_status
    assert seen == 2
    assert open_transaction == psycopg.pq.TransactionStatus.IDLE

def test_planner_statistics_count_the_rows_on_sqlite(engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its own statistics")
    with session_factory(engine).begin() as session:
        session.add_all([_opd("dinas-e"), _opd("dinas-f")])
    refresh_planner_statistics(engine)
    with engine.connect() as connection:
        stats = connection.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'opds'")).scalars().all()
    assert stats and all(stat.startswith("2 ") for stat in stats)


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


@pytest.fixture
def pool_with_a_killed_connection(engine, database_url):
    """A PostgreSQL engine whose one pooled connection the server has just terminated, and that backend's pid."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to drop connections")
    pooled = make_engine(database_url)
    killed = _backend_pid(pooled)
    with engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": killed})
    yield pooled, killed
    pooled.dispose()


def test_an_idle_postgresql_connection_killed_in_the_pool_is_replaced(pool_with_a_killed_connection,
                                                                       monkeypatch) -> None:
    pooled, killed = pool_with_a_killed_connection
    monkeypatch.setattr(db, "IDLE_BEFORE_PING_S", 0.0)
    assert _backend_pid(pooled) != killed


def test_a_postgresql_connection_returned_moments_ago_is_not_pinged(pool_with_a_killed_connection,
                                                                     monkeypatch) -> None:
    pooled, killed = pool_with_a_killed_connection
    monkeypatch.setattr(db, "IDLE_BEFORE_PING_S", 3600.0)
    with pytest.raises(OperationalError):
        _backend_pid(pooled)  # the one request that meets the dead connection fails; its pool is renewed
    assert _backend_pid(pooled) != killed

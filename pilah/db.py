"""The one engine and its two session factories: writing (the default) and reading.

SQLite is the embedded default (a file, WAL, foreign keys, a busy timeout so the scheduler and
the web server can share it); PostgreSQL is production. Everything else asks here for sessions.

On SQLite a writing transaction takes the write lock up front (BEGIN IMMEDIATE), so it never fails
half-way when another process writes. That lock admits one transaction at a time, so pages that only
read use `read_session_factory`: a plain deferred BEGIN, which under WAL runs beside other readers and
beside the one writer, on a connection set to `query_only` so a stray write fails loudly instead of
upgrading the lock mid-transaction. On PostgreSQL both factories behave alike.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000
#: Execution option that marks connections of the reading factory.
READ_ONLY_OPTION = "pilah_read_only"
#: A pooled PostgreSQL connection idle longer than this is pinged before use (a restart or a
#: firewall may have dropped it); one returned moments ago is not, since collectors and the web
#: app check a connection out per page or request and a ping per checkout is a round trip each.
IDLE_BEFORE_PING_S = 10.0


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine with the pragmas/pool options each backend needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _ensure_parent_dir(parsed.database)
        engine = create_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, echo=echo)
    event.listen(engine, "connect", _note_checkin)
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


def _note_checkin(_dbapi_connection, record) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    """Pre-ping, but only for connections that sat in the pool; a dead one is replaced, not used."""
    checked_in = record.info.get("checked_in_at")
    if checked_in is not None and time.monotonic() - checked_in < IDLE_BEFORE_PING_S:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        dbapi_connection.rollback()
    except Exception as exc:  # the driver's own error types; any failure means "don't use it"
        raise DisconnectionError(str(exc)) from exc


def _ensure_parent_dir(database: str | None) -> None:
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy issue BEGIN itself so that a transaction takes its write lock up front
    # (BEGIN IMMEDIATE) instead of failing half-way when another process writes.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
                   "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # query_only is per connection and pooled connections serve both factories, so each BEGIN sets it.
    if connection.get_execution_options().get(READ_ONLY_OPTION):
        connection.exec_driver_sql("PRAGMA query_only=ON")
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("PRAGMA query_only=OFF")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Writing sessions that keep loaded attributes after commit, so results can be printed afterwards."""
    return sessionmaker(engine, expire_on_commit=False)


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for work that only reads (web pages): no write lock on SQLite, writes refused there."""
    return sessionmaker(engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False)


def statement_snapshot_reader(engine: Engine) -> sessionmaker[Session]:
    """Reading sessions whose every statement runs on its own (autocommit) on PostgreSQL.

    For pages that only read and show what each statement found: a transaction would cost them two more
    round trips (BEGIN, ROLLBACK) and buy only a snapshot shared by their few statements. On SQLite BEGIN
    and ROLLBACK are calls within the process, so the plain reading session is kept.
    """
    if engine.dialect.name != "sqlite":
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    return read_session_factory(engine)


def engine_of(factory: sessionmaker[Session]) -> Engine:
    """The engine a session factory made here is bound to."""
    return factory.kw["bind"]


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One short unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def refresh_planner_statistics(engine: Engine) -> None:
    """Give SQLite's query planner row counts (ANALYZE); PostgreSQL's autovacuum keeps its own.

    Without statistics SQLite takes any equality index as selective: the queue would read 60,000
    reports through the status index and sort them instead of walking the deadline index. A database
    another process keeps locked past the busy timeout keeps the statistics it had.
    """
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    except OperationalError:
        return


def widen_sqlite_cache(engine: Engine, mebibytes: int) -> None:
    """Give this engine's SQLite connections a page cache of `mebibytes` from their next checkout on.

    The nightly batch rewrites reports through six indexes (status, deadline, category, kecamatan,
    text hash, group) in an order unrelated to theirs; in SQLite's default 2 MB cache most of those
    index pages are read back from the operating system for every batch. The web app keeps the
    default: it runs many connections, and each page touches few rows.
    """
    if engine.dialect.name != "sqlite" or mebibytes <= 0:
        return

    @event.listens_for(engine, "checkout")
    def _widen(dbapi_connection, _record, _proxy) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA cache_size=-{int(mebibytes) * 1024}")
        cursor.close()


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"

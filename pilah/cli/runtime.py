"""What several commands need: an up-to-date database, the tagger, the working calendar."""

from __future__ import annotations

import getpass

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError as DriverDatabaseError
from sqlalchemy.orm import Session, sessionmaker

from pilah import migrate
from pilah.db import make_engine, session_factory, transaction
from pilah.errors import DatabaseError
from pilah.queries import audit
from pilah.schema import utcnow
from pilah.settings import Settings, redact_url


def open_database(settings: Settings) -> sessionmaker[Session]:
    """Sessions on the configured database, refusing one whose schema is behind the code."""
    engine = connect(settings)
    revision = migrate.current_revision(engine)
    if revision != migrate.head_revision():
        raise DatabaseError(
            f"basis data {redact_url(settings.database_url)} ada di revisi {revision or 'kosong'}, pilah ini perlu "
            f"{migrate.head_revision()} / the database is at revision {revision or 'empty'}, this pilah needs "
            f"{migrate.head_revision()}",
            hint="jalankan dulu / run first: pilah db upgrade",
        )
    return session_factory(engine)


def connect(settings: Settings) -> Engine:
    """An engine whose database has answered. Engines connect lazily, so without this first connection a
    stopped server or a file that is not a database would surface as a driver traceback in the middle of
    whichever command ran first; here it is one coded error before any work starts."""
    engine = make_engine(settings.database_url)
    try:
        with engine.connect():
            pass
    except DriverDatabaseError as exc:
        engine.dispose()
        raise _unreachable(settings.database_url, exc) from exc
    return engine


def _unreachable(url: str, exc: DriverDatabaseError) -> DatabaseError:
    """The driver's first line says which of the usual causes it is (refused, unknown role, not a database);
    the rest is driver advice. A driver could echo the URL, so its password is masked here too."""
    parsed = make_url(url)
    reason = (str(exc.orig).strip() or type(exc.orig).__name__).splitlines()[0]
    if parsed.password:
        reason = reason.replace(str(parsed.password), "***")
    if parsed.get_backend_name() == "sqlite":
        hint = (f"periksa bahwa {parsed.database} adalah basis data pilah (berkas SQLite), bukan berkas lain / "
                f"check that {parsed.database} is a pilah database (an SQLite file), not some other file")
    else:
        hint = (f"periksa server basis data berjalan dan menerima koneksi di {parsed.host}:{parsed.port or 5432}, "
                "lalu PILAH_DATABASE_URL atau database_url di pilah.toml / check that the database server is "
                "running and accepting connections there, then PILAH_DATABASE_URL or database_url in pilah.toml")
    return DatabaseError(f"basis data {redact_url(url)} tidak bisa dibuka / cannot open the database: {reason}",
                         hint=hint)


def cli_actor() -> str:
    """Who the audit names for a change made from the command line: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def record_model_change(settings: object, version: str, action: str, details: dict[str, object]) -> None:
    """The audit event of a model activation made from the command line, as the web app writes one. A
    models folder used without the database (an analyst's laptop) is only warned about."""
    try:
        factory = open_database(settings)
    except DatabaseError as exc:
        click.echo(f"peringatan/warning: {action} {version} tidak tercatat di audit / not audited: {exc.message}",
                   err=True)
        return
    with transaction(factory) as session:
        audit.record(session, "model", version, action, cli_actor(), utcnow(), details=details)

"""What several commands need: an up-to-date database, the tagger, the working calendar."""

from __future__ import annotations

import getpass

import click
from sqlalchemy.orm import Session, sessionmaker

from pilah import migrate
from pilah.db import make_engine, session_factory, transaction
from pilah.errors import DatabaseError
from pilah.queries import audit
from pilah.schema import utcnow
from pilah.settings import Settings, redact_url


def open_database(settings: Settings) -> sessionmaker[Session]:
    """Sessions on the configured database, refusing one whose schema is behind the code."""
    engine = make_engine(settings.database_url)
    revision = migrate.current_revision(engine)
    if revision != migrate.head_revision():
        raise DatabaseError(
            f"basis data {redact_url(settings.database_url)} ada di revisi {revision or 'kosong'}, pilah ini perlu "
            f"{migrate.head_revision()} / the database is at revision {revision or 'empty'}, this pilah needs "
            f"{migrate.head_revision()}",
            hint="jalankan dulu / run first: pilah db upgrade",
        )
    return session_factory(engine)


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

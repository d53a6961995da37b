"""What several commands need: an up-to-date database, the tagger, the working calendar."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from pilah import migrate
from pilah.db import make_engine, session_factory
from pilah.errors import DatabaseError
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

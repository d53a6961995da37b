"""`pilah db ...`: bring the database schema up to date through Alembic."""

from __future__ import annotations

import click

from pilah import migrate
from pilah.db import make_engine
from pilah.settings import Settings, redact_url


@click.group()
def db() -> None:
    """Kelola skema basis data. Manage the database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@click.pass_obj
def upgrade(settings: Settings, revision: str) -> None:
    """Naikkan skema ke REVISION (bawaan: head). Upgrade the schema."""
    migrate.upgrade(make_engine(settings.database_url), revision)
    click.echo(f"{redact_url(settings.database_url)}: {migrate.current_revision(make_engine(settings.database_url))}")


@db.command("downgrade")
@click.argument("revision")
@click.pass_obj
def downgrade(settings: Settings, revision: str) -> None:
    """Turunkan skema ke REVISION ('base' menghapus semua tabel). Downgrade the schema."""
    migrate.downgrade(make_engine(settings.database_url), revision)
    click.echo(f"now at {migrate.current_revision(make_engine(settings.database_url)) or 'base'}")


@db.command("current")
@click.pass_obj
def current(settings: Settings) -> None:
    """Tampilkan revisi skema saat ini. Show the current schema revision."""
    revision = migrate.current_revision(make_engine(settings.database_url))
    head = migrate.head_revision()
    state = "terbaru / up to date" if revision == head else f"perlu upgrade ke {head} / needs upgrade"
    click.echo(f"{revision or 'kosong / empty'} ({state})")

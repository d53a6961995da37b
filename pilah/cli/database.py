"""`pilah db ...`: bring the database schema up to date through Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from pilah import migrate
from pilah.cli.runtime import connect
from pilah.errors import RevisionInvalid
from pilah.settings import Settings, redact_url


@click.group()
def db() -> None:
    """Kelola skema basis data. Manage the database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@click.pass_obj
def upgrade(settings: Settings, revision: str) -> None:
    """Naikkan skema ke REVISION (bawaan: head). Upgrade the schema."""
    _check_revision(revision)
    engine = connect(settings)
    with _revision_errors(revision):
        migrate.upgrade(engine, revision)
    click.echo(f"{redact_url(settings.database_url)}: {migrate.current_revision(engine)}")


@db.command("downgrade")
@click.argument("revision")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Tanpa konfirmasi. Do not ask for confirmation.")
@click.pass_obj
def downgrade(settings: Settings, revision: str, assume_yes: bool) -> None:
    """Turunkan skema ke REVISION ('base' menghapus semua tabel). Downgrade the schema."""
    _check_revision(revision)
    engine = connect(settings)
    now = migrate.current_revision(engine)
    if not assume_yes and now != revision:
        click.confirm(_downgrade_question(settings, now, revision), abort=True)
    with _revision_errors(revision):
        migrate.downgrade(engine, revision)
    click.echo(f"sekarang di / now at: {migrate.current_revision(engine) or 'base (kosong / empty)'}")


@db.command("current")
@click.pass_obj
def current(settings: Settings) -> None:
    """Tampilkan revisi skema saat ini. Show the current schema revision."""
    revision = migrate.current_revision(connect(settings))
    head = migrate.head_revision()
    state = "terbaru / up to date" if revision == head else f"perlu upgrade ke {head} / needs upgrade"
    click.echo(f"{revision or 'kosong / empty'} ({state})")


def _downgrade_question(settings: Settings, now: str | None, revision: str) -> str:
    """A downgrade drops tables and columns with their rows, so the question says so before anything is lost."""
    loss = ("SEMUA tabel pilah dan isinya dihapus / EVERY pilah table and its data is dropped" if revision == "base"
            else "tabel dan kolom yang ditambahkan sesudahnya dihapus beserta isinya / tables and columns added "
                 "after it are dropped with their data")
    return (f"Turunkan skema {redact_url(settings.database_url)} dari {now or 'kosong'} ke {revision}: {loss}. "
            f"Lanjutkan? / Downgrade from {now or 'empty'} to {revision}? Continue?")


def _check_revision(revision: str) -> None:
    """Refuse a revision the migrations lack before connecting or asking for confirmation. Relative steps
    (-1, +2, head-1) depend on the database's revision, so Alembic judges them when it runs."""
    if revision == "base" or any(sign in revision for sign in "+-"):
        return
    with _revision_errors(revision):
        _scripts().get_revisions(revision)


@contextmanager
def _revision_errors(revision: str) -> Iterator[None]:
    """Alembic's CommandError (unknown revision, a target on the wrong side of the current one) as a coded
    error naming the revisions that exist, since pilah has no command that lists them."""
    try:
        yield
    except CommandError as exc:
        raise RevisionInvalid(
            f"revisi {revision!r} tidak bisa dipakai / revision {revision!r} cannot be used: {exc}",
            hint=f"revisi yang ada / known revisions: {_known_revisions()}; "
                 "revisi saat ini / current revision: pilah db current",
        ) from exc


def _known_revisions() -> str:
    names = [script.revision for script in _scripts().walk_revisions()][::-1]
    return ", ".join(["base", *names[:-1], f"{names[-1]} (head)"]) if names else "base"


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(migrate.MIGRATIONS_DIR))

"""`pilah users` and `pilah tokens`: staff accounts and API tokens."""

from __future__ import annotations

from dataclasses import replace

import click

from pilah.auth.accounts import (
    NewUser,
    canonical_username,
    create_user,
    existing_user,
    set_active,
    set_password,
    validate_account,
)
from pilah.auth.passwords import MIN_LENGTH
from pilah.auth.tokens import issue_token, revoke_token
from pilah.cli.runtime import cli_actor, open_database
from pilah.db import transaction
from pilah.queries import web as queries
from pilah.queries.directory import directory_loaded
from pilah.schema import ROLES, utcnow
from pilah.settings import Settings
from triage.directory import sync_directory


@click.group()
def users() -> None:
    """Kelola akun petugas. Manage staff accounts (roles: admin, verifikator, opd, analis, pimpinan)."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="Peran pengguna. The user's role.")
@click.option("--opd", "opd_code", help="Kode OPD (wajib untuk peran opd), e.g. dpupr.")
@click.option("--name", "display_name", default="", help="Nama lengkap. Display name.")
@click.option("--password", envvar="PILAH_NEW_PASSWORD",
              help="Kata sandi (ditanyakan dua kali bila tidak diberikan; min. 10 karakter).")
@click.pass_obj
def add(settings: Settings, username: str, role: str, opd_code: str | None, display_name: str,
        password: str | None) -> None:
    """Tambah pengguna. Add a user, e.g. the first admin: pilah users add admin --role admin

    On a database no batch has run on yet, an OPD liaison's office is found by loading the directory from
    data/ in the same transaction as the account; a loaded directory is never synced from here, since that
    would also apply pending routing edits."""
    factory = open_database(settings)
    new = NewUser(username=canonical_username(username), display_name=display_name, role=role, password="",
                  opd_code=opd_code)
    with factory() as session:  # never committed: checked before the password is asked
        first_directory = bool(opd_code) and not directory_loaded(session)
        if first_directory:
            sync_directory(session, settings.data_dir, editor=cli_actor())
        validate_account(session, new)
    chosen = password if password is not None else ask_new_password()
    with transaction(factory) as session:
        if first_directory:
            sync_directory(session, settings.data_dir, editor=cli_actor())
        user = create_user(session, replace(new, password=chosen), actor=cli_actor())
    click.echo(f"pengguna {user.username} ({user.role}{' · ' + user.opd_code if user.opd_code else ''}) dibuat")


def ask_new_password() -> str:
    """Asked twice, in Indonesian, until both entries agree and the first is long enough."""
    while True:
        first = click.prompt("Kata sandi / password", hide_input=True)
        if len(first) < MIN_LENGTH:
            click.echo(f"Kata sandi minimal {MIN_LENGTH} karakter / at least {MIN_LENGTH} characters", err=True)
            continue
        if click.prompt("Ulangi kata sandi / repeat it", hide_input=True) == first:
            return first
        click.echo("Kedua kata sandi tidak sama, ulangi / the two entries differ, try again", err=True)


@users.command("list")
@click.pass_obj
def list_users(settings: Settings) -> None:
    """Daftar pengguna. List users."""
    with open_database(settings)() as session:
        for user in queries.all_users(session):
            state = "aktif" if user.active else "nonaktif"
            click.echo(f"{user.username}\t{user.role}\t{user.opd_code or '-'}\t{state}\t{user.display_name}")


@users.command("password")
@click.argument("username")
@click.option("--password", envvar="PILAH_NEW_PASSWORD", help="Kata sandi baru (ditanyakan dua kali bila tidak "
              "diberikan).")
@click.pass_obj
def change_password(settings: Settings, username: str, password: str | None) -> None:
    """Ganti kata sandi. Set a user's password."""
    factory = open_database(settings)
    with factory() as session:
        existing_user(session, username)
    chosen = password if password is not None else ask_new_password()
    with transaction(factory) as session:
        set_password(session, username, chosen, actor=cli_actor())
    click.echo(f"kata sandi {username} diganti")


@users.command("deactivate")
@click.argument("username")
@click.pass_obj
def deactivate(settings: Settings, username: str) -> None:
    """Nonaktifkan pengguna (sesi berakhir pada permintaan berikutnya). Deactivate a user."""
    with transaction(open_database(settings)) as session:
        set_active(session, username, False, actor=cli_actor())
    click.echo(f"pengguna {username} dinonaktifkan")


@click.group()
def tokens() -> None:
    """Token API untuk integrasi /api/v1. API tokens for integrations."""


@tokens.command("add")
@click.argument("username")
@click.option("--name", required=True, help="Nama integrasi, e.g. 'lapor-sp4n'.")
@click.pass_obj
def add_token(settings: Settings, username: str, name: str) -> None:
    """Buat token (ditampilkan sekali). Issue a token for USERNAME; it is shown only once."""
    with transaction(open_database(settings)) as session:
        user = existing_user(session, username)
        token = issue_token(session, user, name, actor=cli_actor())
    click.echo(token)


@tokens.command("list")
@click.pass_obj
def list_tokens(settings: Settings) -> None:
    """Daftar token (tanpa nilainya). List tokens (never their values)."""
    with open_database(settings)() as session:
        for token, username in queries.tokens_of(session):
            state = "dicabut" if token.revoked_at else "aktif"
            click.echo(f"{token.id}\t{token.name}\t{username}\t{state}\t{token.last_used_at or '-'}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@click.pass_obj
def revoke(settings: Settings, token_id: int) -> None:
    """Cabut token. Revoke a token by its id."""
    with transaction(open_database(settings)) as session:
        revoke_token(session, token_id, now=utcnow(), actor=cli_actor())
    click.echo(f"token {token_id} dicabut")

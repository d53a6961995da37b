"""Accounts: `pilah users add` and the admin's user page share the same rules."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select
from web_helpers import csrf_of, form_values, html

from pilah.cli import main
from pilah.schema import ApiToken, AuditEvent, User


def test_cli_adds_the_first_admin_with_an_argon2_hash(engine, database_url, monkeypatch) -> None:
    monkeypatch.setenv("PILAH_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["users", "add", "admin", "--role", "admin"],
                                input="kata-sandi-panjang\nkata-sandi-panjang\n")
    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        stored = connection.execute(select(User.password_hash, User.role)).one()
    assert stored.password_hash.startswith("$argon2id$") and stored.role == "admin"


def test_cli_refuses_opd_role_without_opd(engine, database_url, monkeypatch) -> None:
    monkeypatch.setenv("PILAH_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["users", "add", "budi", "--role", "opd", "--password", "kata-sandi-panjang"])
    assert result.exit_code == 2 and "opd" in result.output


def test_admin_page_adds_user_and_rerenders_errors(login, directory) -> None:
    client = login("admin")
    page = html(client.get("/pengguna"))
    bad = client.post("/pengguna", data=form_values(page, "form-user") | {
        "username": "liaison-dinkes", "role": "opd", "password": "pendek"})
    assert bad.status_code == 400
    assert html(bad).select_one("#form-user .error-text") is not None
    good = client.post("/pengguna", data={"csrf_token": csrf_of(client, "/pengguna"), "username": "liaison-dinkes",
                                          "role": "opd", "opd_code": "dinkes", "password": "kata-sandi-panjang"})
    assert good.status_code == 303
    with directory() as session:
        assert session.scalars(select(User.opd_code).where(User.username == "liaison-dinkes")).one() == "dinkes"
        assert [(e.actor, e.entity_id, e.action) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "user", AuditEvent.action == "create",
                                     AuditEvent.entity_id == "liaison-dinkes"))] == [
            ("u-admin-x", "liaison-dinkes", "create")]


def test_account_and_token_changes_are_audited_once_each(engine, database_url, monkeypatch) -> None:
    """Deactivating an inactive account or revoking a revoked token changes nothing, so it records nothing."""
    monkeypatch.setenv("PILAH_DATABASE_URL", database_url)
    runner = CliRunner()
    commands = [["users", "add", "rina", "--role", "verifikator", "--password", "kata-sandi-panjang"],
                ["users", "password", "rina", "--password", "kata-sandi-baru-1"],
                ["users", "deactivate", "rina"], ["users", "deactivate", "rina"],
                ["tokens", "add", "rina", "--name", "lapor-sp4n"], ["tokens", "revoke", "1"]]
    for command in commands:
        assert runner.invoke(main, command).exit_code == 0, command
    with engine.connect() as connection:
        revoked_at = connection.execute(select(ApiToken.revoked_at)).scalar_one()
    assert runner.invoke(main, ["tokens", "revoke", "1"]).exit_code == 0
    with engine.connect() as connection:
        events = connection.execute(select(AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.action,
                                           AuditEvent.actor).order_by(AuditEvent.id)).all()
        assert connection.execute(select(ApiToken.revoked_at)).scalar_one() == revoked_at
    assert [tuple(e[:3]) for e in events] == [("user", "rina", "create"), ("user", "rina", "password"),
                                              ("user", "rina", "deactivate"), ("api_token", "1", "issue"),
                                              ("api_token", "1", "revoke")]
    assert all(actor.startswith("cli") for *_, actor in events)

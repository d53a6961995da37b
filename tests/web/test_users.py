"""Accounts: `pilah users add` and the admin's user page share the same rules."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select
from web_helpers import csrf_of, form_values, html

from pilah.cli import main
from pilah.schema import ApiToken, AuditEvent, RoutingRule, User


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


def test_cli_adds_an_opd_liaison_before_any_batch_has_loaded_the_directory(engine, database_url,
                                                                            monkeypatch) -> None:
    monkeypatch.setenv("PILAH_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["users", "add", "pupr1", "--role", "opd", "--opd", "dpupr"],
                                input="kata-sandi-panjang\nkata-sandi-panjang\n")
    assert result.exit_code == 0, result.output
    assert "pengguna pupr1 (opd · dpupr) dibuat" in result.output
    unknown = CliRunner().invoke(main, ["users", "add", "x-opd", "--role", "opd", "--opd", "dinas-tak-ada"])
    assert unknown.exit_code == 2 and "OPD 'dinas-tak-ada' tidak dikenal" in unknown.output
    assert "Kata sandi" not in unknown.output


def test_adding_a_liaison_never_resyncs_a_loaded_directory(directory, database_url, monkeypatch) -> None:
    """A routing rule an admin switched off on the web stays off: only a database with no directory at all
    has it loaded from data/ for the account."""
    with directory.begin() as session:
        rule = session.scalars(select(RoutingRule).where(RoutingRule.opd_code == "dpupr")).first()
        rule.active, rule_id = False, rule.id
    monkeypatch.setenv("PILAH_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["users", "add", "pupr1", "--role", "opd", "--opd", "dpupr",
                                       "--password", "kata-sandi-panjang"])
    assert result.exit_code == 0, result.output
    with directory() as session:
        assert session.get(RoutingRule, rule_id).active is False


def test_cli_refuses_a_taken_name_before_asking_for_a_password(engine, database_url, monkeypatch) -> None:
    monkeypatch.setenv("PILAH_DATABASE_URL", database_url)
    runner = CliRunner()
    assert runner.invoke(main, ["users", "add", "rina", "--role", "verifikator",
                                "--password", "kata-sandi-panjang"]).exit_code == 0
    again = runner.invoke(main, ["users", "add", "Rina", "--role", "verifikator"])
    assert again.exit_code == 2 and "sudah ada" in again.output and "Kata sandi" not in again.output
    missing = runner.invoke(main, ["users", "password", "budi"])
    assert missing.exit_code == 2 and "tidak ada" in missing.output and "Kata sandi" not in missing.output


def test_cli_asks_again_in_indonesian_when_the_two_entries_differ(engine, database_url, monkeypatch) -> None:
    monkeypatch.setenv("PILAH_DATABASE_URL", database_url)
    typed = "pendek\nkata-sandi-panjang\nkata-sandi-lain\nkata-sandi-panjang\nkata-sandi-panjang\n"
    result = CliRunner().invoke(main, ["users", "add", "sari", "--role", "verifikator"], input=typed)
    assert result.exit_code == 0, result.output
    assert "Kata sandi minimal 10 karakter" in result.output
    assert "Kedua kata sandi tidak sama, ulangi" in result.output
    assert result.output.count("Ulangi kata sandi / repeat it") == 2


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
    row = next(tr for tr in html(client.get("/pengguna")).select("tr") if "liaison-dinkes" in tr.get_text())
    assert row.select_one(".opd").get_text() == "Dinkes" and row.select_one(".opd")["title"] == "dinkes"
    with directory() as session:
        assert session.scalars(select(User.opd_code).where(User.username == "liaison-dinkes")).one() == "dinkes"
        assert [(e.actor, e.entity_id, e.action) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "user", AuditEvent.action == "create",
                                     AuditEvent.entity_id == "liaison-dinkes"))] == [
            ("u-admin-x", "liaison-dinkes", "create")]


def test_account_errors_on_the_page_speak_the_readers_language_without_cli_options(login) -> None:
    """`pilah users add` says "Indonesian / English (--opd)"; the form says one language and no option."""
    client = login("admin")
    fields = form_values(html(client.get("/pengguna")), "form-user") | {
        "username": "liaison-baru", "role": "opd", "opd_code": "", "password": "kata-sandi-panjang"}
    error = html(client.post("/pengguna", data=fields)).select_one("#form-user .error-text").get_text()
    assert error == "Peran opd memerlukan kode OPD"
    client.cookies.set("pilah_lang", "en")
    error = html(client.post("/pengguna", data=fields)).select_one("#form-user .error-text").get_text()
    assert error == "Role opd needs an OPD code"
    error = html(client.post("/pengguna", data=fields | {"opd_code": "dpupr", "password": "pendek"})).select_one(
        "#form-user .error-text").get_text()
    assert "/" not in error and "--" not in error and error.startswith("Password too short")


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


def test_a_username_is_one_account_however_it_is_typed(engine, database_url, monkeypatch) -> None:
    monkeypatch.setenv("PILAH_DATABASE_URL", database_url)
    added = CliRunner().invoke(main, ["users", "add", " Rina ", "--role", "verifikator",
                                      "--password", "kata-sandi-panjang"])
    assert added.exit_code == 0, added.output
    changed = CliRunner().invoke(main, ["users", "password", "RINA"], input="sandi-baru-panjang\nsandi-baru-panjang\n")
    assert changed.exit_code == 0, changed.output
    token = CliRunner().invoke(main, ["tokens", "add", "Rina", "--name", "lapor-sp4n"])
    assert token.exit_code == 0, token.output
    with engine.connect() as connection:
        assert connection.execute(select(User.username)).scalars().all() == ["rina"]


def test_the_users_page_names_roles_in_the_readers_language(login, users) -> None:
    client = login("admin")
    page = html(client.get("/pengguna"))
    row = next(tr for tr in page.select("table.users tr") if users["opd"].username in tr.get_text())
    assert row.select_one(".role").get_text() == "Pejabat penghubung OPD" and row.select_one(".role")["title"] == "opd"
    assert row.select("td")[2].get_text() == "Pejabat penghubung OPD"  # the role's cell: its name alone
    options = {o["value"]: o.get_text() for o in page.select("#form-user select[name=role] option") if o["value"]}
    assert options == {"admin": "Admin", "verifikator": "Verifikator", "opd": "Pejabat penghubung OPD",
                       "analis": "Analis", "pimpinan": "Pimpinan"}
    client.cookies.set("pilah_lang", "en")
    row = next(tr for tr in html(client.get("/pengguna")).select("table.users tr")
               if users["analis"].username in tr.get_text())
    assert row.select_one(".role").get_text() == "Analyst"


def test_the_active_column_says_each_accounts_state_beside_the_button_that_changes_it(login, users) -> None:
    client = login("admin")
    row = next(tr for tr in html(client.get("/pengguna")).select("table.users tr")
               if users["opd"].username in tr.get_text())
    assert row.select("td")[-1].get_text(" ", strip=True) == "ya Nonaktifkan"
    token = row.select_one("input[name=csrf_token]")["value"]
    assert client.post(f"/pengguna/{users['opd'].username}/aktif", data={"csrf_token": token}).status_code == 303
    row = next(tr for tr in html(client.get("/pengguna")).select("table.users tr")
               if users["opd"].username in tr.get_text())
    assert row.select("td")[-1].get_text(" ", strip=True) == "tidak Aktifkan"

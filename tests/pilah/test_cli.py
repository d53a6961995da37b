"""The CLI shell: parses input, calls the library, turns errors into readable messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from pilah.cli import main
from pilah.settings import load_settings


def test_config_show_prints_settings_without_secrets(runner: CliRunner) -> None:
    result = runner.invoke(main, ["config", "show"], env={"PILAH_X_BEARER_TOKEN": "AAAA-secret"})
    assert result.exit_code == 0
    assert "kabupaten = 18.01" in result.output and "AAAA-secret" not in result.output


def test_invalid_config_exits_with_the_named_error(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "pilah.toml").write_text('timezone = "Mars/Olympus"\n')
    result = runner.invoke(main, ["config", "show"])
    assert result.exit_code == 2
    assert "config_invalid" in result.output and "timezone" in result.output


def test_db_upgrade_then_current_reports_up_to_date(runner: CliRunner, tmp_path: Path) -> None:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}"}
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(main, ["db", "current"], env=env)
    assert "up to date" in result.output


def test_import_refuses_a_database_that_was_never_upgraded(runner: CliRunner, tmp_path: Path,
                                                             fixtures_dir: Path) -> None:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'baru.sqlite'}"}
    result = runner.invoke(main, ["import", "--format", "sms-csv", str(fixtures_dir / "sms/inbox.csv")], env=env)
    assert result.exit_code == 3 and "pilah db upgrade" in result.output


def test_import_prints_a_summary_and_is_idempotent(runner: CliRunner, tmp_path: Path, fixtures_dir: Path) -> None:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}"}
    runner.invoke(main, ["db", "upgrade"], env=env)
    args = ["import", "--format", "sms-csv", str(fixtures_dir / "sms/inbox.csv")]
    first = runner.invoke(main, args, env=env)
    second = runner.invoke(main, args, env=env)
    assert "3 baru/new" in first.output and "2 karantina" in first.output
    assert "0 baru/new, 3 sudah ada" in second.output


def test_quarantine_lists_reasons(runner: CliRunner, tmp_path: Path, fixtures_dir: Path) -> None:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}"}
    runner.invoke(main, ["db", "upgrade"], env=env)
    runner.invoke(main, ["import", "--format", "sms-csv", str(fixtures_dir / "sms/inbox.csv")], env=env)
    result = runner.invoke(main, ["quarantine"], env=env)
    assert "column ID is empty" in result.output


def test_unknown_format_is_a_usage_error(runner: CliRunner, fixtures_dir: Path) -> None:
    result = runner.invoke(main, ["import", "--format", "whatsapp", str(fixtures_dir / "sms/inbox.csv")])
    assert result.exit_code == 2 and "whatsapp" in result.output


def test_csv_import_with_a_column_map(runner: CliRunner, tmp_path: Path) -> None:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}"}
    runner.invoke(main, ["db", "upgrade"], env=env)
    source = tmp_path / "rekap.csv"
    source.write_text("no,isi,tanggal,nama\n1,Jalan rusak di desa Hajimena,2026-11-20 08:00,Budi\n", encoding="utf-8")
    columns = "text=isi,created_at=tanggal,author_name=nama"
    result = runner.invoke(main, ["import", "--format", "csv", "--map", columns, str(source)], env=env)
    assert result.exit_code == 0, result.output
    assert "1 baru/new" in result.output


def test_bad_column_map_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "rekap.csv"
    source.write_text("isi\nhalo\n", encoding="utf-8")
    result = runner.invoke(main, ["import", "--format", "csv", "--map", "judul=isi", str(source)])
    assert result.exit_code == 2 and "--map" in result.output


def test_missing_model_is_a_message_not_a_traceback(runner: CliRunner, tmp_path: Path) -> None:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}", "PILAH_MODELS_DIR": str(tmp_path / "kosong")}
    runner.invoke(main, ["db", "upgrade"], env=env)
    result = runner.invoke(main, ["triage"], env=env)
    assert result.exit_code == 4 and "model_not_found" in result.output and "pilah train --seed" in result.output
    assert "Traceback" not in result.output


def test_the_first_triage_of_a_new_database_loads_the_opds_and_routing_rules(runner: CliRunner,
                                                                            fixtures_dir: Path, tmp_path: Path) -> None:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}"}
    runner.invoke(main, ["db", "upgrade"], env=env)
    runner.invoke(main, ["import", "--format", "sms-csv", str(fixtures_dir / "sms/inbox.csv")], env=env)
    result = runner.invoke(main, ["triage"], env=env)
    assert result.exit_code == 0, result.output
    assert "diklasifikasi" in result.output


def test_serving_beyond_this_computer_without_secure_cookies_warns(runner: CliRunner, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    listened: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: listened.append(options["host"]))
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}", "PILAH_SECRET_KEY": "k" * 40}
    runner.invoke(main, ["db", "upgrade"], env=env)
    local = runner.invoke(main, ["serve"], env=env)
    shared = runner.invoke(main, ["serve", "--host", "0.0.0.0"], env=env)
    secured = runner.invoke(main, ["serve", "--host", "0.0.0.0"], env={**env, "PILAH_WEB__SECURE_COOKIES": "true"})
    assert listened == ["127.0.0.1", "0.0.0.0", "0.0.0.0"]
    assert "secure_cookies" not in local.output and "secure_cookies" not in secured.output
    assert "secure_cookies = true" in shared.output


def test_an_empty_quarantine_says_so(runner: CliRunner, tmp_path: Path) -> None:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}"}
    runner.invoke(main, ["db", "upgrade"], env=env)
    result = runner.invoke(main, ["quarantine"], env=env)
    assert result.exit_code == 0 and "Karantina kosong" in result.output


def _migrated(runner: CliRunner, tmp_path: Path) -> dict[str, str]:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}"}
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    return env


def test_a_database_lost_mid_command_is_one_coded_line(runner: CliRunner, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    env = _migrated(runner, tmp_path)

    def server_gone(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr("pilah.cli.reporting.compute_statistics", server_gone)
    result = runner.invoke(main, ["report", "--from", "2026-11-01", "--to", "2026-11-30"], env=env)
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert "[database_unavailable] basis data sqlite:///" in result.output and "gagal saat perintah" in result.output
    assert "server closed the connection unexpectedly" in result.output and "jalankan ulang" in result.output


def test_two_batches_at_once_end_the_loser_with_a_coded_line(runner: CliRunner, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    env = _migrated(runner, tmp_path)

    def raced(*args, **kwargs):
        raise StaleDataError("20 of 20 reports changed while the batch ran")

    monkeypatch.setattr("pilah.cli.batch.run_nightly_batch", raced)
    result = runner.invoke(main, ["batch", "--quiet"], env=env)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith("Error: [concurrent_run] proses lain")


def test_the_config_named_on_the_command_line_reaches_the_processes_it_starts(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve --workers 2` starts uvicorn workers that read their settings again (pilah.web.asgi)."""
    monkeypatch.setenv("PILAH_CONFIG", "")  # restored after the test: the command sets it for its children
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "pilah.toml").write_text('kabupaten = "33.03"\n', encoding="utf-8")
    result = runner.invoke(main, ["--config", "etc/pilah.toml", "config", "show"])
    assert result.exit_code == 0, result.output
    assert os.environ["PILAH_CONFIG"] == str(tmp_path / "etc" / "pilah.toml")
    assert load_settings().kabupaten == "33.03"

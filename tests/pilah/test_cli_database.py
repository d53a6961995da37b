"""A database pilah cannot open, and `pilah db` moving the schema: coded errors, confirmation before loss."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import inspect

from pilah.cli import main
from pilah.db import make_engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
COMMANDS = [["import", "--format", "sms-csv", str(FIXTURES / "sms" / "inbox.csv")], ["report"], ["users", "list"],
            ["db", "current"], ["db", "upgrade"], ["db", "downgrade", "base", "--yes"]]


def _coded(result: Result, code: str, exit_code: int) -> None:
    """Exited through the CLI's error path (no exception escaped to print a traceback), with the code."""
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == exit_code and f"[{code}]" in result.output, result.output
    assert "Traceback" not in result.output and "sqlalchemy" not in result.output.lower()


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args[:2]))
def test_a_file_that_is_not_a_database_is_a_coded_error(runner: CliRunner, tmp_path: Path, args: list[str]) -> None:
    not_a_database = tmp_path / "laporan.csv"
    not_a_database.write_text("teks,kategori\njalan rusak,infrastruktur\n" * 50)
    result = runner.invoke(main, args, env={"PILAH_DATABASE_URL": f"sqlite:///{not_a_database}"})
    _coded(result, "database_unavailable", 3)
    assert f"check that {not_a_database} is a pilah database" in result.output


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args[:2]))
def test_an_unreachable_server_is_a_coded_error_without_the_password(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(main, args, env={"PILAH_DATABASE_URL": "postgresql+psycopg://pilah:hunter2@127.0.0.1:1/x"})
    _coded(result, "database_unavailable", 3)
    assert "postgresql+psycopg://pilah:***@127.0.0.1:1/x" in result.output and "hunter2" not in result.output
    assert "database server is running" in result.output


@pytest.mark.parametrize("args", [["upgrade", "abc"], ["downgrade", "9999"], ["downgrade", "9999", "--yes"]])
def test_an_unknown_revision_is_a_coded_error_naming_the_known_ones(runner: CliRunner, tmp_path: Path,
                                                                    args: list[str]) -> None:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}"}
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(main, ["db", *args], env=env, input="y\n")
    _coded(result, "revision_invalid", 2)
    assert f"'{args[1]}'" in result.output and "base, 0001" in result.output and "(head)" in result.output
    assert "pilah db current" in result.output and "Lanjutkan" not in result.output  # refused before asking


def test_downgrading_to_a_revision_above_the_current_one_is_a_coded_error(runner: CliRunner, tmp_path: Path) -> None:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}"}
    assert runner.invoke(main, ["db", "upgrade", "0002"], env=env).exit_code == 0
    _coded(runner.invoke(main, ["db", "downgrade", "0005", "--yes"], env=env), "revision_invalid", 2)


def test_downgrade_asks_first_and_a_no_keeps_every_table(runner: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    assert runner.invoke(main, ["db", "upgrade"], env={"PILAH_DATABASE_URL": url}).exit_code == 0
    tables = set(inspect(make_engine(url)).get_table_names())
    result = runner.invoke(main, ["db", "downgrade", "base"], env={"PILAH_DATABASE_URL": url}, input="n\n")
    assert result.exit_code == 1 and "EVERY pilah table and its data is dropped" in result.output
    assert "SEMUA tabel" in result.output
    assert set(inspect(make_engine(url)).get_table_names()) == tables


def test_downgrade_with_yes_drops_without_asking_and_says_so_in_both_languages(runner: CliRunner,
                                                                               tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    assert runner.invoke(main, ["db", "upgrade"], env={"PILAH_DATABASE_URL": url}).exit_code == 0
    result = runner.invoke(main, ["db", "downgrade", "base", "--yes"], env={"PILAH_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "Lanjutkan" not in result.output
    assert result.output.strip() == "sekarang di / now at: base (kosong / empty)"
    assert set(inspect(make_engine(url)).get_table_names()) <= {"alembic_version"}


def test_a_confirmed_downgrade_reaches_the_revision(runner: CliRunner, tmp_path: Path) -> None:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}"}
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(main, ["db", "downgrade", "0009"], env=env, input="y\n")
    assert result.exit_code == 0 and "sekarang di / now at: 0009" in result.output

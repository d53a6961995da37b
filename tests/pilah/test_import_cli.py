"""`pilah import` says when a whole file could not be read, and exits non-zero for a scheduled job to notice."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pilah.cli import main


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    for name in ("PILAH_CONFIG", "PILAH_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


@pytest.fixture
def env(runner: CliRunner, tmp_path: Path) -> dict[str, str]:
    env = {"PILAH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite'}"}
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    return env


def test_a_file_read_with_the_wrong_map_is_named_and_the_exit_code_says_so(runner: CliRunner, env: dict[str, str],
                                                                           tmp_path: Path) -> None:
    readable, wrong = tmp_path / "sms.csv", tmp_path / "rekap.csv"
    readable.write_text("text,created_at\njalan rusak di natar,2026-11-20 08:00\n", encoding="utf-8")
    wrong.write_text("no,isi,tanggal\n1,jalan rusak di natar,2026-11-20 08:00\n", encoding="utf-8")
    result = runner.invoke(main, ["import", "--format", "csv", str(readable), str(wrong)], env=env)
    assert result.exit_code == 1
    assert "sms.csv: 1 baru/new" in result.output and "rekap.csv: 0 baru/new" in result.output
    assert "seluruh berkas tidak terbaca / the whole file could not be read: CSV tidak punya kolom" in result.output
    assert "Traceback" not in result.output


def test_a_file_with_bad_rows_only_is_no_failure(runner: CliRunner, env: dict[str, str], tmp_path: Path) -> None:
    export = tmp_path / "rekap.csv"
    export.write_text("text,created_at\njalan rusak di natar,kemarin\n", encoding="utf-8")
    result = runner.invoke(main, ["import", "--format", "csv", str(export)], env=env)
    assert result.exit_code == 0 and "1 karantina/quarantined" in result.output
    assert "tidak terbaca" not in result.output

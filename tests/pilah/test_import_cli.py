"""`pilah import` says when a whole file could not be read (exit 1, for a scheduled job to notice);
`pilah quarantine` names each item's file and lets a person dismiss one, audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from pilah.cli import main
from pilah.db import make_engine, session_factory
from pilah.queries.reports import count_quarantine
from pilah.schema import AuditEvent


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


def test_quarantine_names_the_file_and_a_person_can_dismiss_an_item_with_an_audited_note(
        runner: CliRunner, env: dict[str, str], fixtures_dir: Path) -> None:
    runner.invoke(main, ["import", "--format", "sms-csv", str(fixtures_dir / "sms/inbox.csv")], env=env)
    listed = runner.invoke(main, ["quarantine"], env=env).output.splitlines()
    assert len(listed) == 2 and all(" sms inbox.csv row " in line for line in listed)
    first = listed[-1].split()[0].lstrip("#")
    unknown = runner.invoke(main, ["quarantine", "dismiss", first, "999", "--by", "rina", "--note", "x"], env=env)
    assert unknown.exit_code == 2 and "no such item: 999" in unknown.output
    note = "nomor pengirim dihubungi, aduan diketik ulang"
    done = runner.invoke(main, ["quarantine", "dismiss", first, first, "--by", "rina", "--note", note], env=env)
    assert done.exit_code == 0 and done.output.startswith("1 item ditandai selesai")
    again = runner.invoke(main, ["quarantine", "dismiss", first, "--by", "rina", "--note", note], env=env)
    assert "0 item ditandai selesai / dismissed, 1 sudah selesai sebelumnya" in again.output
    left = runner.invoke(main, ["quarantine"], env=env).output.splitlines()
    assert len(left) == 1 and not left[0].startswith(f"#{first} ")
    with session_factory(make_engine(env["PILAH_DATABASE_URL"]))() as session:
        events = session.execute(select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.actor, AuditEvent.reason)
                                 .where(AuditEvent.entity_type == "quarantine")).all()
        still_counted = count_quarantine(session, None, None)
    assert [tuple(e) for e in events] == [(first, "dismiss", "rina", note)]
    assert still_counted == 2  # a published month's figures do not change when the list is tidied

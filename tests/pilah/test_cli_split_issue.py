"""`pilah triage split-issue`: the shell over triage.multi_issue (the function itself is tested in tests/triage)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from pilah import PROJECT_ROOT, migrate
from pilah.auth.accounts import NewUser, create_user, set_active
from pilah.cli import main
from pilah.db import make_engine, session_factory
from pilah.schema import AuditEvent, ChannelPayload, Post, Report
from triage.directory import sync_directory


@pytest.fixture
def database(tmp_path: Path) -> tuple[str, int]:
    """A migrated SQLite file with the directory loaded and one verified road report; returns (url, report id)."""
    url = f"sqlite:///{tmp_path / 'split.sqlite'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_factory(engine)() as session, session.begin():
        sync_directory(session, PROJECT_ROOT / "data")
        payload = ChannelPayload(channel="sms", endpoint="test", parameters={}, collector_version="test",
                                 retrieved_at=datetime.now(UTC), sha256="0" * 64, body=b"{}")
        session.add(payload)
        session.flush()
        post = Post(channel="sms", source_id="sms-1", payload_id=payload.id, author_id="0812", text="jalan rusak, "
                    "sampah menumpuk di pasar kalianda", created_at=datetime(2026, 11, 20, 2, tzinfo=UTC))
        session.add(post)
        session.flush()
        report = Report(post_id=post.id, status="terverifikasi", category="infrastruktur", category_terms=[])
        session.add(report)
        session.flush()
        report_id = report.id
        for username, role, active in (("rina", "verifikator", True), ("dodi", "analis", True),
                                       ("yanti", "verifikator", False)):
            create_user(session, NewUser(username, username.title(), role, "rahasia-uji-123"), actor="admin")
            set_active(session, username, active, actor="admin")
    engine.dispose()
    return url, report_id


def test_split_issue_creates_the_second_report(database, monkeypatch: pytest.MonkeyPatch) -> None:
    url, report_id = database
    monkeypatch.delenv("PILAH_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["triage", "split-issue", str(report_id), "--category", "lingkungan",
                                       "--actor", "rina", "--note", "sampah di pasar"],
                                env={"PILAH_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "usulan OPD dlh" in result.output
    with session_factory(make_engine(url))() as session:
        new = session.scalars(select(Report).where(Report.split_from_id == report_id)).one()
        assert (new.category, new.status) == ("lingkungan", "perlu_verifikasi")


def test_a_refused_split_is_a_message_not_a_traceback(database, monkeypatch: pytest.MonkeyPatch) -> None:
    url, report_id = database
    monkeypatch.delenv("PILAH_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["triage", "split-issue", str(report_id), "--category", "infrastruktur",
                                       "--actor", "rina"], env={"PILAH_DATABASE_URL": url})
    assert result.exit_code == 1 and "issue_split_refused" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("actor", ["budi", "dodi", "yanti"])
def test_the_actor_must_be_an_active_reviewer(database, monkeypatch: pytest.MonkeyPatch, actor: str) -> None:
    """The audit names who split the report: an unknown name, an analis or a deactivated account is refused."""
    url, report_id = database
    monkeypatch.delenv("PILAH_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["triage", "split-issue", str(report_id), "--category", "lingkungan",
                                       "--actor", actor], env={"PILAH_DATABASE_URL": url})
    assert result.exit_code == 2 and "actor_unknown" in result.output and "Traceback" not in result.output
    with session_factory(make_engine(url))() as session:
        assert session.scalars(select(Report).where(Report.split_from_id == report_id)).all() == []


def test_the_audit_names_the_account_not_the_name_as_typed(database, monkeypatch: pytest.MonkeyPatch) -> None:
    url, report_id = database
    monkeypatch.delenv("PILAH_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["triage", "split-issue", str(report_id), "--category", "lingkungan",
                                       "--actor", " RINA "], env={"PILAH_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    with session_factory(make_engine(url))() as session:
        actors = set(session.scalars(select(AuditEvent.actor).where(AuditEvent.entity_type == "report")))
    assert actors == {"rina"}

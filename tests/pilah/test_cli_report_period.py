"""`pilah report` with --to before --from: the period is swapped, as on the dashboard, and the swap is said."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from pilah import PROJECT_ROOT
from pilah.cli import main
from pilah.schema import ChannelPayload, Post, Report
from triage.directory import sync_directory


@pytest.fixture
def november_db(factory: sessionmaker[Session], database_url: str) -> str:
    """Two reports received in November 2026."""
    with factory() as session, session.begin():
        sync_directory(session, PROJECT_ROOT / "data")
        for n, day in enumerate((5, 20)):
            payload = ChannelPayload(channel="sms", endpoint="t", parameters={}, collector_version="t",
                                     retrieved_at=datetime.now(UTC), sha256=f"{n:064d}", body=b"")
            session.add(payload)
            session.flush()
            post = Post(channel="sms", source_id=f"s{n}", payload_id=payload.id, author_id=f"a{n}",
                        text=f"laporan {n}", created_at=datetime(2026, 11, day, 9, tzinfo=ZoneInfo("Asia/Jakarta")))
            session.add(post)
            session.flush()
            session.add(Report(post_id=post.id, status="perlu_verifikasi", category="adminduk", category_terms=[]))
    return database_url


def test_a_reversed_period_is_swapped_and_said_on_stderr(november_db: str) -> None:
    env = {"PILAH_DATABASE_URL": november_db}
    ordered = CliRunner().invoke(main, ["report", "--from", "2026-11-01", "--to", "2026-11-30"], env=env)
    reversed_ = CliRunner().invoke(main, ["report", "--from", "2026-11-30", "--to", "2026-11-01"], env=env)
    assert reversed_.exit_code == 0, reversed_.output
    assert "| Laporan masuk | 2 |" in reversed_.stdout.splitlines()
    assert reversed_.stdout == ordered.stdout
    (notice,) = reversed_.stderr.splitlines()
    assert "ditukar" in notice and "swapped to 2026-11-01 to 2026-11-30" in notice


def test_a_period_in_order_says_nothing_on_stderr(november_db: str) -> None:
    result = CliRunner().invoke(main, ["report", "--from", "2026-11-20", "--to", "2026-11-20"],
                                env={"PILAH_DATABASE_URL": november_db})
    assert result.exit_code == 0 and result.stderr == ""
    assert "| Laporan masuk | 1 |" in result.stdout.splitlines()

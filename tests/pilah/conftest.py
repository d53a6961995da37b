"""Fixtures for the shell's commands; the database fixtures come from tests/conftest.py."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from pilah.schema import ChannelPayload, Post, Report


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    """A command line in an empty folder with no pilah settings in the environment (a test passes its own),
    so neither the developer's pilah.toml nor their tokens reach a test."""
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("PILAH_") and not name.startswith("PILAH_TEST_")]:
        monkeypatch.delenv(name)
    return CliRunner()


@pytest.fixture
def sms_report(engine, factory: sessionmaker[Session]) -> int:
    """The id of a report waiting for details (`tertunda`) on an SMS from +6281200000009: what an outbox
    reply answers."""
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with factory() as session, session.begin():
        payload = ChannelPayload(channel="sms", endpoint="test", parameters={}, collector_version="t",
                                 retrieved_at=now, sha256="0" * 64, body=b"{}")
        session.add(payload)
        session.flush()
        post = Post(channel="sms", source_id="modem1:1", payload_id=payload.id, author_id="+6281200000009",
                    text="lampu mati", created_at=now)
        session.add(post)
        session.flush()
        report = Report(post_id=post.id, status="tertunda", category_terms=[])
        session.add(report)
        session.flush()
        return report.id

"""Fixtures for the shell's commands; the database fixtures come from tests/conftest.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pilah.schema import ChannelPayload, Post, Report


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

"""Fixtures for triage: a fake tagger, the working-day calendar, the directory, and a post factory.

The database fixtures (engine, factory, session, data_dir) come from tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from triage_helpers import JAKARTA, FakeSettings, FakeTagger, wib

from pilah.schema import ChannelPayload, Post
from triage.directory import sync_directory
from triage.sla import WorkingCalendar


@pytest.fixture
def fake_tagger() -> FakeTagger:
    return FakeTagger()


@pytest.fixture
def triage_settings() -> FakeSettings:
    return FakeSettings()


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return WorkingCalendar.load(Path(__file__).resolve().parents[2] / "data" / "holidays", JAKARTA)


@pytest.fixture
def directory(session: Session, data_dir: Path) -> Session:
    """The session, with data/opd.toml and data/routing.toml synced into it and committed."""
    with session.begin():
        sync_directory(session, data_dir)
    return session


PostMaker = Callable[..., Post]


@pytest.fixture
def make_post(session: Session) -> PostMaker:
    """Insert a post (with a stand-in payload) and return it; sensible defaults for everything."""
    counter = {"n": 0}

    def make(text: str, *, channel: str = "twitter", source_id: str | None = None,
             created_at: datetime | None = None, author_id: str | None = None, author_name: str | None = None,
             **links: str) -> Post:
        counter["n"] += 1
        n = counter["n"]
        with session.begin_nested() if session.in_transaction() else session.begin():
            payload = ChannelPayload(channel=channel, endpoint="test", parameters={}, collector_version="test",
                                     retrieved_at=datetime.now(UTC), sha256=f"{n:064d}", body=b"{}")
            session.add(payload)
            session.flush()
            post = Post(channel=channel, source_id=source_id or f"{channel}-{n}", payload_id=payload.id,
                        author_id=author_id or f"user-{n}", author_name=author_name, text=text,
                        created_at=created_at or wib(2026, 11, 10, 8, 0), **links)
            session.add(post)
        return post

    return make

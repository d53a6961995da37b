"""Crash safety: a collector SIGKILLed at many points and re-run ends with exactly a clean run's posts."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pilah import PROJECT_ROOT, migrate
from pilah.db import make_engine, session_factory
from pilah.queries.channel import get_checkpoint
from pilah.schema import Post

SCRIPT = Path(__file__).parent / "crash_collector.py"
KILLS = 20


def _run(url: str, kill_at: int) -> int:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, str(SCRIPT), url, str(kill_at)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode in (0, -signal.SIGKILL), done.stderr[-3000:]
    return done.returncode


def _posts(factory: sessionmaker[Session]) -> list[tuple]:
    with factory() as session:
        rows = session.execute(select(Post.source_id, Post.text, Post.author_id, Post.created_at)).all()
    return sorted(tuple(row) for row in rows)


@pytest.fixture(scope="module")
def clean_posts(tmp_path_factory: pytest.TempPathFactory) -> list[tuple]:
    """What one uninterrupted run stores (on a scratch SQLite database)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('clean') / 'clean.sqlite'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    assert _run(url, 0) == 0
    posts = _posts(session_factory(engine))
    engine.dispose()
    return posts


@pytest.mark.slow
def test_sigkill_at_random_points_loses_and_doubles_nothing(engine, factory, database_url, clean_posts) -> None:
    rng = random.Random(20261121)
    kills = 0
    for _ in range(KILLS * 3):
        if kills >= KILLS:
            break
        kills += _run(database_url, rng.randint(1, 25)) == -signal.SIGKILL
    assert kills >= KILLS
    assert _run(database_url, 0) == 0
    posts = _posts(factory)
    assert len(clean_posts) == 500
    assert posts == clean_posts, "posts differ from a clean run's (lost or doubled)"
    with factory() as session:
        assert get_checkpoint(session, "twitter:mentions", "1500000000000000001") == \
            '{"since_id": "1993000000000000500"}'

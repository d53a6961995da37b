"""SIGTERM: `pilah collect` and the scheduler stop once the page in flight is checkpointed, exit 0, and resume."""

from __future__ import annotations

import json
import os
import select as io_select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pilah import PROJECT_ROOT
from pilah.queries.channel import get_checkpoint
from pilah.schema import CollectorRun, Post

SCRIPT = Path(__file__).parent / "sigterm_collector.py"
ACCOUNT = "1500000000000000001"
HOLD_AT = 30  # the fourth page of ten: three are stored when the fourth is held in flight
TOML = f"""[channels.twitter]
accounts = ["{ACCOUNT}"]
page_size = 10
max_pages_per_run = 1000
monthly_read_cap = 0
"""


def _start(mode: str, url: str, hold_at: int, folder: Path) -> subprocess.Popen:
    (folder / "pilah.toml").write_text(TOML)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PILAH_DATABASE_URL": url, "PILAH_X_BEARER_TOKEN": "replay",
           "PILAH_CONFIG": str(folder / "pilah.toml")}
    return subprocess.Popen([sys.executable, str(SCRIPT), mode, url, str(hold_at)], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_line(process: subprocess.Popen, expected: str, timeout: float) -> None:
    """Blocks on the child's stdout (no fixed sleep); fails if the child dies or stays silent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = io_select.select([process.stdout], [], [], deadline - time.monotonic())
        line = process.stdout.readline() if ready else ""
        if line.strip() == expected:
            return
        if ready and not line:
            break
    process.kill()
    raise AssertionError(f"child never printed {expected!r}: {process.stderr.read()[-3000:]}")


def _posts(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Post))


def _state(factory: sessionmaker[Session]) -> dict:
    with factory() as session:
        return json.loads(get_checkpoint(session, "twitter:mentions", ACCOUNT) or "{}")


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["collect", "scheduler"])
def test_sigterm_stops_after_the_page_in_flight_and_the_next_run_resumes(
        mode: str, engine, factory: sessionmaker[Session], database_url: str, tmp_path: Path) -> None:
    process = _start(mode, database_url, HOLD_AT, tmp_path)
    _wait_for_line(process, "holding", timeout=60)
    assert _posts(factory) == 30 and _state(factory)["next"] == "30", "three pages stored before the held one"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0, process.stderr.read()[-3000:]

    assert _posts(factory) == 40, "the page in flight was stored whole, and nothing after it"
    assert _state(factory)["next"] == "40", "its checkpoint moved with it"
    with factory() as session:
        run = session.scalars(select(CollectorRun).where(CollectorRun.source == "twitter")).one()
    assert run.new == 40 and run.finished_at is not None and "stop_requested" in (run.error or "")

    again = _start("collect", database_url, 0, tmp_path)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err[-3000:]
    with factory() as session:
        ids = sorted(int(i) for i in session.scalars(select(Post.source_id)))
    assert ids == [1993000000000000000 + n for n in range(1, 501)], "resumed: none lost, none doubled"
    assert _state(factory) == {"since_id": "1993000000000000500"}

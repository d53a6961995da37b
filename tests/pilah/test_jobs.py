"""The schedule: occurrence claims, running locks, the job list, and two real scheduler processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pilah import PROJECT_ROOT
from pilah.jobs import tasks
from pilah.jobs.locks import claim_occurrence, running_lock
from pilah.jobs.scheduler import default_jobs
from pilah.schema import CollectorRun
from pilah.settings import Settings

WIB = ZoneInfo("Asia/Jakarta")
PROBE = Path(__file__).parent / "scheduler_probe.py"


def test_interval_slots_and_nightly_dates() -> None:
    start = tasks.ALIGNED_START + timedelta(minutes=15 * 1000)
    assert tasks.occurrence_of(900, start + timedelta(seconds=1), WIB) == "1000"
    assert tasks.occurrence_of(900, start + timedelta(seconds=899), WIB) == "1000"
    late_utc = datetime(2026, 11, 21, 18, 30, tzinfo=UTC)  # 01:30 WIB the next day
    assert tasks.occurrence_of(0, late_utc, WIB) == "2026-11-22"


def test_an_occurrence_is_claimed_once(factory: sessionmaker[Session]) -> None:
    ttl = timedelta(minutes=5)
    assert claim_occurrence(factory, "collect:twitter", "42", ttl)
    assert not claim_occurrence(factory, "collect:twitter", "42", ttl)
    assert claim_occurrence(factory, "collect:twitter", "43", ttl)
    assert claim_occurrence(factory, "collect:facebook", "42", ttl)


def test_expired_claims_are_taken_over(factory: sessionmaker[Session]) -> None:
    assert claim_occurrence(factory, "nightly-batch", "2026-11-22", timedelta(seconds=-1))
    assert claim_occurrence(factory, "nightly-batch", "2026-11-22", timedelta(minutes=5))


def test_running_lock_excludes_a_second_runner(engine, factory: sessionmaker[Session]) -> None:
    ttl = timedelta(minutes=5)
    with (running_lock(engine, factory, "collect:twitter", ttl) as first,
          running_lock(engine, factory, "collect:twitter", ttl) as second):
        assert first and not second
    with running_lock(engine, factory, "collect:twitter", ttl) as again:
        assert again, "released after the job"


def test_job_list_names_disabled_collectors(factory: sessionmaker[Session]) -> None:
    settings = Settings(x_bearer_token="t", channels={"twitter": {"accounts": ["pemkablamsel"],
                                                                  "interval_minutes": 10}})
    jobs, disabled = default_jobs(settings, factory)
    assert [j.id for j in jobs] == ["collect:twitter", "nightly-batch"]
    assert jobs[0].period_seconds == 600 and set(disabled) == {"facebook", "facebook-sweep", "outbox"}
    assert "reply_enabled" in disabled["outbox"]
    assert "fire_time" not in repr(jobs[1].trigger) and "hour='1'" in repr(jobs[1].trigger)


def test_outbox_job_runs_when_a_channel_can_send(factory: sessionmaker[Session]) -> None:
    settings = Settings(channels={"sms": {"send_url": "http://gateway.local/send"}, "outbox": {"interval_minutes": 2}})
    jobs, disabled = default_jobs(settings, factory)
    outbox = next(job for job in jobs if job.id == "send:outbox")
    assert outbox.target == "pilah.jobs.tasks:send_outbox" and outbox.period_seconds == 120
    assert "outbox" not in disabled


@pytest.mark.slow
def test_two_scheduler_processes_run_each_occurrence_once(engine, factory: sessionmaker[Session],
                                                          database_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    processes = [subprocess.Popen([sys.executable, str(PROBE), database_url], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        sources = _wait_for_runs(factory, at_least=5, timeout=40)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=30) for process in processes]
    counts = Counter(sources)
    assert codes == [0, 0], [p.stderr.read()[-2000:] for p in processes]
    assert max(counts.values()) == 1, f"an occurrence ran twice: {counts.most_common(3)}"


def _wait_for_runs(factory: sessionmaker[Session], at_least: int, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with factory() as session:
            sources = list(session.scalars(select(CollectorRun.source).where(CollectorRun.source.like("probe@%"))))
        if len(sources) >= at_least:
            return sources
        time.sleep(0.2)  # polling the database state, bounded by the deadline
    raise AssertionError(f"only {len(sources)} probe runs within {timeout} s")


def test_comment_sweep_is_its_own_job(factory: sessionmaker[Session]) -> None:
    settings = Settings(fb_page_token="t", channels={"facebook": {"pages": ["105000000000001"],
                                                                  "sweep_interval_minutes": 240}})
    jobs, _ = default_jobs(settings, factory)
    sweep = next(job for job in jobs if job.id == "collect:facebook-sweep")
    assert sweep.args == ("facebook-sweep",) and sweep.period_seconds == 240 * 60

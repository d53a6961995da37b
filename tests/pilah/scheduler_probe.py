"""A scheduler process for test_jobs: one 1-second job that records which slot it ran in, and by whom."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta

from pilah.db import make_engine, session_factory
from pilah.jobs import tasks
from pilah.jobs.scheduler import build_scheduler, interval_job, stop_on_sigterm
from pilah.schema import CollectorRun
from pilah.settings import Settings


def record(runtime: tasks.Runtime) -> None:
    now = datetime.now(UTC)
    slot = tasks.occurrence_of(1, now, runtime.settings.zone)
    with runtime.factory() as session, session.begin():
        session.add(CollectorRun(source=f"probe@{slot}", started_at=now, finished_at=now, error=str(os.getpid())))


if __name__ == "__main__":
    engine = make_engine(sys.argv[1])
    settings = Settings(database_url=sys.argv[1])
    job = interval_job("probe", "__main__:record", timedelta(seconds=1))
    scheduler = build_scheduler(settings, engine, session_factory(engine), [job])
    stop_on_sigterm(scheduler)
    print("ready", flush=True)
    scheduler.start()

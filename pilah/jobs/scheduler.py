"""APScheduler 3 wiring: a BlockingScheduler whose job store is the application database."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ingest.collectors import enabled_collectors
from ingest.outbox import build_senders
from ingest.stopping import request_stop
from pilah.jobs import tasks
from pilah.jobs.cron import cron_trigger

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: `target` (module:function taking the runtime first) on a trigger."""

    id: str
    target: str
    trigger: BaseTrigger
    period_seconds: int
    args: tuple[Any, ...] = field(default_factory=tuple)


def interval_job(job_id: str, target: str, every: timedelta, *args: Any) -> JobSpec:
    trigger = IntervalTrigger(seconds=int(every.total_seconds()), start_date=tasks.ALIGNED_START)
    return JobSpec(job_id, target, trigger, int(every.total_seconds()), args)


def default_jobs(settings: Any, factory: sessionmaker[Session]) -> tuple[list[JobSpec], dict[str, str]]:
    """A job per enabled collector at its configured interval, the outbox when a channel can send, the nightly
    batch; and why the others are off."""
    collectors, disabled = enabled_collectors(settings, factory)
    channels = settings.channels
    intervals = {"twitter": channels.twitter.interval_minutes, "facebook": channels.facebook.interval_minutes,
                 "facebook-sweep": channels.facebook.sweep_interval_minutes}
    jobs = [interval_job(f"collect:{c.source}", "pilah.jobs.tasks:collect", timedelta(minutes=intervals[c.source]),
                         c.source) for c in collectors]
    senders, off = build_senders(settings)
    if senders:
        jobs.append(interval_job("send:outbox", "pilah.jobs.tasks:send_outbox",
                                 timedelta(minutes=channels.outbox.interval_minutes)))
    else:
        disabled["outbox"] = "; ".join(f"{channel}: {reason}" for channel, reason in off.items())
    cron = cron_trigger(settings.channels.schedule.nightly_batch_cron, settings.zone)
    jobs.append(JobSpec("nightly-batch", "pilah.jobs.tasks:nightly_batch", cron, 0))
    return jobs, disabled


def build_scheduler(settings: Any, engine: Engine, factory: sessionmaker[Session], jobs: Iterable[JobSpec]
                    ) -> BlockingScheduler:
    schedule = settings.channels.schedule
    tasks.install(tasks.Runtime(settings, engine, factory, timedelta(seconds=schedule.lock_seconds)))
    scheduler = BlockingScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")},
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": schedule.misfire_grace_seconds},
        timezone=settings.zone,
    )
    for job in jobs:
        scheduler.add_job("pilah.jobs.tasks:guarded", job.trigger, args=(job.id, job.period_seconds, job.target,
                                                                        *job.args),
                          id=job.id, name=job.id, replace_existing=True)
    return scheduler


def stop_on_sigterm(scheduler: BlockingScheduler) -> None:
    """SIGTERM stops the loop at once; a running collector stops once its current page is checkpointed."""
    def handle(signum: int, frame: Any) -> None:
        log.info("SIGTERM: stopping after the running jobs checkpoint their current page")
        request_stop("SIGTERM")
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, name="pilah-shutdown").start()
    signal.signal(signal.SIGTERM, handle)

"""What the scheduler runs. Module-level functions with plain arguments, because the job store pickles them."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ingest import outbox
from ingest.collectors import build_collector, run_collector
from ingest.errors import CollectorNotConfigured, CredentialsMissing
from pilah.jobs.locks import claim_occurrence, running_lock

log = logging.getLogger(__name__)

#: Interval jobs start here, so every scheduler process computes the same fire times and slots.
ALIGNED_START = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class Runtime:
    """What jobs need, set once by the scheduler process before it starts."""

    settings: Any
    engine: Engine
    factory: sessionmaker[Session]
    lock_ttl: timedelta


_runtime: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _runtime
    _runtime = runtime


def current() -> Runtime:
    if _runtime is None:
        raise RuntimeError("pilah.jobs.tasks.install() was not called in this process")
    return _runtime


def occurrence_of(period_seconds: int, now: datetime, zone: ZoneInfo) -> str:
    """Which scheduled slot `now` falls in: interval slots counted from ALIGNED_START, or the local date (daily)."""
    if period_seconds <= 0:
        return now.astimezone(zone).date().isoformat()
    return str(int((now - ALIGNED_START).total_seconds() // period_seconds))


def guarded(job_id: str, period_seconds: int, target: str, *args: Any) -> None:
    """Run `target` (module:function) once per occurrence across all scheduler processes."""
    runtime = current()
    occurrence = occurrence_of(period_seconds, datetime.now(UTC), runtime.settings.zone)
    if not claim_occurrence(runtime.factory, job_id, occurrence, runtime.lock_ttl):
        log.info("job %s %s already claimed by another scheduler", job_id, occurrence)
        return
    with running_lock(runtime.engine, runtime.factory, job_id, runtime.lock_ttl) as held:
        if not held:
            log.info("job %s still running in another scheduler; occurrence %s skipped", job_id, occurrence)
            return
        module_name, name = target.split(":")
        getattr(importlib.import_module(module_name), name)(runtime, *args)


def collect(runtime: Runtime, source: str) -> None:
    try:
        collector = build_collector(source, runtime.settings, runtime.factory)
    except (CredentialsMissing, CollectorNotConfigured) as exc:
        log.warning("collector %s disabled: %s", source, exc)
        return
    report = run_collector(runtime.factory, collector)
    log.info("collector %s %s: %s new, %s duplicates, %s quarantined%s", source, report.status,
             report.outcome.new, report.outcome.duplicates, report.outcome.quarantined,
             f" ({report.error})" if report.error else "")


def send_outbox(runtime: Runtime) -> None:
    """Send the reporters' clarification requests on their channels (ingest.outbox: at most once each)."""
    report = outbox.send_outbox(runtime.factory, runtime.settings)
    log.info("outbox: %s sent, %s failed, %s to retry, %s uncertain%s", report.sent, report.failed, report.retry,
             report.uncertain, "".join(f"; {c} waits: {r}" for c, r in report.waiting.items()))


def nightly_batch(runtime: Runtime) -> None:
    """The nightly batch (`pilah batch`): triage, deadlines, auto-close and the day's report."""
    from pilah.batch import run_nightly_batch  # heavy (the classifier); only the process that runs it pays

    result = run_nightly_batch(runtime.factory, runtime.settings)
    log.info("nightly batch: %s; report in %s", result.triage, result.report_dir)

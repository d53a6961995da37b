"""The collector protocol, the registry of live channels, and the runner that records every run.

Every collector has the same shape (open → collect → close, STYLE.md rule 3). `collect` adds to
the outcome it is given page by page, so a run stopped by a rate limit still reports what it
stored. A collector that lacks credentials or configuration raises `CredentialsMissing` or
`CollectorNotConfigured` from its builder: it is disabled with a logged reason, the others run.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from ingest.errors import BudgetExhausted, ChannelError, CollectorNotConfigured, CredentialsMissing, RateLimited
from ingest.records import CheckpointAdvance, IngestOutcome, ParsedPage, Provenance
from ingest.stopping import StopRequested, raise_if_stopping
from ingest.store import ingest_page
from pilah.queries import collection as runs

log = logging.getLogger(__name__)

#: Live sources → the function that builds their collector from settings (module:attribute).
REGISTRY = {
    "twitter": "ingest.twitter.collector:build",
    "facebook": "ingest.facebook.collector:build",
    "facebook-sweep": "ingest.facebook.sweep:build",
}

#: Stops that are part of normal operation: the run checkpointed and the next one resumes.
EXPECTED_STOPS = (RateLimited, BudgetExhausted, StopRequested)


class Collector(Protocol):
    source: str

    def open(self) -> None: ...

    def collect(self, outcome: IngestOutcome) -> None: ...

    def close(self) -> None: ...


@dataclass(slots=True)
class RunReport:
    """What one run did; `status` is ok, stopped (rate limit/budget: resumes next run) or failed."""

    source: str
    outcome: IngestOutcome
    status: str = "ok"
    error: str | None = None


def build_collector(source: str, settings: Any, factory: sessionmaker[Session], **options: Any) -> Collector:
    """Raises KeyError for an unknown source, CredentialsMissing/CollectorNotConfigured for a disabled one."""
    module_name, attribute = REGISTRY[source].split(":")
    builder: Callable[..., Collector] = getattr(importlib.import_module(module_name), attribute)
    return builder(settings, factory, **options)


def enabled_collectors(settings: Any, factory: sessionmaker[Session], sources: Iterable[str] | None = None,
                       **options: Any) -> tuple[list[Collector], dict[str, str]]:
    """The collectors that can run, and why each of the others is disabled."""
    ready: list[Collector] = []
    disabled: dict[str, str] = {}
    for source in sources or REGISTRY:
        try:
            ready.append(build_collector(source, settings, factory, **options))
        except (CredentialsMissing, CollectorNotConfigured) as exc:
            disabled[source] = str(exc)
            log.warning("collector %s disabled: %s", source, exc)
    return ready, disabled


def run_collector(factory: sessionmaker[Session], collector: Collector) -> RunReport:
    """One run, recorded as a collector_runs row even when it stops early or fails."""
    with factory() as session, session.begin():
        run_id = runs.start_run(session, collector.source, datetime.now(UTC))
    report = RunReport(collector.source, IngestOutcome())
    try:
        raise_if_stopping()
        _open_collect_close(collector, report.outcome)
    except EXPECTED_STOPS as exc:
        if isinstance(exc, StopRequested):
            report.outcome.add(exc.page)
        report.status, report.error = "stopped", f"[{exc.code}] {exc}"
        log.info("collector %s stopped early: %s", collector.source, exc)
    except ChannelError as exc:
        report.status, report.error = "failed", f"[{exc.code}] {exc}"
        log.error("collector %s failed at %s: %s", collector.source, exc.endpoint, exc)
    except Exception as exc:
        _finish(factory, run_id, report.outcome, f"[crash] {type(exc).__name__}: {exc}")
        raise
    _finish(factory, run_id, report.outcome, report.error)
    return report


def _open_collect_close(collector: Collector, outcome: IngestOutcome) -> None:
    collector.open()
    try:
        collector.collect(outcome)
    finally:
        collector.close()


def _finish(factory: sessionmaker[Session], run_id: int, outcome: IngestOutcome, error: str | None) -> None:
    counts = {"fetched": outcome.fetched, "new": outcome.new, "duplicates": outcome.duplicates,
              "quarantined": outcome.quarantined}
    with factory() as session, session.begin():
        runs.finish_run(session, run_id, datetime.now(UTC), counts, error)


def store_page(factory: sessionmaker[Session], body: bytes, provenance: Provenance,
               parse: Callable[[bytes], ParsedPage], checkpoint: CheckpointAdvance | None = None,
               also: Callable[[Session], None] | None = None) -> IngestOutcome:
    """One API page in its own short transaction: a crash leaves the whole page or nothing.

    `also` runs in the same transaction (e.g. counting the page against a monthly read budget).
    When a stop was requested (SIGTERM), StopRequested is raised once the page has committed,
    carrying its counts: the run ends on a checkpoint, never mid-page.
    """
    with factory() as session, session.begin():
        outcome = ingest_page(session, body, provenance, parse, checkpoint)
        if also is not None:
            also(session)
    raise_if_stopping(outcome)
    return outcome

"""The nightly batch (`pilah batch`): the shell's composition of the triage steps, in order.

Steps: sync the OPD directory and routing rules → intake (a report per new post) → triage
(classify, group duplicates, flag, suggest a route, queue) → auto-close follow-ups nobody
answered → overdue check → the day's report under output_dir/laporan/YYYY-MM-DD/ and the funnel.
Each step commits its own short transactions and is idempotent, so the batch can be killed at
any point and simply run again; a second run on the same night changes nothing.

`PILAH_BATCH_INTERRUPT=step:n` makes the process exit abruptly after n units of a step (a
triage batch, or 1 for the other steps): the hook the interruption test and an operator's
rehearsal use. It is read only here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from pilah.db import engine_of, refresh_planner_statistics, transaction, widen_sqlite_cache
from pilah.garbage import fewer_collections
from pilah.pipeline import load_calendar
from pilah.queries import reports as q
from pilah.settings import Settings
from pilah.tagging_pool import BatchTagger
from triage.charts import chart_data, write_charts
from triage.deadlines import OverdueCheck, auto_close, check_overdue
from triage.directory import DirectorySync, sync_directory, taxonomy_labels
from triage.funnel import Funnel, compute_funnel
from triage.pipeline import BATCH_SIZE, TriageSummary, intake, run_triage
from triage.report_files import write_report
from triage.sla import WorkingCalendar
from triage.statistics import compute_statistics
from triage.statistics_text import indonesian_date

STEPS = ("directory", "intake", "triage", "auto_close", "overdue", "report")
INTERRUPT_ENV = "PILAH_BATCH_INTERRUPT"
INTERRUPT_EXIT_CODE = 75
REPORT_FORMATS = ("md", "csv", "html")
#: Fewer new batches than this are classified in the batch's own process: a worker takes seconds to start.
POOL_MIN_BATCHES = 4


class BatchProgress(Protocol):
    """What the batch tells a progress display; the CLI draws rich bars, tests pass nothing."""

    def start(self, step: str, total: int | None) -> None: ...
    def advance(self, step: str, units: int) -> None: ...
    def finish(self, step: str, summary: str) -> None: ...


class _Silent:
    def start(self, step: str, total: int | None) -> None:
        pass

    def advance(self, step: str, units: int) -> None:
        pass

    def finish(self, step: str, summary: str) -> None:
        pass


@dataclass
class BatchResult:
    now: datetime
    directory: DirectorySync | None = None
    intake: int = 0
    triage: TriageSummary = field(default_factory=TriageSummary)
    closed: list[int] = field(default_factory=list)
    overdue: OverdueCheck = field(default_factory=OverdueCheck)
    funnel: Funnel | None = None
    report_dir: Path | None = None
    files: list[Path] = field(default_factory=list)


def run_nightly_batch(factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None,
                      progress: BatchProgress | None = None, batch_size: int = BATCH_SIZE) -> BatchResult:
    """The nightly batch as `pilah batch` and the scheduler run it: the active model, classifying in
    `batch_tagging_workers` extra processes when the night brings more than a few batches."""
    widen_sqlite_cache(engine_of(factory), settings.batch_sqlite_cache_mb)
    with fewer_collections(), \
            BatchTagger(settings, settings.batch_tagging_workers, min_reports=POOL_MIN_BATCHES * batch_size) as tagger:
        return run_batch(factory, settings, now=now or datetime.now(UTC), tagger_loader=tagger,
                         calendar=load_calendar(settings), progress=progress, batch_size=batch_size)


def run_batch(factory: sessionmaker[Session], settings: Settings, *, now: datetime,
              tagger_loader: Callable[[int], Any], calendar: WorkingCalendar, progress: BatchProgress | None = None,
              batch_size: int = BATCH_SIZE) -> BatchResult:
    """Run every step in order; the tagger is loaded (given the number of new reports) only when there is
    something new to classify."""
    show = progress or _Silent()
    result = BatchResult(now=now)
    with transaction(factory) as session:
        result.directory = sync_directory(session, settings.data_dir, editor="pilah-batch")
    _step_done(show, "directory", str(result.directory))
    result.intake = intake(factory, now)
    _step_done(show, "intake", f"{result.intake} laporan baru")
    result.triage = _triage(factory, settings, tagger_loader, calendar, now, show, batch_size)
    with transaction(factory) as session:
        result.closed = auto_close(session, calendar, now=now)
    _step_done(show, "auto_close", f"{len(result.closed)} ditutup otomatis")
    with transaction(factory) as session:
        result.overdue = check_overdue(session, calendar, now=now)
    _step_done(show, "overdue", f"{result.overdue.overdue} lewat tenggat")
    _write_day_report(factory, settings, now, result)
    _step_done(show, "report", str(result.report_dir))
    # The night's new rows change which index SQLite should pick for tomorrow's queue pages.
    refresh_planner_statistics(engine_of(factory))
    return result


def _triage(factory: sessionmaker[Session], settings: Settings, tagger_loader: Callable[[], Any],
            calendar: WorkingCalendar, now: datetime, show: BatchProgress, batch_size: int) -> TriageSummary:
    with factory() as session:
        pending = q.count_new_reports(session)
    show.start("triage", pending)
    if not pending:
        show.finish("triage", "tidak ada yang baru")
        return TriageSummary()
    done = {"batches": 0}

    def tick(units: int) -> None:
        done["batches"] += 1
        show.advance("triage", units)
        interrupt_point("triage", done["batches"])

    summary = run_triage(factory, settings, tagger_loader(pending), calendar, now=now, progress=tick,
                         batch_size=batch_size)
    show.finish("triage", str(summary))
    return summary


def _write_day_report(factory: sessionmaker[Session], settings: Settings, now: datetime, result: BatchResult) -> None:
    day = now.astimezone(settings.zone).date()
    out_dir = Path(settings.output_dir) / "laporan" / day.isoformat()
    labels = taxonomy_labels(settings.data_dir, settings.language)
    with factory() as session:
        # In the office's zone: a 01.00 WIB run reports "s.d. 1 Desember", not the UTC date before it.
        stats = compute_statistics(session, end=now.astimezone(settings.zone), top_n=settings.top_n, now=now)
        result.funnel = compute_funnel(session, end=now)
        charts = write_charts(chart_data(session, settings.zone, end=now, labels=labels), out_dir)
    title = f"Rekapitulasi Pengaduan per {indonesian_date(datetime.combine(day, time()))}"
    result.report_dir = out_dir
    result.files = [*write_report(out_dir, stats, formats=REPORT_FORMATS, labels=labels, title=title,
                                  funnel=result.funnel, charts=charts), *charts]


def _step_done(show: BatchProgress, step: str, summary: str) -> None:
    show.start(step, None)
    show.finish(step, summary)
    interrupt_point(step, 1)


def interrupt_point(step: str, units: int) -> None:
    """Exit at once, as a kill would, when PILAH_BATCH_INTERRUPT names this step and count."""
    target = os.environ.get(INTERRUPT_ENV)
    if target and target == f"{step}:{units}":
        os._exit(INTERRUPT_EXIT_CODE)

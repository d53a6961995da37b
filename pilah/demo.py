"""`pilah demo`: the whole pipeline on the bundled demo posts, in a fresh SQLite file.

After automatic triage, a simulated working day shows the rest of the lifecycle: a verifikator
accepts the machine's suggestions where it is confident, rejects unclear posts and merged
duplicates, and asks for details where the place is unknown; OPD liaisons start or finish some
follow-ups. Every simulated action goes through triage.queue like a person's would, audited as
`demo:...`, and the statistics are then computed from the database like any day's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from classify.taxonomy import load_taxonomy
from ingest.files import import_tree
from ingest.records import IngestOutcome
from pilah import migrate
from pilah.db import make_engine, session_factory
from pilah.demo_day import simulate_staff_day
from pilah.pipeline import load_calendar, load_tagger
from pilah.settings import Settings
from triage.directory import sync_directory, taxonomy_labels
from triage.pipeline import TriageSummary, run_triage
from triage.report_files import EXCEL_CSV_ENCODING, render_csv, report_rows
from triage.statistics import Statistics, compute_statistics
from triage.statistics_text import statistics_markdown

Progress = Callable[[str], None]


@dataclass
class DemoResult:
    database: Path
    ingest: IngestOutcome
    triage: TriageSummary
    statistics: Statistics
    markdown: str
    markdown_path: Path
    csv_path: Path


def run_demo(settings: Settings, out_dir: Path, *, now: datetime, say: Progress = print) -> DemoResult:
    database = _fresh_database(out_dir)
    engine = make_engine(f"sqlite:///{database}")
    factory = session_factory(engine)
    say(f"Basis data demo / demo database: {database}")
    try:
        with factory() as session, session.begin():
            sync_directory(session, settings.data_dir)
        ingest = _import_demo(factory, settings, say)
        summary = run_triage(factory, settings, load_tagger(settings), load_calendar(settings), now=now)
        say(f"Triase otomatis / automatic triage: {summary}")
        day = simulate_staff_day(factory, load_calendar(settings), now=now,
                                 taxonomy_version=load_taxonomy(settings.data_dir / "taxonomy.toml").version)
        say(f"Simulasi kerja petugas / simulated staff day: {day}")
        return _publish(factory, settings, out_dir, database, ingest, summary, now)
    finally:
        # Closing the last connection folds SQLite's write-ahead log into the file, so the demo database
        # is one file an officer can copy or open elsewhere.
        engine.dispose()


def _fresh_database(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    database = (out_dir / "pilah-demo.sqlite").resolve()
    for leftover in out_dir.glob("pilah-demo.sqlite*"):
        leftover.unlink()
    engine = make_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)
    engine.dispose()
    return database


def _import_demo(factory: sessionmaker[Session], settings: Settings, say: Progress) -> IngestOutcome:
    total = IngestOutcome()
    for path, outcome in import_tree(factory, settings.data_dir / "demo", settings.zone):
        say(f"  impor {path.parent.name}/{path.name}: {outcome.new} baru, {outcome.quarantined} karantina")
        total.add(outcome)
    return total


def _publish(factory: sessionmaker[Session], settings: Settings, out_dir: Path, database: Path,
             ingest: IngestOutcome, summary: TriageSummary, now: datetime) -> DemoResult:
    with factory() as session:  # the demo's own day, not the wall clock: the same figures every run
        stats = compute_statistics(session, top_n=settings.top_n, now=now)
    labels = taxonomy_labels(settings.data_dir, settings.language)
    markdown = statistics_markdown(stats, labels, title="Rekapitulasi Pengaduan — Demo Kabupaten Lampung Selatan")
    markdown_path, csv_path = out_dir / "rekap-demo.md", out_dir / "rekap-demo.csv"
    markdown_path.write_text(markdown, encoding="utf-8")
    csv_path.write_text(render_csv(report_rows(stats, labels=labels)), encoding=EXCEL_CSV_ENCODING)
    return DemoResult(database, ingest, summary, stats, markdown, markdown_path, csv_path)


"""The nightly batch on the demo posts: idempotent, and an interrupted run ends where a whole one does."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, aliased, sessionmaker

from ingest.files import import_tree
from pilah import PROJECT_ROOT, migrate
from pilah.batch import INTERRUPT_ENV, INTERRUPT_EXIT_CODE, POOL_MIN_BATCHES, BatchResult, run_batch, run_nightly_batch
from pilah.db import make_engine, session_factory
from pilah.jobs import tasks
from pilah.schema import AuditEvent, Post, Report, ReportFlag
from pilah.settings import Settings
from pilah.tagging_pool import TaggingPool, exit_when_orphaned
from triage.sla import WorkingCalendar

JAKARTA = ZoneInfo("Asia/Jakarta")
NIGHT = datetime(2026, 11, 23, 23, 0, tzinfo=JAKARTA)
DEMO = PROJECT_ROOT / "data" / "demo"


@dataclass(frozen=True)
class Tagging:
    """classify.tagger.Tagging's shape, from a few keywords (the batch must not depend on a trained model)."""

    category: str | None
    category_confidence: float
    kecamatan_code: str | None
    unclear: bool
    category_terms: tuple[str, ...] = ()
    abstained: bool = False
    kecamatan_name: str | None = None
    desa_code: str | None = None
    location_confidence: float = 0.9
    location_span: str | None = None
    outside_kabupaten: bool = False
    unclear_reasons: tuple[str, ...] = ()
    pii_kinds: tuple[str, ...] = ()
    masked_text: str = ""
    category_guess: str | None = None


class KeywordTagger:
    version = "keyword-1"
    WORDS: ClassVar[dict[str, str]] = {
        "jalan": "infrastruktur", "ktp": "adminduk", "sampah": "lingkungan", "bidan": "kesehatan",
        "sekolah": "pendidikan", "bansos": "sosial"}
    PLACES: ClassVar[dict[str, str]] = {
        "natar": "18.01.04", "jati agung": "18.01.13", "kalianda": "18.01.06", "palas": "18.01.10"}

    def tag_many(self, texts, geo_hints=None) -> list[Tagging]:
        return [self.tag(text) for text in texts]

    def tag(self, text: str) -> Tagging:
        lower = text.lower()
        category = next((c for w, c in self.WORDS.items() if w in lower), None)
        place = next((code for name, code in self.PLACES.items() if name in lower), None)
        unclear = len(lower.split()) < 4
        return Tagging(category, 0.9 if category else 0.3, place, unclear, abstained=category is None,
                       unclear_reasons=("too_short",) if unclear else (), masked_text=text)


def demo_database(url: str) -> sessionmaker[Session]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = session_factory(engine)
    for _ in import_tree(factory, DEMO, JAKARTA):
        pass
    return factory


def batch_once(url: str, out_dir: Path, batch_size: int = 500) -> BatchResult:
    """One batch run as the CLI does it, with the keyword tagger (also the entry point of the subprocess)."""
    settings = Settings(database_url=url, output_dir=out_dir)
    factory = session_factory(make_engine(url))
    calendar = WorkingCalendar.load(settings.data_dir / "holidays", settings.zone)
    return run_batch(factory, settings, now=NIGHT, tagger_loader=lambda _pending: KeywordTagger(), calendar=calendar,
                     batch_size=batch_size)


def snapshot(factory: sessionmaker[Session]) -> dict[str, list]:
    """Everything the batch may change, keyed by source ids so two databases compare."""
    head = aliased(Report)
    head_post = aliased(Post)
    with factory() as session:
        reports = session.execute(
            select(Post.channel, Post.source_id, Report.status, Report.category, Report.kecamatan_code,
                   head_post.source_id, Report.duplicate_kind, Report.verify_due, Report.version)
            .join(Report, Report.post_id == Post.id).outerjoin(head, head.id == Report.duplicate_of_id)
            .outerjoin(head_post, head_post.id == head.post_id).order_by(Post.channel, Post.source_id)).all()
        flags = session.execute(
            select(Post.channel, Post.source_id, ReportFlag.code, ReportFlag.reason)
            .join(Report, Report.post_id == Post.id).join(ReportFlag, ReportFlag.report_id == Report.id)
            .order_by(Post.channel, Post.source_id, ReportFlag.code)).all()
        events = session.execute(
            select(Post.channel, Post.source_id, AuditEvent.action, AuditEvent.from_status, AuditEvent.to_status,
                   AuditEvent.reason).join(Report, Report.post_id == Post.id)
            .join(AuditEvent, AuditEvent.entity_id == Report.id.cast(AuditEvent.entity_id.type))
            .order_by(Post.channel, Post.source_id, AuditEvent.id)).all()
    return {"reports": [tuple(r) for r in reports], "flags": [tuple(f) for f in flags],
            "events": [tuple(e) for e in events]}


def report_bytes(result: BatchResult) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in result.files}


@pytest.fixture
def demo_factory(database_url: str) -> sessionmaker[Session]:
    return demo_database(database_url)


def test_a_second_run_the_same_night_changes_nothing(demo_factory, database_url: str, tmp_path: Path) -> None:
    first = batch_once(database_url, tmp_path)
    before, files = snapshot(demo_factory), report_bytes(first)
    second = batch_once(database_url, tmp_path)
    assert (second.intake, second.triage.classified, second.closed, second.overdue.flagged) == (0, 0, [], 0)
    assert str(second.directory) == "OPD +0 ~0, aturan disposisi +0 ~0, tetap " + str(second.directory.unchanged)
    assert snapshot(demo_factory) == before
    assert report_bytes(second) == files
    assert first.funnel == second.funnel


def test_the_first_run_triages_everything_and_writes_the_day_report(demo_factory, database_url, tmp_path) -> None:
    result = batch_once(database_url, tmp_path)
    funnel = result.funnel
    assert result.triage.classified == result.intake > 300
    assert funnel.collected == result.intake + funnel.quarantined
    assert funnel.duplicates + funnel.unclear + funnel.queued == result.intake
    assert funnel.overdue == result.overdue.overdue > 0  # posts of 9-17 November passed their 3 working days
    assert result.report_dir == tmp_path / "laporan" / "2026-11-23"
    names = {path.name for path in result.files}
    assert {"rekap.md", "rekap.csv", "rekap.html", "grafik-kategori.png", "grafik-status-harian.png"} <= names
    markdown = (result.report_dir / "rekap.md").read_text(encoding="utf-8")
    assert f"| Lewat tenggat | {funnel.overdue} |" in markdown.splitlines()


def test_the_run_leaves_sqlite_planner_statistics_for_the_queue(demo_factory, database_url, tmp_path) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's autovacuum keeps its own statistics")
    batch_once(database_url, tmp_path)
    with demo_factory() as session:
        analysed = session.execute(text("SELECT tbl FROM sqlite_stat1 WHERE tbl = 'reports'")).all()
    assert analysed


@pytest.mark.parametrize("interrupt", ["directory:1", "intake:1", "triage:2", "auto_close:1", "overdue:1"])
def test_an_interrupted_run_ends_like_an_uninterrupted_one(interrupt: str, database_url: str, tmp_path: Path,
                                                           request: pytest.FixtureRequest) -> None:
    whole_url, cut_url = _two_databases(database_url, tmp_path, request)
    whole, cut = demo_database(whole_url), demo_database(cut_url)
    batch_once(whole_url, tmp_path / "whole", batch_size=50)
    killed = _batch_in_subprocess(cut_url, tmp_path / "cut", interrupt)
    assert killed.returncode == INTERRUPT_EXIT_CODE, killed.stderr
    if interrupt == "triage:2":
        assert any(row[2] == "baru" for row in snapshot(cut)["reports"])  # really stopped half-way
    batch_once(cut_url, tmp_path / "cut", batch_size=50)
    assert snapshot(cut) == snapshot(whole)


def _two_databases(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, str]:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'whole.sqlite'}", f"sqlite:///{tmp_path / 'cut.sqlite'}"
    return database_url, next(_postgres_schema_url_from(request))


def _postgres_schema_url_from(request: pytest.FixtureRequest):
    """A second throwaway schema beside the database_url fixture's, dropped after the test."""
    base = os.environ["PILAH_TEST_DATABASE_URL"]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    request.addfinalizer(drop)
    yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def _batch_in_subprocess(url: str, out_dir: Path, interrupt: str) -> subprocess.CompletedProcess:
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from test_batch import batch_once; "
            f"batch_once({url!r}, __import__('pathlib').Path({str(out_dir)!r}), batch_size=50)")
    env = {**os.environ, INTERRUPT_ENV: interrupt}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300,
                          cwd=PROJECT_ROOT)


def test_classifying_in_a_worker_process_ends_like_classifying_inline(database_url: str, tmp_path: Path,
                                                                      request: pytest.FixtureRequest,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    sent = []
    submit = TaggingPool.submit
    monkeypatch.setattr(TaggingPool, "submit", lambda pool, texts, hints: sent.append(len(texts)) or submit(
        pool, texts, hints))
    inline_url, pooled_url = _two_databases(database_url, tmp_path, request)
    inline, pooled = demo_database(inline_url), demo_database(pooled_url)
    run_nightly_batch(inline, Settings(database_url=inline_url, output_dir=tmp_path / "inline",
                                       batch_tagging_workers=0), now=NIGHT, batch_size=50)
    result = run_nightly_batch(pooled, Settings(database_url=pooled_url, output_dir=tmp_path / "pooled",
                                                batch_tagging_workers=1), now=NIGHT, batch_size=50)
    assert result.triage.classified > POOL_MIN_BATCHES * 50  # enough new reports for the worker to start
    assert sum(sent) == result.triage.classified
    assert snapshot(pooled) == snapshot(inline)


def test_the_scheduler_job_runs_the_nightly_batch(demo_factory, database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, output_dir=tmp_path, batch_tagging_workers=0)
    tasks.nightly_batch(tasks.Runtime(settings, make_engine(database_url), demo_factory, timedelta(minutes=5)))
    with demo_factory() as session:
        statuses = set(session.scalars(select(Report.status)))
    assert statuses and "baru" not in statuses
    assert list((tmp_path / "laporan").glob("*/rekap.md"))


def test_a_run_after_midnight_wib_names_the_local_day_as_the_period_end(demo_factory, database_url,
                                                                      tmp_path) -> None:
    settings = Settings(database_url=database_url, output_dir=tmp_path, batch_tagging_workers=0)
    factory = session_factory(make_engine(database_url))
    calendar = WorkingCalendar.load(settings.data_dir / "holidays", settings.zone)
    after_midnight = datetime(2026, 12, 1, 1, 0, tzinfo=JAKARTA).astimezone(UTC)  # as the scheduler gives it
    result = run_batch(factory, settings, now=after_midnight, tagger_loader=lambda _pending: KeywordTagger(),
                       calendar=calendar)
    markdown = (result.report_dir / "rekap.md").read_text(encoding="utf-8")
    assert "s.d. 1 Desember 2026" in markdown and "30 November" not in markdown.split("\n", 3)[2]


def test_a_tagging_worker_ends_once_its_batch_is_gone() -> None:
    """A killed batch never shuts its pool down: its workers watch for the parent to change and leave."""
    parents, waits, left = iter([4242, 4242, 1]), [], []
    exit_when_orphaned(4242, interval=2.0, getppid=lambda: next(parents), wait=waits.append, leave=left.append)
    assert (waits, left) == ([2.0, 2.0], [1])

"""`pilah demo` end to end, checked against the deliberate cases written into data/demo/cases.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from classify.taxonomy import load_taxonomy
from ingest.files import import_tree
from pilah import PROJECT_ROOT
from pilah.cli import main
from pilah.db import make_engine, session_factory
from pilah.schema import (
    ChannelPayload,
    Disposition,
    Label,
    Post,
    QuarantinedItem,
    Report,
    ReportFlag,
    ReportStatus,
)
from triage.statistics import compute_statistics

DEMO = PROJECT_ROOT / "data" / "demo"
CASES = tomllib.loads((DEMO / "cases.toml").read_text(encoding="utf-8"))
DISPOSITIONED = {ReportStatus.TERDISPOSISI, ReportStatus.DITINDAKLANJUTI, ReportStatus.SELESAI}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    """The demo's output directory, what it printed, and the files it left (before any test opens them)."""
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--dir", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out, result.output, sorted(path.name for path in out.iterdir())


@pytest.fixture(scope="module")
def demo_db(demo_run: tuple[Path, str, list[str]]) -> sessionmaker[Session]:
    return session_factory(make_engine(f"sqlite:///{demo_run[0] / 'pilah-demo.sqlite'}"))


def _reports_by_source(session: Session) -> dict[tuple[str, str], Report]:
    rows = session.execute(select(Post.channel, Post.source_id, Report).join(Report, Report.post_id == Post.id))
    return {(channel, source_id): report for channel, source_id, report in rows}


def test_demo_prints_the_published_statistics_and_writes_files(demo_run: tuple[Path, str, list[str]]) -> None:
    out, output, _ = demo_run
    for heading in ("Laporan masuk", "Didisposisikan ke OPD", "Kategori terbanyak", "Kecamatan dengan laporan",
                    "OPD penerima laporan terbanyak"):
        assert heading in output
    assert (out / "rekap-demo.md").read_text(encoding="utf-8").startswith("# Rekapitulasi")
    assert "jumlah" in (out / "rekap-demo.csv").read_text(encoding="utf-8").splitlines()[0]


def test_the_demo_database_is_one_file_when_the_demo_ends(demo_run: tuple[Path, str, list[str]]) -> None:
    """Copying pilah-demo.sqlite alone must copy every report: no write-ahead log is left beside it."""
    assert demo_run[2] == ["pilah-demo.sqlite", "rekap-demo.csv", "rekap-demo.md"]


def test_every_demo_post_became_a_report(demo_db: sessionmaker[Session]) -> None:
    with demo_db() as session:
        assert len(_reports_by_source(session)) == len(CASES["post"])


def test_statistics_add_up(demo_db: sessionmaker[Session]) -> None:
    with demo_db() as session:
        stats = compute_statistics(session)
    assert stats.received == len(CASES["post"])
    assert stats.received == (stats.not_verified + stats.verified + stats.dispositioned + stats.pending
                              + stats.rejected)
    assert stats.dispositioned == stats.not_followed_up + stats.in_follow_up + stats.done
    assert stats.dispositioned > 0 and stats.done > 0 and stats.unclear_or_repeated > 0


def test_retweets_and_repeated_sms_are_grouped(demo_db: sessionmaker[Session]) -> None:
    with demo_db() as session:
        reports = _reports_by_source(session)
        for case in CASES["retweet"]:
            if case["of_in_data"]:
                assert reports[("twitter", case["id"])].duplicate_of_id == reports[("twitter", case["of"])].id
        for case in CASES["same_sms_twice"]:
            first, second = (reports[("sms", i)] for i in case["ids"])
            assert second.duplicate_of_id == first.id or first.duplicate_of_id == second.id


def test_must_not_merge_pairs_stay_apart(demo_db: sessionmaker[Session]) -> None:
    with demo_db() as session:
        reports = _reports_by_source(session)
        for case in CASES["must_not_merge"]:
            pair = [reports[(channel, source_id)] for channel, source_id in _keys(case)]
            assert pair[0].duplicate_of_id != pair[1].id and pair[1].duplicate_of_id != pair[0].id


def _keys(case: dict) -> list[tuple[str, str]]:
    if "posts" in case:
        return [(p["channel"], p["id"]) for p in case["posts"]]
    return [(case.get("channel", "twitter"), i) for i in case["ids"]]


def test_most_unclear_posts_are_flagged(demo_db: sessionmaker[Session]) -> None:
    with demo_db() as session:
        reports = _reports_by_source(session)
        flagged = set(session.scalars(select(ReportFlag.report_id).where(ReportFlag.code.like("unclear:%"))))
    unclear = [reports[(c["channel"], c["id"])].id for c in CASES["unclear"]]
    assert sum(report_id in flagged for report_id in unclear) / len(unclear) >= 0.8


def test_complaints_flagged_unclear_keep_the_models_guess(demo_db: sessionmaker[Session]) -> None:
    """Their category stays empty; the guess a verifikator starts from is mostly the complaint's category."""
    with demo_db() as session:
        reports = _reports_by_source(session)
        flagged = set(session.scalars(select(ReportFlag.report_id).where(ReportFlag.code.like("unclear:%"))))
        complaints = [(reports[(p["channel"], p["id"])], p["category"]) for p in CASES["post"] if p.get("category")]
        misread = [(report.category, report.category_guess, category) for report, category in complaints
                   if report.id in flagged]
    assert len(misread) >= 5 and all(category is None for category, _, _ in misread)
    assert sum(guess == category for _, guess, category in misread) / len(misread) >= 0.6
    assert all(report.category_guess for report, _ in complaints)


def test_the_staff_day_rejects_unclear_posts_but_leaves_questions_to_be_answered(
        demo_db: sessionmaker[Session]) -> None:
    """A post flagged only as a citizen's question waits for a person to answer it; other unclear posts are
    rejected."""
    with demo_db() as session:
        flags: dict[int, set[str]] = {}
        for report_id, code in session.execute(select(ReportFlag.report_id, ReportFlag.code)
                                               .where(ReportFlag.code.like("unclear:%"))):
            flags.setdefault(report_id, set()).add(code)
        status = dict(session.execute(select(Report.id, Report.status).where(Report.id.in_(flags))).all())
    questions = [i for i, codes in flags.items() if codes == {"unclear:question"}]
    others = [i for i, codes in flags.items() if codes != {"unclear:question"}]
    assert questions and others
    assert {status[i] for i in questions} == {ReportStatus.PERLU_VERIFIKASI}
    assert {status[i] for i in others} == {ReportStatus.DITOLAK}


def test_every_dispositioned_report_has_an_opd_and_a_due_date(demo_db: sessionmaker[Session]) -> None:
    with demo_db() as session:
        dispositioned = session.scalars(select(Report).where(Report.status.in_(DISPOSITIONED))).all()
        with_row = set(session.scalars(select(Disposition.report_id)))
    assert dispositioned
    for report in dispositioned:
        assert report.opd_code and report.followup_due is not None and report.id in with_row


def test_the_simulated_verifications_are_labels_of_the_taxonomy_in_force(demo_db: sessionmaker[Session]) -> None:
    with demo_db() as session:
        versions = dict(session.execute(select(Label.taxonomy_version, func.count())
                                        .group_by(Label.taxonomy_version)).all())
    assert list(versions) == [load_taxonomy(PROJECT_ROOT / "data" / "taxonomy.toml").version]


def test_importing_the_demo_twice_gives_identical_counts(factory: sessionmaker[Session]) -> None:
    zone = ZoneInfo("Asia/Jakarta")
    counts = []
    for _ in range(2):
        list(import_tree(factory, DEMO, zone))
        with factory() as session:
            counts.append(tuple(session.scalar(select(func.count()).select_from(t))
                                for t in (ChannelPayload, Post, QuarantinedItem)))
    assert counts[0] == counts[1] and counts[0][1] == len(CASES["post"])

"""Multi-issue posts: the second problem becomes its own report, linked, routed and audited; nothing is lost."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from triage_helpers import make_report, wib

from pilah.schema import AuditEvent, Post, Report
from triage import flags as f
from triage.errors import IssueSplitRefused, ReportNotFound, VersionConflict
from triage.multi_issue import SPLIT_FLAG, may_split, split_issue, splits_of
from triage.pipeline import intake

NOW = wib(2026, 11, 23, 10)
TEXT = "Jalan di Natar berlubang parah, dan balap liar tiap malam minggu di depan pasar Natar"


@pytest.fixture
def two_problem_report(directory: Session, make_post) -> tuple[Session, Report]:
    """A verified road report whose post also complains about street racing in Natar (18.01.04)."""
    session = directory
    with session.begin():
        post = make_post(TEXT, channel="facebook", source_id="fb-77", author_id="warga-9",
                         created_at=wib(2026, 11, 20, 9))  # a Friday
        report = make_report(session, post, status="terverifikasi", category="infrastruktur",
                             kecamatan_code="18.01.04", masked_text=TEXT)
    return session, report


def audit(session: Session, report_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report",
                                                         AuditEvent.entity_id == str(report_id))))


def test_split_creates_a_linked_routed_report(two_problem_report, calendar) -> None:
    session, original = two_problem_report
    split = split_issue(session, original.id, "ketertiban", actor="verifikator", calendar=calendar, now=NOW,
                        note="balap liar", expected_version=1)
    session.commit()
    new = session.get(Report, split.report_id)
    post, derived = session.get(Post, original.post_id), session.get(Post, new.post_id)
    assert (new.split_from_id, new.status, new.category, new.category_source) == (
        original.id, "perlu_verifikasi", "ketertiban", "human")
    assert new.kecamatan_code == "18.01.04"
    # the kecamatan rule for ketertiban in Natar wins over the category-wide one
    assert split.suggested_opd == "kec-natar"
    assert f.suggested_opd_code("kec-natar") in f.flag_codes(session, new)
    assert SPLIT_FLAG in f.flag_codes(session, new)
    # verification deadline: 3 working days from receipt (Fri 20 Nov → Wed 25 Nov), and it is the running one
    assert new.verify_due.astimezone(wib(2026, 1, 1).tzinfo).date().isoformat() == "2026-11-25"
    assert new.next_due_at == new.verify_due
    # nothing lost: the same payload, text, author and time under a marked source id
    assert (derived.payload_id, derived.text, derived.author_id, derived.created_at, derived.channel) == (
        post.payload_id, post.text, post.author_id, post.created_at, post.channel)
    assert derived.source_id == "fb-77#pisah-1"
    # the original keeps everything but its version
    assert (original.status, original.category, original.version) == ("terverifikasi", "infrastruktur", 2)
    assert [r.id for r in splits_of(session, original.id)] == [new.id]


def test_split_is_audited_once_on_each_report(two_problem_report, calendar) -> None:
    session, original = two_problem_report
    split = split_issue(session, original.id, "ketertiban", actor="verifikator", calendar=calendar, now=NOW,
                        note="balap liar")
    session.commit()
    [on_original] = audit(session, original.id)
    [on_new] = audit(session, split.report_id)
    assert (on_original.action, on_original.actor, on_original.details["new_report"]) == (
        "issue_split", "verifikator", split.report_id)
    assert on_original.reason.endswith(": balap liar")
    assert (on_new.action, on_new.from_status, on_new.to_status, on_new.details["split_from"]) == (
        "transition", "baru", "perlu_verifikasi", original.id)


def test_a_stale_version_changes_nothing(two_problem_report, calendar) -> None:
    session, original = two_problem_report
    with pytest.raises(VersionConflict):
        split_issue(session, original.id, "ketertiban", actor="v", calendar=calendar, now=NOW, expected_version=2)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Report)) == 1
    assert session.scalar(select(func.count()).select_from(Post)) == 1


def test_two_splits_get_distinct_posts_and_intake_adds_no_report(two_problem_report, calendar, factory) -> None:
    session, original = two_problem_report
    first = split_issue(session, original.id, "ketertiban", actor="v", calendar=calendar, now=NOW)
    second = split_issue(session, original.id, "lingkungan", actor="v", calendar=calendar, now=NOW)
    session.commit()
    sources = {session.get(Post, session.get(Report, s.report_id).post_id).source_id for s in (first, second)}
    assert sources == {"fb-77#pisah-1", "fb-77#pisah-2"}
    assert second.suggested_opd == "dlh"
    session.commit()  # SQLite: release the write lock this session's reads took
    assert intake(factory, NOW) == 0


@pytest.mark.parametrize(("status", "category", "problem"), [
    ("terverifikasi", "infrastruktur", "sama dengan"),
    ("terverifikasi", "bukan_kategori", "tidak dikenal"),
    ("selesai", "ketertiban", "status 'selesai'"),
    ("ditolak", "ketertiban", "status 'ditolak'"),
    ("baru", "ketertiban", "status 'baru'"),
])
def test_refusals(directory: Session, make_post, calendar, status, category, problem) -> None:
    session = directory
    with session.begin():
        report = make_report(session, make_post(TEXT), status=status, category="infrastruktur")
    with pytest.raises(IssueSplitRefused, match=problem):
        split_issue(session, report.id, category, actor="v", calendar=calendar, now=NOW)
    assert may_split(report) == (status == "terverifikasi")  # what the report page offers


def test_a_split_is_not_split_again_and_unknown_ids_are_refused(two_problem_report, calendar) -> None:
    session, original = two_problem_report
    split = split_issue(session, original.id, "ketertiban", actor="v", calendar=calendar, now=NOW)
    session.commit()
    with pytest.raises(IssueSplitRefused, match="pecahan"):
        split_issue(session, split.report_id, "lingkungan", actor="v", calendar=calendar, now=NOW)
    assert may_split(session.get(Report, original.id)) and not may_split(session.get(Report, split.report_id))
    with pytest.raises(ReportNotFound):
        split_issue(session, 999_999, "lingkungan", actor="v", calendar=calendar, now=NOW)


def test_two_people_splitting_at_once_the_second_gets_a_conflict(two_problem_report, calendar, factory,
                                                                 engine) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite's write lock makes the second split wait for the first to commit")
    session, original = two_problem_report
    session.commit()
    outcome: dict[str, BaseException] = {}

    def second_person() -> None:
        with factory() as other, other.begin():
            try:
                split_issue(other, original.id, "lingkungan", actor="b", calendar=calendar, now=NOW,
                            expected_version=1)
            except BaseException as error:  # whatever it is, the assertion below names it
                outcome["error"] = error

    with factory() as first, first.begin():
        split_issue(first, original.id, "ketertiban", actor="a", calendar=calendar, now=NOW, expected_version=1)
        waiting = threading.Thread(target=second_person)
        waiting.start()
        _until_a_transaction_waits_on_a_lock(engine, waiting)  # the second split, on what the first has written
    waiting.join()
    assert isinstance(outcome.get("error"), VersionConflict), outcome
    assert [r.category for r in splits_of(session, original.id)] == ["ketertiban"]


def _until_a_transaction_waits_on_a_lock(engine, thread: threading.Thread, attempts: int = 2400) -> None:
    """Polls until a transaction waits on a lock; returns early if ``thread`` ended without waiting, so
    that the caller's assertion on its outcome names what it ran into instead.

    Each poll is its own transaction: PostgreSQL keeps a transaction's first view of pg_stat_activity
    until it ends, so a watcher that looked before the wait began would never see it."""
    with engine.connect() as watcher:
        for _ in range(attempts):
            waiting = watcher.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                          "AND datname = current_database()"))
            watcher.rollback()
            if waiting or not thread.is_alive():
                return
            time.sleep(0.05)
    raise AssertionError("the second split never waited on the first")

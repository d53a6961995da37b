"""The lifecycle: every legal and illegal transition, audit events, optimistic locking, the named actions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from triage_helpers import make_report, wib

from pilah.queries.learning import newest_category_labels
from pilah.schema import AuditEvent, Disposition, FollowUp, Label, OutboxMessage, Report, ReportStatus
from triage import queue
from triage.errors import IllegalTransition, UnknownOpd, VersionConflict
from triage.flags import LOW_CONFIDENCE, NO_LOCATION, flag_codes, set_flag, unclear_code
from triage.queue import TRANSITIONS
from triage.sla import VERIFY_WORKING_DAYS, WorkingCalendar

LEGAL = sorted((a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets)
ILLEGAL = sorted((a.value, b.value) for a, b in itertools.product(ReportStatus, ReportStatus)
                 if b not in TRANSITIONS[a])
#: The taxonomy the verifikator chose categories from, which the verification's label records.
TAXONOMY_VERSION = "2026.2"


def test_the_table_covers_every_status_and_the_design_path() -> None:
    assert set(TRANSITIONS) == set(ReportStatus)
    path = ["baru", "perlu_verifikasi", "terverifikasi", "terdisposisi", "ditindaklanjuti", "selesai"]
    assert all(queue.is_legal(a, b) for a, b in itertools.pairwise(path))
    assert TRANSITIONS[ReportStatus.SELESAI] == frozenset()


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL)
def test_legal_transition_is_applied_and_audited(session: Session, make_post, from_status: str,
                                                 to_status: str) -> None:
    with session.begin():
        report = make_report(session, make_post("jalan rusak di natar"), status=from_status)
        queue.transition(session, report, to_status, actor="verifikator:ani", reason="uji")
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(report.id))).all()
    assert report.status == to_status
    assert [(e.from_status, e.to_status, e.actor, e.reason) for e in events] == [
        (from_status, to_status, "verifikator:ani", "uji")]


@pytest.mark.parametrize("from_status", [s.value for s in ReportStatus])
def test_illegal_transitions_are_refused_without_a_trace(session: Session, make_post, from_status: str) -> None:
    targets = [b for a, b in ILLEGAL if a == from_status]
    with session.begin():
        report = make_report(session, make_post("jalan rusak di natar"), status=from_status)
        for to_status in targets:
            with pytest.raises(IllegalTransition) as refused:
                queue.transition(session, report, to_status, actor="verifikator:ani")
            assert refused.value.code == "illegal_transition"
            assert report.status == from_status
    assert session.scalars(select(AuditEvent)).all() == []


def test_illegal_transition_message_speaks_both_languages(session: Session, make_post) -> None:
    with session.begin():
        report = make_report(session, make_post("jalan rusak"), status="baru")
        with pytest.raises(IllegalTransition) as refused:
            queue.transition(session, report, "selesai", actor="x")
    assert "tidak dapat diubah dari 'baru' ke 'selesai'" in refused.value.message_id
    assert "cannot move from 'baru' to 'selesai'" in refused.value.message_en


def test_stale_expected_version_is_a_conflict(session: Session, make_post) -> None:
    with session.begin():
        report = make_report(session, make_post("jalan rusak"))
    seen = report.version
    with session.begin():
        queue.transition(session, report, "tertunda", actor="a")
    with session.begin(), pytest.raises(VersionConflict) as conflict:
        queue.transition(session, report, "ditolak", actor="b", reason="spam", expected_version=seen)
    assert conflict.value.code == "version_conflict"
    assert report.status == "tertunda"


def test_second_writer_in_another_session_gets_a_conflict(factory: sessionmaker[Session], session: Session,
                                                          make_post) -> None:
    with session.begin():
        report_id = make_report(session, make_post("jalan rusak")).id
    with factory() as alice, factory() as budi:
        mine = alice.get(Report, report_id)
        alice.commit()  # Alice has the form open; her transaction is over (SQLite takes the write lock on BEGIN)
        theirs = budi.get(Report, report_id)
        queue.verify(budi, theirs, actor="budi", taxonomy_version=TAXONOMY_VERSION, category="infrastruktur")
        budi.commit()
        with pytest.raises(VersionConflict):
            queue.reject(alice, mine, actor="alice", reason="tidak jelas")
        alice.rollback()
    with factory() as check:
        assert check.get(Report, report_id).status == "terverifikasi"
        assert [e.actor for e in check.scalars(select(AuditEvent))] == ["budi"]


def test_verify_applies_corrections_and_records_a_label(session: Session, make_post) -> None:
    with session.begin():
        report = make_report(session, make_post("jalan rusak"), category="lingkungan", masked_text="jalan rusak")
        queue.verify(session, report, actor="ani", taxonomy_version=TAXONOMY_VERSION, category="infrastruktur",
                     kecamatan_code="18.01.04")
    label = session.scalars(select(Label)).one()
    assert (report.status, report.category, report.category_source) == ("terverifikasi", "infrastruktur", "human")
    assert (label.category, label.kecamatan_code, label.labeller, label.text, label.taxonomy_version) == (
        "infrastruktur", "18.01.04", "ani", "jalan rusak", "2026.2")
    event = session.scalars(select(AuditEvent)).one()
    assert event.details == {"corrected": {"category": {"from": "lingkungan", "to": "infrastruktur"},
                                           "kecamatan_code": {"from": None, "to": "18.01.04"}}}


def test_a_new_kecamatan_drops_a_desa_of_the_old_one(session: Session, make_post) -> None:
    with session.begin():
        report = make_report(session, make_post("jalan rusak"), category="infrastruktur", masked_text="jalan rusak",
                             kecamatan_code="18.01.06", desa_code="18.01.06.2014")
        queue.verify(session, report, actor="ani", taxonomy_version=TAXONOMY_VERSION, kecamatan_code="18.01.05")
    assert (report.kecamatan_code, report.desa_code) == ("18.01.05", None)
    event = session.scalars(select(AuditEvent)).one()
    assert event.details["corrected"]["desa_code"] == {"from": "18.01.06.2014", "to": None}


def test_disposition_sets_opd_and_follow_up_deadline(directory: Session, make_post,
                                                     calendar: WorkingCalendar) -> None:
    session = directory
    with session.begin():
        report = make_report(session, make_post("jalan rusak"), status="terverifikasi")
        row = queue.disposition(session, report, "dpupr", actor="ani", calendar=calendar, now=wib(2026, 11, 20, 10))
    assert report.status == "terdisposisi" and report.opd_code == "dpupr"
    assert report.followup_due == row.due_at == calendar.add_working_days(wib(2026, 11, 20, 10), 5)
    assert session.scalars(select(Disposition)).one().created_by == "ani"


def test_disposition_to_an_unknown_opd_is_refused(directory: Session, make_post, calendar) -> None:
    session = directory
    with session.begin():
        report = make_report(session, make_post("jalan rusak"), status="terverifikasi")
        with pytest.raises(UnknownOpd) as refused:
            queue.disposition(session, report, "dinas-hantu", actor="ani", calendar=calendar, now=wib(2026, 11, 20))
    assert refused.value.code == "unknown_opd"
    assert report.status == "terverifikasi"


def test_follow_up_then_complete(directory: Session, make_post) -> None:
    session = directory
    with session.begin():
        report = make_report(session, make_post("jalan rusak"), status="terdisposisi", opd_code="dpupr")
        queue.start_follow_up(session, report, actor="pu:joko", note="tim survei dijadwalkan")
        queue.complete(session, report, actor="pu:joko", note="lubang sudah ditambal")
    notes = [(f.note, f.completes, f.opd_code) for f in session.scalars(select(FollowUp).order_by(FollowUp.id))]
    assert report.status == "selesai"
    assert notes == [("tim survei dijadwalkan", False, "dpupr"), ("lubang sudah ditambal", True, "dpupr")]


def test_set_pending_queues_the_question_for_the_reporter(session: Session, make_post) -> None:
    with session.begin():
        post = make_post("jalan rusak", channel="sms", source_id="lamsel-sms1:7", author_id="+6281200000001")
        report = make_report(session, post)
        queue.set_pending(session, report, actor="ani", message="Mohon sebutkan nama desa dan kecamatannya.")
    outbox = session.scalars(select(OutboxMessage)).one()
    assert report.status == "tertunda"
    assert (outbox.channel, outbox.recipient, outbox.in_reply_to) == ("sms", "+6281200000001", "lamsel-sms1:7")


def test_reject_needs_a_reason(session: Session, make_post) -> None:
    with session.begin():
        report = make_report(session, make_post("halo"))
        with pytest.raises(ValueError, match="reason"):
            queue.reject(session, report, actor="ani", reason="  ")
    assert report.status == "perlu_verifikasi"


@pytest.mark.parametrize("status", ["terdisposisi", "ditindaklanjuti", "terverifikasi", "tertunda"])
def test_only_a_report_awaiting_verification_can_be_verified(session: Session, make_post, status: str) -> None:
    """Verifying a dispositioned report used to pull it back from its OPD, disposition left standing."""
    with session.begin():
        report = make_report(session, make_post("jalan rusak di natar"), status=status)
        with pytest.raises(IllegalTransition):
            queue.verify(session, report, actor="verifikator:ani", taxonomy_version=TAXONOMY_VERSION)
        assert report.status == status


@pytest.mark.parametrize("status", ["ditolak", "terverifikasi"])
def test_a_mistaken_decision_is_reopened_with_its_reason(session: Session, make_post, status: str) -> None:
    with session.begin():
        report = make_report(session, make_post("jalan rusak di natar"), status=status)
        queue.reopen(session, report, actor="verifikator:ani", reason="ternyata pengaduan jalan desa")
    assert report.status == "perlu_verifikasi"
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(report.id))
                            .order_by(AuditEvent.id.desc())).first()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        status, "perlu_verifikasi", "verifikator:ani", "ternyata pengaduan jalan desa")


@pytest.mark.parametrize("status", ["baru", "perlu_verifikasi", "tertunda", "terdisposisi", "selesai"])
def test_only_a_rejection_or_a_verification_is_reopened(session: Session, make_post, status: str) -> None:
    """`baru` may reach perlu_verifikasi, but by triage, not by a person undoing a decision."""
    with session.begin():
        report = make_report(session, make_post("jalan rusak di natar"), status=status)
        with pytest.raises(IllegalTransition):
            queue.reopen(session, report, actor="verifikator:ani", reason="keliru")
        assert report.status == status


def test_a_withdrawn_verification_stops_training_on_its_category(session: Session, make_post) -> None:
    with session.begin():
        report = make_report(session, make_post("lampu jalan mati di natar"))
        queue.verify(session, report, actor="verifikator:ani", category="infrastruktur",
                     taxonomy_version=TAXONOMY_VERSION, at=datetime(2026, 11, 9, 2, 0, tzinfo=UTC))
        queue.reopen(session, report, actor="verifikator:ani", reason="lampu jalan urusan dishub",
                     at=datetime(2026, 11, 9, 3, 0, tzinfo=UTC))
        queue.reject(session, report, actor="verifikator:ani", reason="sudah dilaporkan di #12",
                     at=datetime(2026, 11, 9, 4, 0, tzinfo=UTC))
    found = newest_category_labels(session)
    assert found.categories == [None]  # not the withdrawn infrastruktur
    labels = session.scalars(select(Label).order_by(Label.id)).all()
    assert [(label.source, label.category) for label in labels] == [
        ("verifikasi", "infrastruktur"), ("dibuka_kembali", None)]


def test_reopening_needs_a_reason_and_the_current_version(session: Session, make_post) -> None:
    with session.begin():
        report = make_report(session, make_post("jalan rusak di natar"), status="ditolak")
        with pytest.raises(ValueError, match="reason"):
            queue.reopen(session, report, actor="verifikator:ani", reason=" ")
        with pytest.raises(VersionConflict):
            queue.reopen(session, report, actor="verifikator:ani", reason="keliru",
                         expected_version=report.version + 1)
        assert report.status == "ditolak"


def test_a_disposition_is_left_only_by_the_return_procedure(session: Session, make_post) -> None:
    with session.begin():
        report = make_report(session, make_post("jalan rusak di natar"), status="terdisposisi")
        with pytest.raises(IllegalTransition):
            queue.transition(session, report, "terverifikasi", actor="verifikator:ani")
        queue.transition(session, report, "terverifikasi", actor="opd:budi", procedure="return")
        assert report.status == "terverifikasi"
        with pytest.raises(IllegalTransition):
            queue.transition(session, report, "terdisposisi", actor="opd:budi", procedure="return")


def test_a_pending_report_resumes_with_the_working_days_it_had_left(session: Session, make_post) -> None:
    """tertunda stops the clock: 2 working days were left when it stopped, 2 are left when it resumes."""
    calendar = WorkingCalendar.load(Path(__file__).resolve().parents[2] / "data" / "holidays",
                                    ZoneInfo("Asia/Jakarta"))
    monday = datetime(2026, 11, 9, 2, 0, tzinfo=UTC)  # 09.00 WIB
    with session.begin():
        report = make_report(session, make_post("jalan rusak di natar"), status="perlu_verifikasi")
        report.verify_due = calendar.add_working_days(monday, 2)  # end of Wednesday 11 Nov
        queue.set_pending(session, report, actor="verifikator:ani", message="di desa mana pak?", at=monday)
        two_weeks_later = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 23 Nov
        queue.resume(session, report, actor="verifikator:ani", calendar=calendar, now=two_weeks_later)
    assert report.status == "perlu_verifikasi"
    assert calendar.local_date(report.verify_due).isoformat() == "2026-11-25"
    with session.begin():
        waiting = make_report(session, make_post("sampah numpuk"), status="tertunda")
        with pytest.raises(IllegalTransition):  # only resume() restarts the clock
            queue.transition(session, waiting, "perlu_verifikasi", actor="x")


def test_verifying_clears_the_machines_unclear_flag(session: Session, make_post) -> None:
    """Else a complaint a person verified still counts as "tidak jelas" in the published figures."""
    with session.begin():
        report = make_report(session, make_post("jalan rusak"), status="perlu_verifikasi")
        set_flag(session, report, unclear_code("too_short"), "terlalu pendek")
        set_flag(session, report, LOW_CONFIDENCE, "keyakinan rendah")
        set_flag(session, report, NO_LOCATION, "tanpa lokasi")
        queue.verify(session, report, actor="verifikator:ani", taxonomy_version=TAXONOMY_VERSION)
    # A person decided the category: "low confidence" no longer holds either; a missing place still does.
    assert flag_codes(session, report) == [NO_LOCATION]


@pytest.mark.parametrize(("correction", "kept"), [
    ({"category": "pertanian"}, False),
    ({"kecamatan_code": "18.01.06"}, False),
    ({}, True),
])
def test_a_correction_drops_the_suggestion_made_from_the_machines_tags(session: Session, make_post,
                                                                       correction: dict, kept: bool) -> None:
    """The suggestion was decided from the category and kecamatan a person has just corrected; the
    report page decides again from the rules, and no list may keep showing the old one."""
    with session.begin():
        report = make_report(session, make_post("pupuk langka"), status="perlu_verifikasi", category="sosial",
                             kecamatan_code="18.01.04")
        set_flag(session, report, "suggested_opd:dinsos", "Usulan disposisi ke dinsos")
        queue.verify(session, report, actor="verifikator:ani", taxonomy_version=TAXONOMY_VERSION, **correction)
    assert ("suggested_opd:dinsos" in flag_codes(session, report)) is kept


def test_resuming_a_report_without_a_deadline_gives_it_one(session: Session, make_post,
                                                            calendar: WorkingCalendar) -> None:
    """A report kept from before deadlines were stored must not resume with none (never overdue, sorted last)."""
    now = wib(2026, 11, 20, 10)
    with session.begin():
        report = make_report(session, make_post("lampu mati"), status="tertunda")
        report.verify_due = None
        queue.resume(session, report, actor="verifikator:ani", calendar=calendar, now=now)
    assert report.verify_due == calendar.add_working_days(now, VERIFY_WORKING_DAYS)

"""Overdue flags, the automatic close after 10 working days, the queue by deadline risk, SLA compliance."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from triage_helpers import make_report, wib

from pilah.schema import AuditEvent, Disposition, FollowUp, ReportFlag
from triage import deadlines as d
from triage.statistics import SlaCompliance, compute_statistics

# Monday 23 November 2026, 23:00 WIB.
NIGHT = wib(2026, 11, 23, 23)


def test_reports_past_their_running_deadline_are_flagged_with_the_reason(directory: Session, make_post,
                                                                         calendar) -> None:
    session = directory
    with session.begin():
        late = make_report(session, make_post("a"), verify_due=wib(2026, 11, 20, 23, 59))
        on_time = make_report(session, make_post("b"), verify_due=wib(2026, 11, 24, 23, 59))
        paused = make_report(session, make_post("c"), status="tertunda", verify_due=wib(2026, 11, 2))
        opd_late = make_report(session, make_post("d"), status="terdisposisi", opd_code="dpupr",
                               verify_due=wib(2026, 11, 2), followup_due=wib(2026, 11, 23, 12))
        check = d.check_overdue(session, calendar, now=NIGHT)
    assert (check.flagged, check.overdue) == (2, 2)
    flagged = session.execute(select(ReportFlag.report_id, ReportFlag.reason).where(
        ReportFlag.code == d.OVERDUE)).all()
    assert dict(flagged) == {
        late.id: "Lewat batas verifikasi/penerusan (3 hari kerja), jatuh tempo 20 November 2026",
        opd_late.id: "Lewat batas tindak lanjut OPD (5 hari kerja), jatuh tempo 23 November 2026"}
    assert on_time.id not in dict(flagged) and paused.id not in dict(flagged)
    again = d.check_overdue(session, calendar, now=NIGHT)
    late.status = "terverifikasi"  # still on the verification clock
    opd_late.status = "ditindaklanjuti"  # the OPD answered: no clock runs
    session.flush()
    moved = d.check_overdue(session, calendar, now=NIGHT)
    session.commit()
    assert (again.flagged, again.cleared) == (0, 0)
    assert (moved.flagged, moved.cleared, moved.overdue) == (0, 1, 1)


def test_a_follow_up_nobody_answered_for_10_working_days_is_closed(directory: Session, make_post,
                                                                   calendar) -> None:
    session = directory
    with session.begin():
        stale = make_report(session, make_post("a"), status="ditindaklanjuti", opd_code="dpupr")
        fresh = make_report(session, make_post("b"), status="ditindaklanjuti", opd_code="dpupr")
        # 6 Nov (Fri) + 10 working days = 20 Nov; 10 Nov + 10 = 24 Nov (no holiday in between).
        session.add_all([FollowUp(report_id=stale.id, opd_code="dpupr", note="x", actor="opd",
                                  created_at=wib(2026, 11, 6, 10)),
                         FollowUp(report_id=fresh.id, opd_code="dpupr", note="x", actor="opd",
                                  created_at=wib(2026, 11, 10, 10))])
        session.flush()
        closed = d.auto_close(session, calendar, now=NIGHT)
        again = d.auto_close(session, calendar, now=NIGHT)
    assert (closed, again) == ([stale.id], [])
    assert (stale.status, fresh.status) == ("selesai", "ditindaklanjuti")
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report",
                                                     AuditEvent.entity_id == str(stale.id))).one()
    assert (event.actor, event.from_status, event.to_status) == ("pilah-batch", "ditindaklanjuti", "selesai")
    assert "10 hari kerja" in event.reason


def test_the_queue_puts_the_nearest_deadline_first(directory: Session, make_post) -> None:
    session = directory
    with session.begin():
        later = make_report(session, make_post("a"), verify_due=wib(2026, 11, 26))
        none = make_report(session, make_post("b"))
        opd = make_report(session, make_post("c"), status="terdisposisi", opd_code="dpupr",
                          verify_due=wib(2026, 11, 1), followup_due=wib(2026, 11, 25))
        overdue = make_report(session, make_post("d"), verify_due=wib(2026, 11, 20))
    ordered = [r.id for r in d.queue_by_deadline_risk(session)]
    assert ordered == [overdue.id, opd.id, later.id, none.id]
    assert sorted([later, none, opd, overdue], key=d.deadline_risk_key) == [overdue, opd, later, none]


def test_sla_compliance_counts_only_dispositions_that_can_be_judged(directory: Session, make_post) -> None:
    session = directory
    with session.begin():
        cases = [("dpupr", wib(2026, 11, 13), wib(2026, 11, 12)),   # on time
                 ("dpupr", wib(2026, 11, 13), wib(2026, 11, 16)),   # late
                 ("dpupr", wib(2026, 11, 13), None),                # past due, never followed up: late
                 ("dpupr", wib(2026, 11, 30), None),                # still running: not judged
                 ("dinkes", wib(2026, 11, 13), wib(2026, 11, 10))]  # on time
        for n, (opd, due, followed) in enumerate(cases):
            report = make_report(session, make_post(f"r{n}", created_at=wib(2026, 11, 5)), status="terdisposisi",
                                 opd_code=opd)
            session.add(Disposition(report_id=report.id, opd_code=opd, due_at=due, created_by="v",
                                    created_at=wib(2026, 11, 6)))
            if followed:
                session.add(FollowUp(report_id=report.id, opd_code=opd, note="x", actor="o", created_at=followed))
        returned = make_report(session, make_post("back"), status="terverifikasi")
        session.add(Disposition(report_id=returned.id, opd_code="dpupr", due_at=wib(2026, 11, 1), created_by="v",
                                created_at=wib(2026, 10, 26), delivery_state="dikembalikan"))
    stats = compute_statistics(session, now=NIGHT)
    assert stats.sla == [SlaCompliance("dinkes", "Dinkes", 1, 1), SlaCompliance("dpupr", "Dinas PUPR", 3, 1)]
    assert round(stats.sla[1].share, 3) == 0.333

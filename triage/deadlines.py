"""SP4N-LAPOR! deadlines at work: overdue flags, the automatic close, the queue by deadline risk.

A report's running deadline is `verify_due` while Kominfo still has to verify or forward it
(perlu_verifikasi, terverifikasi) and `followup_due` once it is with an OPD (terdisposisi);
`tertunda` stops the clock (the reporter owes us details). Overdue reports carry the `overdue`
flag with the deadline in its reason; the flag is recomputed from the statuses every night, so
running the check twice changes nothing and a report that moved on loses its flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice

from sqlalchemy.orm import Session

from pilah.queries import reports as q
from pilah.queries import triage_rows as rows
from pilah.schema import Report
from pilah.schema import ReportStatus as S
from triage.queue import transition
from triage.sla import AUTO_CLOSE_WORKING_DAYS, FOLLOW_UP_WORKING_DAYS, VERIFY_WORKING_DAYS, WorkingCalendar
from triage.statistics_text import indonesian_date

OVERDUE = "overdue"
AUTO_CLOSE_ACTOR = "pilah-batch"
OVERDUE_CHUNK = 10_000

_REASONS = {
    "verify": f"Lewat batas verifikasi/penerusan ({VERIFY_WORKING_DAYS} hari kerja), jatuh tempo {{due}}",
    "followup": f"Lewat batas tindak lanjut OPD ({FOLLOW_UP_WORKING_DAYS} hari kerja), jatuh tempo {{due}}",
}


@dataclass
class OverdueCheck:
    flagged: int = 0
    cleared: int = 0
    overdue: int = 0


def overdue_reason(which: str, due: datetime, calendar: WorkingCalendar) -> str:
    return _REASONS[which].format(due=indonesian_date(due.astimezone(calendar.zone)))


def check_overdue(session: Session, calendar: WorkingCalendar, *, now: datetime) -> OverdueCheck:
    """Raise or refresh the `overdue` flag on every report past its running deadline; clear stale ones.

    Streamed and written as plain rows in chunks: after a long weekend most of a large queue can be
    overdue at once.
    """
    result = OverdueCheck()
    existing = rows.flag_rows_by_code(session, OVERDUE)
    overdue = q.overdue_reports(session, now)
    while chunk := list(islice(overdue, OVERDUE_CHUNK)):
        new, changed = [], []
        for rid, which, due in chunk:
            reason = overdue_reason(which, due, calendar)
            flag = existing.pop(rid, None)
            if flag is None:
                new.append({"report_id": rid, "code": OVERDUE, "reason": reason, "source": "rule", "created_at": now})
            elif flag.reason != reason:
                changed.append({"id": flag.id, "reason": reason, "source": flag.source})
        rows.update_flag_reasons(session, changed)
        rows.insert_flags(session, new)
        result.overdue += len(chunk)
        result.flagged += len(new)
    rows.delete_flags(session, [flag.id for flag in existing.values()])  # what is left is no longer overdue
    result.cleared = len(existing)
    return result


def auto_close_due(last_follow_up: datetime, calendar: WorkingCalendar) -> datetime:
    return calendar.add_working_days(last_follow_up, AUTO_CLOSE_WORKING_DAYS)


def auto_close(session: Session, calendar: WorkingCalendar, *, now: datetime) -> list[int]:
    """Close (selesai) follow-ups nobody answered for 10 working days; returns the report ids closed."""
    closed = []
    for report, last_at in q.follow_ups_waiting(session):
        due = auto_close_due(last_at, calendar)
        if due < now:
            _close(session, report, last_at.astimezone(calendar.zone), due, now)
            closed.append(report.id)
    return closed


def _close(session: Session, report: Report, last_at: datetime, due: datetime, now: datetime) -> None:
    reason = (f"Ditutup otomatis: tidak ada tanggapan {AUTO_CLOSE_WORKING_DAYS} hari kerja setelah tindak "
              f"lanjut terakhir ({indonesian_date(last_at)})")
    transition(session, report, S.SELESAI, actor=AUTO_CLOSE_ACTOR, reason=reason, at=now,
               details={"auto_close": True, "last_follow_up": last_at.isoformat(), "due": due.isoformat()})


def running_due(report: Report) -> datetime | None:
    """The deadline that is running for this report (None when no clock runs)."""
    if report.status == S.TERDISPOSISI:
        return report.followup_due
    if report.status in (S.PERLU_VERIFIKASI, S.TERVERIFIKASI):
        return report.verify_due
    return None


def deadline_risk_key(report: Report) -> tuple[int, datetime, int]:
    """Sort key for a queue by deadline risk, matching pilah.queries.reports.deadline_risk_order()."""
    due = running_due(report)
    return (1, datetime.max.replace(tzinfo=UTC), report.id) if due is None else (0, due, report.id)


def queue_by_deadline_risk(session: Session, statuses: tuple[str, ...] = (S.PERLU_VERIFIKASI.value,
                           S.TERVERIFIKASI.value, S.TERDISPOSISI.value), *, limit: int = 50,
                           offset: int = 0) -> list[Report]:
    """The queue most at risk first: overdue and soonest-due reports lead."""
    return q.queue_by_deadline_risk(session, statuses, limit, offset)

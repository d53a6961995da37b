""""Bukan wewenang": an OPD returns a report that is not its authority, and Kominfo routes it again.

The report goes back from `terdisposisi` to `terverifikasi` (one audited transition), the
disposition's delivery state becomes `dikembalikan` with the OPD's reason (the report's status and
the disposition's delivery state are separate, DESIGN.md), the verification clock restarts, and a
label with source `bukan_wewenang` records that this text was routed wrongly: a training signal
for the routing rules and the category model.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pilah.queries.learning import newest_label_taxonomy_version
from pilah.schema import Disposition, Label, Report
from pilah.schema import ReportStatus as S
from triage.errors import IllegalTransition
from triage.flags import clear_flag, suggested_opd_code
from triage.queue import transition
from triage.sla import VERIFY_WORKING_DAYS, WorkingCalendar

RETURNED = "dikembalikan"
LABEL_SOURCE = "bukan_wewenang"


def return_not_our_authority(session: Session, report: Report, *, actor: str, reason: str,
                             calendar: WorkingCalendar, now: datetime,
                             expected_version: int | None = None) -> Disposition:
    """Record the OPD's refusal and put the report back in Kominfo's hands; returns the returned disposition.

    The label repeats the category a verifikator confirmed, so it keeps the taxonomy version that
    confirmation was written under: an OPD returning a pre-2026.2 'sosial' elpiji report after the
    upgrade has not made 'sosial' a 2026.2 decision, and training must still skip it until a person
    verifies the report again."""
    if not reason.strip():
        raise ValueError("a 'bukan wewenang' return needs the OPD's reason")
    if report.status != S.TERDISPOSISI:
        raise IllegalTransition(report.id, report.status, S.TERVERIFIKASI.value)
    disposition = _standing_disposition(session, report)
    opd_code, confirmed_under = report.opd_code, newest_label_taxonomy_version(session, report.id)
    if disposition is not None:
        disposition.delivery_state, disposition.returned_reason = RETURNED, reason
    report.opd_code, report.followup_due = None, None
    report.verify_due = calendar.add_working_days(now, VERIFY_WORKING_DAYS)
    transition(session, report, S.TERVERIFIKASI, actor=actor, reason=f"Bukan wewenang {opd_code}: {reason}",
               expected_version=expected_version, at=now, details={"bukan_wewenang": opd_code}, procedure="return")
    # After the transition, whose version check a flush of the flag query would otherwise upset: triage's
    # suggestion of the refusing OPD must not send the report back there from the queue's lists.
    clear_flag(session, report, suggested_opd_code(opd_code))
    session.add(Label(report_id=report.id, text=report.masked_text or "", category=report.category,
                      kecamatan_code=report.kecamatan_code, desa_code=report.desa_code, source=LABEL_SOURCE,
                      labeller=actor, created_at=now, taxonomy_version=confirmed_under))
    session.flush()
    return disposition


def _standing_disposition(session: Session, report: Report) -> Disposition | None:
    return session.scalars(
        select(Disposition).where(Disposition.report_id == report.id, Disposition.delivery_state != RETURNED)
        .order_by(Disposition.id.desc()).limit(1)
    ).first()

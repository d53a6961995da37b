"""The report lifecycle (DESIGN.md): only legal transitions, each one audited, optimistic locking.

Every function takes the session of the caller's transaction and flushes, so a conflicting save
by someone else surfaces here as VersionConflict rather than later at commit. A caller that
showed the report to a person passes `expected_version` (the version the person saw): if the
report has moved on since, nothing is changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from pilah.queries import directory as dq
from pilah.queries import reports as rq
from pilah.schema import AuditEvent, Disposition, FollowUp, Label, OutboxMessage, Post, Report, utcnow
from pilah.schema import ReportStatus as S
from triage.errors import IllegalTransition, UnknownOpd, VersionConflict
from triage.flags import LOW_CONFIDENCE, SUGGESTED_OPD_PREFIX, UNCLEAR_PREFIX, clear_flag, clear_flags
from triage.sla import FOLLOW_UP_WORKING_DAYS, VERIFY_WORKING_DAYS, WorkingCalendar

#: from status → the statuses it may move to.
TRANSITIONS: dict[S, frozenset[S]] = {
    S.BARU: frozenset({S.PERLU_VERIFIKASI}),
    S.PERLU_VERIFIKASI: frozenset({S.TERVERIFIKASI, S.TERTUNDA, S.DITOLAK}),
    S.TERTUNDA: frozenset({S.DITOLAK}),
    S.TERVERIFIKASI: frozenset({S.TERDISPOSISI, S.PERLU_VERIFIKASI}),
    S.TERDISPOSISI: frozenset({S.DITINDAKLANJUTI}),
    S.DITINDAKLANJUTI: frozenset({S.SELESAI}),
    S.SELESAI: frozenset(),
    # reopened when a merge or rejection was a mistake.
    S.DITOLAK: frozenset({S.PERLU_VERIFIKASI}),
}


#: Moves that belong to a procedure doing more than the move, and happen only through it:
#: "return": the OPD returns the report as "bukan wewenang" (:func:`triage.rerouting.return_not_our_authority`
#: also closes the disposition; any other way back would leave the OPD a disposition nobody sees);
#: "resume": the reporter answered (:func:`resume` also restarts the stopped verification clock).
PROCEDURES = {"return": (S.TERDISPOSISI, S.TERVERIFIKASI), "resume": (S.TERTUNDA, S.PERLU_VERIFIKASI)}


def is_legal(from_status: str, to_status: str) -> bool:
    return S(to_status) in TRANSITIONS[S(from_status)]


def transition(session: Session, report: Report, to_status: str, *, actor: str, reason: str | None = None,
               expected_version: int | None = None, at: datetime | None = None,
               details: dict[str, Any] | None = None, procedure: str | None = None) -> Report:
    """Move a report to another status and record who, when, from, to and why (``procedure``: the
    one move of :data:`PROCEDURES` that procedure makes)."""
    check_version(report, expected_version)
    report_id, from_status = report.id, report.status
    if procedure is not None:
        legal = (S(from_status), S(to_status)) == PROCEDURES[procedure]
    else:
        legal = is_legal(from_status, to_status)
    if not legal:
        raise IllegalTransition(report_id, from_status, str(to_status))
    report.status = S(to_status).value
    session.add(AuditEvent(**report_event(report_id, "transition", from_status, report.status, actor=actor,
                                          at=at or utcnow(), reason=reason, details=details)))
    flush_checked(session, report_id, expected_version)
    return report


def report_event(report_id: int, action: str, from_status: str, to_status: str, *, actor: str, at: datetime,
                 reason: str | None, details: dict[str, Any] | None) -> dict[str, Any]:
    """One event of a report's history, as column values: every writer of that history goes through
    here, and the triage batch inserts thousands of them at once."""
    return {"at": at, "actor": actor, "entity_type": "report", "entity_id": str(report_id), "action": action,
            "from_status": from_status, "to_status": to_status, "reason": reason, "details": details or {}}


def record_on_report(session: Session, report: Report, action: str, *, actor: str, reason: str | None,
                     at: datetime | None = None, details: dict[str, Any] | None = None) -> None:
    """An event that leaves the report's status where it is (its duplicate group changed, an issue was
    split off it), in the same history as its moves."""
    session.add(AuditEvent(**report_event(report.id, action, report.status, report.status, actor=actor,
                                          at=at or utcnow(), reason=reason, details=details)))


def verify(session: Session, report: Report, *, actor: str, taxonomy_version: str, category: str | None = None,
           kecamatan_code: str | None = None, desa_code: str | None = None, reason: str | None = None,
           expected_version: int | None = None, at: datetime | None = None) -> Report:
    """Accept a report awaiting verification, with the verifikator's corrections; the confirmed tags
    become a label, written under ``taxonomy_version`` (the version of the taxonomy the caller offered
    the categories from: a later taxonomy may narrow the category, see classify.taxonomy)."""
    check_version(report, expected_version)
    if report.status != S.PERLU_VERIFIKASI:
        raise IllegalTransition(report.id, report.status, S.TERVERIFIKASI.value)
    guessed = report.category is None and report.category_guess  # an unclear post: the form offered the guess
    corrected = _apply_corrections(report, category, kecamatan_code, desa_code)
    details: dict[str, object] = {"corrected": corrected}
    if guessed and "category" in corrected:
        # Whether the person took the machine's guess or chose otherwise: a label that only repeats the
        # machine is weaker evidence for judging that machine (classify.promotion).
        details["machine_guess"] = report.category_guess
    transition(session, report, S.TERVERIFIKASI, actor=actor, reason=reason, expected_version=expected_version,
               at=at, details=details)
    # A person found a complaint in it and decided its category: the machine's "unclear" and "low
    # confidence" no longer count anywhere.
    clear_flags(session, report, prefix=UNCLEAR_PREFIX)
    clear_flag(session, report, LOW_CONFIDENCE)
    if corrected.keys() & {"category", "kecamatan_code"}:
        # Triage's suggestion came from the tags just corrected; the report page decides again from the rules.
        clear_flags(session, report, prefix=SUGGESTED_OPD_PREFIX)
    session.add(Label(report_id=report.id, text=report.masked_text or "", category=report.category,
                      kecamatan_code=report.kecamatan_code, desa_code=report.desa_code,
                      source="verifikasi", labeller=actor, created_at=at or utcnow(),
                      taxonomy_version=taxonomy_version))
    return report


def disposition(session: Session, report: Report, opd_code: str, *, actor: str, calendar: WorkingCalendar,
                now: datetime, note: str | None = None, expected_version: int | None = None) -> Disposition:
    """Send a verified report to an OPD with its follow-up deadline (5 working days)."""
    opd = dq.opd(session, opd_code)
    if opd is None or not opd.active:
        raise UnknownOpd(opd_code)
    check_version(report, expected_version)
    due = calendar.add_working_days(now, FOLLOW_UP_WORKING_DAYS)
    report.opd_code, report.followup_due = opd_code, due
    transition(session, report, S.TERDISPOSISI, actor=actor, reason=note or f"disposisi ke {opd.short_name}",
               expected_version=expected_version, at=now, details={"opd_code": opd_code})
    row = Disposition(report_id=report.id, opd_code=opd_code, due_at=due, note=note, created_by=actor,
                      created_at=now)
    session.add(row)
    session.flush()
    return row


def start_follow_up(session: Session, report: Report, *, actor: str, note: str,
                    expected_version: int | None = None, at: datetime | None = None) -> FollowUp:
    """The OPD's liaison records that work has started (tindak lanjut)."""
    transition(session, report, S.DITINDAKLANJUTI, actor=actor, reason=note, expected_version=expected_version,
               at=at)
    return _follow_up(session, report, actor, note, completes=False, at=at)


def complete(session: Session, report: Report, *, actor: str, note: str,
             expected_version: int | None = None, at: datetime | None = None) -> FollowUp:
    """The OPD marks its follow-up complete: the report is done (selesai)."""
    transition(session, report, S.SELESAI, actor=actor, reason=note, expected_version=expected_version, at=at)
    return _follow_up(session, report, actor, note, completes=True, at=at)


def reject(session: Session, report: Report, *, actor: str, reason: str,
           expected_version: int | None = None, at: datetime | None = None) -> Report:
    """Reject (ditolak): unclear, spam, or merged into another report. A reason is required."""
    if not reason.strip():
        raise ValueError("a rejection needs a reason the reporter could be told")
    return transition(session, report, S.DITOLAK, actor=actor, reason=reason, expected_version=expected_version,
                      at=at)


#: Statuses :func:`reopen` takes a report back from: the person's rejection or verification was a mistake.
REOPENABLE = frozenset({S.DITOLAK.value, S.TERVERIFIKASI.value})
REOPENED_LABEL_SOURCE = "dibuka_kembali"


def reopen(session: Session, report: Report, *, actor: str, reason: str,
           expected_version: int | None = None, at: datetime | None = None) -> Report:
    """Back to perlu_verifikasi from ditolak (the rejection was a mistake) or terverifikasi (so was the
    verification): undoing a person's decision needs a reason, as the rejection itself did. Only those
    two: `baru` → perlu_verifikasi is triage's move, not a reopening. The version is checked first, so
    a stale page is a conflict whatever the report's status now is. The verification deadline stays:
    the complaint has waited since it came in, whatever the office decided in between.

    A withdrawn verification leaves a label without a category (source ``dibuka_kembali``): it is the
    report's newest, so training stops using the withdrawn category until a person verifies it again,
    even if the report is rejected instead."""
    check_version(report, expected_version)
    if report.status not in REOPENABLE:
        raise IllegalTransition(report.id, report.status, S.PERLU_VERIFIKASI.value)
    if not reason.strip():
        raise ValueError("reopening a report needs a reason (why the earlier decision was wrong)")
    withdrawn = report.status == S.TERVERIFIKASI.value
    transition(session, report, S.PERLU_VERIFIKASI, actor=actor, reason=reason,
               expected_version=expected_version, at=at)
    if withdrawn:
        session.add(Label(report_id=report.id, text=report.masked_text or "", category=None,
                          source=REOPENED_LABEL_SOURCE, labeller=actor, created_at=at or utcnow()))
    return report


def set_pending(session: Session, report: Report, *, actor: str, message: str,
                expected_version: int | None = None, at: datetime | None = None) -> OutboxMessage:
    """Ask the reporter for details (tertunda); the question waits in the outbox for the channel to send."""
    if not message.strip():
        raise ValueError("a pending report needs the question to send to the reporter")
    transition(session, report, S.TERTUNDA, actor=actor, reason=message, expected_version=expected_version, at=at)
    post = session.get(Post, report.post_id)
    outbox = OutboxMessage(report_id=report.id, channel=post.channel, recipient=post.author_handle or post.author_id,
                           in_reply_to=post.source_id, body=message, created_by=actor, created_at=at or utcnow())
    session.add(outbox)
    session.flush()
    return outbox


def resume(session: Session, report: Report, *, actor: str, calendar: WorkingCalendar, now: datetime,
           reason: str | None = None, expected_version: int | None = None) -> Report:
    """Back to verification once the reporter has answered. The verification clock stopped while the
    report was tertunda: it runs on with the working days that were left when it stopped."""
    check_version(report, expected_version)
    if report.status != S.TERTUNDA:
        raise IllegalTransition(report.id, report.status, S.PERLU_VERIFIKASI.value)
    paused = rq.last_moved_to(session, report.id, S.TERTUNDA.value)
    if report.verify_due is not None and paused is not None:
        left = calendar.working_days_between(paused, report.verify_due)
        report.verify_due = calendar.add_working_days(now, left)
    elif report.verify_due is None:  # a report from before deadlines were kept: a fresh one, never none
        report.verify_due = calendar.add_working_days(now, VERIFY_WORKING_DAYS)
    return transition(session, report, S.PERLU_VERIFIKASI, actor=actor, reason=reason,
                      expected_version=expected_version, at=now, procedure="resume")


def _apply_corrections(report: Report, category: str | None, kecamatan_code: str | None,
                       desa_code: str | None) -> dict[str, dict[str, str | None]]:
    """Set what the verifikator corrected; column → {"from", "to"}, so the audit keeps what the machine said.

    A new kecamatan without a desa of its own drops the old desa, which lies in the other kecamatan."""
    if kecamatan_code is not None and desa_code is None and report.desa_code \
            and not report.desa_code.startswith(f"{kecamatan_code}."):
        desa_code = ""
    corrected = {}
    for name, value in (("category", category), ("kecamatan_code", kecamatan_code), ("desa_code", desa_code)):
        if value is not None and getattr(report, name) != (value or None):
            corrected[name] = {"from": getattr(report, name), "to": value or None}
            setattr(report, name, value or None)
    if "category" in corrected:
        report.category_source = "human"
    return corrected


def _follow_up(session: Session, report: Report, actor: str, note: str, *, completes: bool,
               at: datetime | None) -> FollowUp:
    row = FollowUp(report_id=report.id, opd_code=report.opd_code, note=note, completes=completes, actor=actor,
                   created_at=at or utcnow())
    session.add(row)
    session.flush()
    return row


def check_version(report: Report, expected_version: int | None) -> None:
    if expected_version is not None and report.version != expected_version:
        raise VersionConflict(report.id, expected_version, report.version)


def flush_checked(session: Session, report_id: int, expected_version: int | None) -> None:
    """Flush now so that a concurrent save (the UPDATE matching no row) is reported as a conflict.

    After a failed flush the session must be rolled back, so nothing of the report is read here.
    """
    try:
        session.flush()
    except StaleDataError as exc:
        raise VersionConflict(report_id, expected_version, None) from exc

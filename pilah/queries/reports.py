"""Queries over the triage queue: reports, their flags and groups, and the counts statistics publish."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from pilah.queries.upsert import insert_ignoring_conflicts
from pilah.schema import (
    AuditEvent,
    Disposition,
    FollowUp,
    Opd,
    Post,
    QuarantinedItem,
    Report,
    ReportFlag,
    ReportStatus,
)
from pilah.schema.reports import running_due_at

_IN_CHUNK = 500


# --- intake -------------------------------------------------------------------------------------

def post_ids_without_report(session: Session, limit: int, after: int = 0) -> list[int]:
    """Posts (id above `after`) that have no report yet; a caller going in chunks passes the last id it saw,
    so each chunk starts where the last ended instead of walking every post that already has a report."""
    missing = ~exists().where(Report.post_id == Post.id)
    return list(session.scalars(select(Post.id).where(missing, Post.id > after).order_by(Post.id).limit(limit)))


def insert_reports(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new reports; a post that already has one (another run got there first) is skipped."""
    insert_ignoring_conflicts(session, Report.__table__, rows, ["post_id"])


# --- the automatic triage stages ----------------------------------------------------------------

def new_report_ids(session: Session) -> list[int]:
    """Ids of every report still in `baru`, oldest post first: one sort for a whole triage run.

    Asking for the next batch with ORDER BY ... LIMIT sorts all remaining `baru` reports each time,
    which at a million reports is quadratic.
    """
    return list(session.scalars(
        select(Report.id).join(Post, Report.post_id == Post.id)
        .where(Report.status == ReportStatus.BARU.value).order_by(Post.created_at, Post.id)
    ))


def earliest_new_post_time(session: Session) -> datetime | None:
    return session.scalar(
        select(func.min(Post.created_at)).join(Report, Report.post_id == Post.id)
        .where(Report.status == ReportStatus.BARU.value)
    )


def linked_members(session: Session, canonical_id: int) -> list[tuple[Report, Post]]:
    """The reports linked to a group's head (not the head itself), oldest post first."""
    rows = session.execute(
        select(Report, Post).join(Post, Report.post_id == Post.id)
        .where(Report.duplicate_of_id == canonical_id).order_by(Post.created_at, Report.id)
    )
    return [(report, post) for report, post in rows]


# --- flags --------------------------------------------------------------------------------------

def flag(session: Session, report_id: int, code: str) -> ReportFlag | None:
    return session.scalars(
        select(ReportFlag).where(ReportFlag.report_id == report_id, ReportFlag.code == code)
    ).one_or_none()


def flags_of(session: Session, report_id: int) -> list[ReportFlag]:
    return list(session.scalars(
        select(ReportFlag).where(ReportFlag.report_id == report_id).order_by(ReportFlag.code)
    ))


def last_moved_to(session: Session, report_id: int, status: str) -> datetime | None:
    """When the report last entered ``status`` (its audit trail), None if it never did."""
    return session.scalars(
        select(AuditEvent.at).where(AuditEvent.entity_type == "report", AuditEvent.entity_id == str(report_id),
                                    AuditEvent.to_status == status)
        .order_by(AuditEvent.at.desc()).limit(1)
    ).first()


def flags_with_prefix(session: Session, report_id: int, prefix: str) -> list[ReportFlag]:
    return list(session.scalars(
        select(ReportFlag).where(ReportFlag.report_id == report_id, ReportFlag.code.startswith(prefix))
        .order_by(ReportFlag.code)
    ))


# --- statistics ---------------------------------------------------------------------------------

def _received(start: datetime | None, end: datetime | None) -> Select:
    """Reports whose post was received within [start, end] (either bound may be open)."""
    query = select(Report.id).join(Post, Report.post_id == Post.id)
    if start is not None:
        query = query.where(Post.created_at >= start)
    if end is not None:
        query = query.where(Post.created_at <= end)
    return query


def count_by_status(session: Session, start: datetime | None, end: datetime | None) -> dict[str, int]:
    ids = _received(start, end).subquery()
    rows = session.execute(
        select(Report.status, func.count()).where(Report.id.in_(select(ids.c.id))).group_by(Report.status)
    )
    return {status: count for status, count in rows}


def count_unclear_or_repeated(session: Session, start: datetime | None, end: datetime | None,
                              unclear_prefix: str) -> int:
    unclear = exists().where(ReportFlag.report_id == Report.id, ReportFlag.code.startswith(unclear_prefix))
    query = _received(start, end).where(or_(unclear, Report.duplicate_of_id.is_not(None)))
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def top_values(session: Session, column: Any, start: datetime | None, end: datetime | None,
               limit: int) -> list[tuple[str, int]]:
    """Most frequent values of a report column among received reports that head their own group."""
    ids = _received(start, end).where(Report.duplicate_of_id.is_(None), column.is_not(None)).subquery()
    rows = session.execute(
        select(column, func.count().label("n")).where(Report.id.in_(select(ids.c.id)))
        .group_by(column).order_by(func.count().desc(), column).limit(limit)
    )
    return [(value, count) for value, count in rows]


def opd_workload(session: Session, start: datetime | None, end: datetime | None,
                 statuses: Sequence[str], followed: Sequence[str], done: str) -> list[tuple[str, str, int, int, int]]:
    """Per OPD: (code, short name, dispositioned, followed up, done) over reports in the given statuses."""
    ids = _received(start, end).where(Report.status.in_(statuses), Report.opd_code.is_not(None)).subquery()
    followed_count = func.sum(_flag_int(Report.status.in_(followed)))
    done_count = func.sum(_flag_int(Report.status == done))
    rows = session.execute(
        select(Opd.code, Opd.short_name, func.count(), followed_count, done_count)
        .join(Report, Report.opd_code == Opd.code).where(Report.id.in_(select(ids.c.id)))
        .group_by(Opd.code, Opd.short_name).order_by(func.count().desc(), Opd.code)
    )
    return [(code, name, int(n), int(f or 0), int(d or 0)) for code, name, n, f, d in rows]


def _flag_int(condition: Any) -> Any:
    return case((condition, 1), else_=0)


# --- deadlines ----------------------------------------------------------------------------------

#: Statuses whose clock is the verification deadline, and the one whose clock is the OPD's follow-up.
VERIFY_CLOCK = (ReportStatus.PERLU_VERIFIKASI.value, ReportStatus.TERVERIFIKASI.value)
FOLLOW_UP_CLOCK = ReportStatus.TERDISPOSISI.value


def running_due_value(status: str | None, verify_due: datetime | None,
                      followup_due: datetime | None) -> datetime | None:
    """`reports.next_due_at` for a row written with Core (insert/update statements skip the mapper listener)."""
    return running_due_at(status, verify_due, followup_due)


def running_due() -> Any:
    """The deadline that is running for a report: follow-up when dispositioned, else verification."""
    return case((Report.status == FOLLOW_UP_CLOCK, Report.followup_due),
                (Report.status.in_(VERIFY_CLOCK), Report.verify_due), else_=None)


def deadline_risk_order() -> list[Any]:
    """ORDER BY for a queue by deadline risk: the earliest running deadline first, none last.

    Uses the stored `next_due_at` (kept equal to running_due() by the Report mapper listener).
    """
    due = Report.next_due_at
    return [case((due.is_(None), 1), else_=0), due, Report.id]


def queue_by_deadline_risk(session: Session, statuses: Sequence[str], limit: int = 50,
                           offset: int = 0) -> list[Report]:
    """Reports in the given statuses, most at risk of missing their deadline first."""
    return list(session.scalars(
        select(Report).where(Report.status.in_(statuses)).order_by(*deadline_risk_order()).limit(limit).offset(offset)
    ))


def overdue_reports(session: Session, now: datetime) -> Iterator[tuple[int, str, datetime]]:
    """(report id, which deadline, due) for every report whose running deadline has passed, streamed."""
    verify = and_(Report.status.in_(VERIFY_CLOCK), Report.verify_due < now)
    follow = and_(Report.status == FOLLOW_UP_CLOCK, Report.followup_due < now)
    rows = session.execute(
        select(Report.id, Report.status, Report.verify_due, Report.followup_due).where(or_(verify, follow))
        .order_by(Report.id).execution_options(yield_per=10_000)
    )
    for rid, status, verify_due, followup_due in rows:
        yield (rid, "followup" if status == FOLLOW_UP_CLOCK else "verify",
               followup_due if status == FOLLOW_UP_CLOCK else verify_due)


def follow_ups_waiting(session: Session) -> list[tuple[Report, datetime]]:
    """Reports in follow-up (`ditindaklanjuti`) with the time of their latest follow-up note."""
    last = (select(FollowUp.report_id, func.max(FollowUp.created_at).label("last_at"))
            .group_by(FollowUp.report_id).subquery())
    rows = session.execute(
        select(Report, last.c.last_at).join(last, last.c.report_id == Report.id)
        .where(Report.status == ReportStatus.DITINDAKLANJUTI.value).order_by(Report.id)
    )
    return [(report, last_at) for report, last_at in rows]


def count_new_reports(session: Session) -> int:
    return session.scalar(select(func.count()).where(Report.status == ReportStatus.BARU.value)) or 0


def disposition_follow_ups(session: Session, start: datetime | None,
                           end: datetime | None) -> list[tuple[str, str, datetime, datetime | None]]:
    """Per disposition still standing (not returned): (OPD code, OPD name, due, first follow-up by that OPD)."""
    first = (select(func.min(FollowUp.created_at))
             .where(FollowUp.report_id == Disposition.report_id, FollowUp.opd_code == Disposition.opd_code,
                    FollowUp.created_at >= Disposition.created_at)
             .correlate(Disposition).scalar_subquery())
    ids = _received(start, end).subquery()
    rows = session.execute(
        select(Opd.code, Opd.short_name, Disposition.due_at, first)
        .join(Opd, Opd.code == Disposition.opd_code)
        .where(Disposition.report_id.in_(select(ids.c.id)), Disposition.delivery_state != "dikembalikan")
        .order_by(Opd.code, Disposition.id)
    )
    return [(code, name, due, first_at) for code, name, due, first_at in rows]


# --- the funnel and the charts ------------------------------------------------------------------

def count_posts(session: Session, start: datetime | None, end: datetime | None) -> int:
    query = select(func.count()).select_from(Post)
    query = query.where(Post.created_at >= start) if start is not None else query
    query = query.where(Post.created_at <= end) if end is not None else query
    return session.scalar(query) or 0


def count_quarantine(session: Session, start: datetime | None, end: datetime | None) -> int:
    """Quarantined items still unread: one a later read took in is counted among the posts instead."""
    query = select(func.count()).select_from(QuarantinedItem).where(QuarantinedItem.resolved_at.is_(None))
    query = query.where(QuarantinedItem.created_at >= start) if start is not None else query
    query = query.where(QuarantinedItem.created_at <= end) if end is not None else query
    return session.scalar(query) or 0


def funnel_counts(session: Session, start: datetime | None, end: datetime | None, unclear_prefix: str,
                  overdue_code: str, dispositioned: Sequence[str]) -> dict[str, int]:
    """Reports received in the period: duplicates, unclear (not duplicates), queued, dispositioned, overdue."""
    unclear = exists().where(ReportFlag.report_id == Report.id, ReportFlag.code.startswith(unclear_prefix))
    overdue = exists().where(ReportFlag.report_id == Report.id, ReportFlag.code == overdue_code)
    is_dup = Report.duplicate_of_id.is_not(None)
    clear = and_(~is_dup, ~unclear, Report.status != ReportStatus.BARU.value)
    ids = _received(start, end).subquery()
    row = session.execute(
        select(func.sum(_flag_int(is_dup)), func.sum(_flag_int(and_(~is_dup, unclear))), func.sum(_flag_int(clear)),
               func.sum(_flag_int(and_(clear, Report.status.in_(dispositioned)))), func.sum(_flag_int(overdue)))
        .where(Report.id.in_(select(ids.c.id)))
    ).one()
    names = ("duplicates", "unclear", "queued", "dispositioned", "overdue")
    return {name: int(value or 0) for name, value in zip(names, row, strict=True)}


def received_statuses(session: Session, start: datetime | None, end: datetime | None) -> Iterator[tuple[datetime, str]]:
    """(received at, current status) of every report received in the period, streamed."""
    query = select(Post.created_at, Report.status).join(Report, Report.post_id == Post.id)
    query = query.where(Post.created_at >= start) if start is not None else query
    query = query.where(Post.created_at <= end) if end is not None else query
    yield from session.execute(query.execution_options(yield_per=10_000))

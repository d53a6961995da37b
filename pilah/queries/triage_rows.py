"""Core reads and writes of the triage batch and the nightly deadline check: plain rows in, executemany out.

A million reports through the ORM spend most of their time building, tracking and flushing
objects; these statements carry the same values as tuples. The version column is still the
guard: an update that finds a report at another version than it read changes nothing, and the
caller fails the whole batch (see `update_reports_checked`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Row, bindparam, delete, func, insert, literal, select, union_all, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from pilah.schema import AuditEvent, Post, Report, ReportFlag, ReportStatus

_IN_CHUNK = 500


class FlagRow(NamedTuple):
    id: int
    reason: str
    source: str


#: The post columns duplicate detection and the tagger read, beside the report's own.
_POST_COLUMNS = (Post.text, Post.geo_hint, Post.channel, Post.source_id, Post.created_at, Post.author_id,
                 Post.author_name, Post.retweet_of_id, Post.quote_of_id)


def new_report_rows_among(session: Session, report_ids: Sequence[int]) -> list[Row]:
    """Those of these reports still in `baru` (another run may have taken some), oldest post first."""
    return list(session.execute(
        select(Report.id, Report.version, Report.status, Report.followup_due, Report.duplicate_of_id,
               Report.duplicate_kind, Report.duplicate_similarity, *_POST_COLUMNS)
        .join(Post, Report.post_id == Post.id)
        .where(Report.id.in_(report_ids), Report.status == ReportStatus.BARU.value)
        .order_by(Post.created_at, Post.id)
    ))


def new_report_versions(session: Session, report_ids: Sequence[int]) -> dict[int, int]:
    """report id → version, for those of these reports still in `baru`."""
    found: dict[int, int] = {}
    for start in range(0, len(report_ids), _IN_CHUNK):
        rows = session.execute(
            select(Report.id, Report.version)
            .where(Report.id.in_(report_ids[start:start + _IN_CHUNK]), Report.status == ReportStatus.BARU.value))
        found.update({report_id: version for report_id, version in rows})
    return found


def triaged_rows_since(session: Session, since: datetime) -> Iterable[Row]:
    """Reports past `baru` whose post is recent enough to be matched as a duplicate, oldest first."""
    return session.execute(
        select(Report.id, Report.category, Report.duplicate_of_id, *_POST_COLUMNS)
        .join(Post, Report.post_id == Post.id)
        .where(Report.status != ReportStatus.BARU.value, Post.created_at >= since)
        .order_by(Post.created_at, Post.id)
        .execution_options(yield_per=10_000)
    )


class LinkTarget(NamedTuple):
    """The report of a tweet others retweet or quote, and the head of its group (itself when it heads one)."""

    report_id: int
    head_id: int


def link_targets(session: Session, source_ids: Sequence[str]) -> dict[str, LinkTarget]:
    """tweet source id → its report and group head, for the tweets of these ids that are stored."""
    found: dict[str, LinkTarget] = {}
    for start in range(0, len(source_ids), _IN_CHUNK):
        rows = session.execute(
            select(Post.source_id, Report.id, Report.duplicate_of_id).join(Report, Report.post_id == Post.id)
            .where(Post.channel == "twitter", Post.source_id.in_(source_ids[start:start + _IN_CHUNK])))
        found.update({source_id: LinkTarget(report_id, head or report_id) for source_id, report_id, head in rows})
    return found


def flag_rows_of_reports(session: Session, report_ids: Sequence[int]) -> dict[int, dict[str, FlagRow]]:
    """report id → code → its flag row, for many reports in a few queries."""
    found: dict[int, dict[str, FlagRow]] = {report_id: {} for report_id in report_ids}
    columns = (ReportFlag.report_id, ReportFlag.code, ReportFlag.id, ReportFlag.reason, ReportFlag.source)
    for start in range(0, len(report_ids), _IN_CHUNK):
        chunk = report_ids[start:start + _IN_CHUNK]
        for report_id, code, flag_id, reason, source in session.execute(
                select(*columns).where(ReportFlag.report_id.in_(chunk))):
            found[report_id][code] = FlagRow(flag_id, reason, source)
    return found


def flag_rows_by_code(session: Session, code: str) -> dict[int, FlagRow]:
    """report id → its flag row with this code, over all reports."""
    rows = session.execute(select(ReportFlag.report_id, ReportFlag.id, ReportFlag.reason, ReportFlag.source)
                           .where(ReportFlag.code == code))
    return {report_id: FlagRow(flag_id, reason, source) for report_id, flag_id, reason, source in rows}


def update_reports_checked(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Write each row's values to its report, if the report is still at row["expected_version"].

    The rows must all carry the same keys: "id", "expected_version" and the columns to set. If any
    report was changed meanwhile, raises StaleDataError, as the ORM's version check does, so the
    caller's transaction rolls back whole.
    """
    if not rows:
        return
    columns = [key for key in rows[0] if key not in ("id", "expected_version")]
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError("every row of one update must set the same columns")
    statement = (update(Report.__table__)
                 .where(Report.__table__.c.id == bindparam("b_id"),
                        Report.__table__.c.version == bindparam("b_expected_version"))
                 .values({column: bindparam(f"b_{column}") for column in columns})
                 .execution_options(preserve_rowcount=True))
    params = [{f"b_{key}": value for key, value in row.items()} for row in rows]
    matched = session.connection().execute(statement, params).rowcount
    if matched != len(rows):
        raise StaleDataError(f"{len(rows) - matched} of {len(rows)} reports changed while the batch ran")


def insert_flags(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """New flag rows (report_id, code, reason, source, created_at)."""
    if rows:
        session.connection().execute(insert(ReportFlag.__table__), list(rows))


def update_flag_reasons(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Rows of (id, reason, source): a flag raised again for another reason keeps its row."""
    if not rows:
        return
    table = ReportFlag.__table__
    statement = (update(table).where(table.c.id == bindparam("b_id"))
                 .values(reason=bindparam("b_reason"), source=bindparam("b_source")))
    session.connection().execute(statement, [{"b_id": row["id"], "b_reason": row["reason"],
                                              "b_source": row["source"]} for row in rows])


def delete_flags(session: Session, flag_ids: Sequence[int]) -> None:
    table = ReportFlag.__table__
    for start in range(0, len(flag_ids), _IN_CHUNK):
        session.connection().execute(delete(table).where(table.c.id.in_(flag_ids[start:start + _IN_CHUNK])))


def insert_audit_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Audit events (at, actor, entity_type, entity_id, action, from_status, to_status, reason, details)."""
    if rows:
        session.connection().execute(insert(AuditEvent.__table__), list(rows))


def group_sizes(session: Session, head_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """head id → (reports in its group, distinct reporters among them), counted by the database.

    A reporter ("N pelapor") is one account on one channel, so a copy on another channel counts once
    more: the channel and the author id, or the post's own id when the channel gives no author.
    """
    sizes: dict[int, tuple[int, int]] = {}
    reporter = Post.channel + literal(":") + func.coalesce(func.nullif(Post.author_id, ""), Post.source_id)
    for start in range(0, len(head_ids), _IN_CHUNK):
        chunk = list(head_ids[start:start + _IN_CHUNK])
        members = (select(Report.duplicate_of_id.label("head"), reporter.label("reporter"))
                   .join(Post, Report.post_id == Post.id).where(Report.duplicate_of_id.in_(chunk)))
        heads = (select(Report.id.label("head"), reporter.label("reporter"))
                 .join(Post, Report.post_id == Post.id).where(Report.id.in_(chunk)))
        group = union_all(members, heads).subquery()
        rows = session.execute(select(group.c.head, func.count(), func.count(func.distinct(group.c.reporter)))
                               .group_by(group.c.head))
        sizes.update({head: (int(reports), int(reporters)) for head, reports, reporters in rows})
    return sizes

"""Core reads and writes of the triage batch and the nightly deadline check: plain rows in, bulk statements out.

A million reports through the ORM spend most of their time building, tracking and flushing
objects; these statements carry the same values as tuples, the batch's reports, flags and audit
events a few hundred rows to a statement (`_MultiRow`). The version column is still the guard: an
update that finds a report at another version than it read changes nothing, and the caller fails
the whole batch (see `update_reports_checked`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, ClassVar, NamedTuple

from sqlalchemy import (
    CursorResult,
    Dialect,
    Row,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)
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
        select(Report.id, Report.category, Report.kecamatan_code, Report.desa_code, Report.duplicate_of_id,
               *_POST_COLUMNS)
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

    One statement per few hundred reports, UPDATE ... FROM a VALUES list (see `_MultiRow`).
    """
    if not rows:
        return
    columns = [key for key in rows[0] if key not in ("id", "expected_version")]
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError("every row of one update must set the same columns")
    table = Report.__table__
    statement = _MultiRow.of(session, table, ("id", "expected_version", *columns), _update_sql(session, columns),
                             types={"expected_version": table.c.version.type})
    matched = sum(result.rowcount for result in statement.execute(session, rows))
    if matched != len(rows):
        raise StaleDataError(f"{len(rows) - matched} of {len(rows)} reports changed while the batch ran")


def _update_sql(session: Session, columns: list[str]) -> tuple[str, str]:
    """Head and tail of UPDATE reports ... FROM (VALUES ...): SQLite names a VALUES list's columns column1,
    column2, ... and takes no list of names for them, so PostgreSQL is given the same names. The statement
    starts with UPDATE, so sqlite3 counts its rows."""
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    assignments = ", ".join(f"{quote(name)} = b.column{number}" for number, name in enumerate(columns, 3))
    names = ", ".join(f"column{number}" for number in range(1, len(columns) + 3))
    alias = f"b({names})" if dialect.name == "postgresql" else "b"
    return (f"UPDATE reports SET {assignments} FROM (VALUES ",
            f") AS {alias} WHERE reports.id = b.column1 AND reports.version = b.column2")


#: Bound values in one statement: SQLite allows 32,766 and PostgreSQL 65,535.
_MAX_BOUND_VALUES = 30_000


class _MultiRow:
    """One statement for many rows, `head` + a VALUES row per row + `tail`, for one set of keys on one database.

    The triage writer runs on a thread beside the one deciding the next batch, and sqlite3 hands the
    interpreter lock back and forth on every execution of an executemany: one statement per few hundred
    rows avoids it. Values go through each column type's own bind processing, as through a Core
    statement, so what is stored is the same (SQLite's text timestamps, JSON). PostgreSQL types a VALUES
    list from its contents, so there each value is cast to its column's type.
    """

    _made: ClassVar[dict[tuple, _MultiRow]] = {}

    @classmethod
    def of(cls, session: Session, table: Table, keys: tuple[str, ...], sql: tuple[str, str],
           types: dict[str, Any] | None = None) -> _MultiRow:
        dialect = session.get_bind().dialect
        made_for = (dialect.name, table.name, keys, sql)
        if made_for not in cls._made:
            kinds = [(types or {}).get(key, table.c[key].type if key in table.c else None) for key in keys]
            cls._made[made_for] = cls(dialect, keys, kinds, sql)
        return cls._made[made_for]

    def __init__(self, dialect: Dialect, keys: tuple[str, ...], kinds: list[Any], sql: tuple[str, str]) -> None:
        self.keys, (self.head, self.tail) = keys, sql
        self.processors = [kind.dialect_impl(dialect).bind_processor(dialect) for kind in kinds]
        placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
        if dialect.name == "postgresql":
            values = [f"CAST({placeholder} AS {kind.compile(dialect=dialect)})" for kind in kinds]
        else:
            values = [placeholder] * len(kinds)
        self.row = f"({', '.join(values)})"
        self.rows_per_statement = max(1, _MAX_BOUND_VALUES // len(keys))

    def execute(self, session: Session, rows: Sequence[dict[str, Any]]) -> list[CursorResult]:
        connection = session.connection()
        return [connection.exec_driver_sql(self._sql(len(chunk)), self._params(chunk))
                for start in range(0, len(rows), self.rows_per_statement)
                for chunk in (rows[start:start + self.rows_per_statement],)]

    def _sql(self, count: int) -> str:
        return self.head + ", ".join([self.row] * count) + self.tail

    def _params(self, rows: Sequence[dict[str, Any]]) -> tuple[Any, ...]:
        keys, processors = self.keys, self.processors
        return tuple(value if process is None else process(value)
                     for row in rows for key, process in zip(keys, processors, strict=True)
                     for value in (row[key],))


def _insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT many rows in a few statements (see `_MultiRow`); rows that leave out a column with a Python-side
    default go through a Core executemany, which fills it in."""
    keys = tuple(rows[0])
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError("every row of one insert must carry the same columns")
    defaulted = {column.name for column in table.c if column.default is not None and not column.primary_key}
    if not defaulted <= set(keys):
        session.connection().execute(insert(table), list(rows))
        return
    quote = session.get_bind().dialect.identifier_preparer.quote
    head = f"INSERT INTO {table.name} ({', '.join(map(quote, keys))}) VALUES "
    _MultiRow.of(session, table, keys, (head, "")).execute(session, rows)


def insert_flags(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """New flag rows (report_id, code, reason, source, created_at)."""
    if rows:
        _insert_rows(session, ReportFlag.__table__, rows)


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
        _insert_rows(session, AuditEvent.__table__, rows)


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

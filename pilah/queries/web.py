"""Queries the staff web application asks: users, the queue, one report with its history, the OPD view.

Queue rows carry masked text for every role (a list is for scanning, not for contacting people).

The queue is paged with LIMIT/OFFSET over indexed columns and never counts the whole table,
so a page costs the same with 100 or 100,000 reports. "By deadline risk" walks the index on
`reports.next_due_at` (the running deadline, kept by the Report mapper listener) and then the
reports with no running deadline by id; the two halves are read separately because no index
yields "NULLs last" on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, String, and_, bindparam, exists, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session, aliased, joinedload

from classify.pii import mask_pii
from pilah.schema import (
    ApiToken,
    AuditEvent,
    Disposition,
    FollowUp,
    Label,
    LoginAttempt,
    Opd,
    Post,
    Report,
    ReportFlag,
    RoutingRule,
    User,
)

#: The verifikator's working set when no status is chosen.
REVIEW_STATUSES = ("baru", "perlu_verifikasi", "terverifikasi", "tertunda")
#: What an OPD liaison sees: reports dispositioned to them and not yet closed or returned.
OPD_STATUSES = ("terdisposisi", "ditindaklanjuti", "selesai")
CLOSED_STATUSES = ("selesai", "ditolak")
SORTS = ("risiko", "terbaru", "terlama")


# --- users, logins, tokens ---------------------------------------------------------------

def user_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def all_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.role, User.username)).all()


def recent_login_failures(session: Session, username: str, *, since: datetime) -> int:
    """Failures after `since` and after the user's last successful login."""
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.username == username, LoginAttempt.success.is_(True))
    )
    start = max(since, last_ok) if last_ok else since
    return session.scalar(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.username == username, LoginAttempt.success.is_(False), LoginAttempt.at > start
        )
    ) or 0


def recent_client_failures(session: Session, client: str, *, since: datetime) -> int:
    """Failures from one client address after `since`, whatever the usernames."""
    return session.scalar(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.client == client, LoginAttempt.success.is_(False), LoginAttempt.at > since
        )
    ) or 0


def api_token_by_hash(session: Session, digest: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).one_or_none()


def tokens_of(session: Session) -> Sequence[tuple[ApiToken, str]]:
    return session.execute(
        select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    ).all()


# --- directory ---------------------------------------------------------------------------

def opd_by_code(session: Session, code: str) -> Opd | None:
    return session.get(Opd, code)


def active_opds(session: Session) -> Sequence[Opd]:
    return session.scalars(select(Opd).where(Opd.active.is_(True)).order_by(Opd.kind, Opd.name)).all()


@dataclass(frozen=True)
class OpdChoice:
    code: str
    short_name: str


@dataclass(frozen=True)
class PageChoices:
    """What the queue's and a report's forms offer, and the routing rules behind the suggested OPD.

    `opds`: the active OPDs (code, short name), by kind and name. `rules`: (category, kecamatan code) → (rule id,
    OPD code) for every active rule of an active OPD, built in rule-id order as `triage.routing.RoutingTable.load`
    builds it. `flag_codes`: every flag code in use, as `flag_codes` gives them.
    """

    opds: tuple[OpdChoice, ...]
    rules: dict[tuple[str, str | None], tuple[int, str]]
    flag_codes: tuple[str, ...]


def page_choices(session: Session) -> PageChoices:
    """The choices and routing rules in one statement: three queries of ORM entities cost a page more than
    anything else it asks. Nothing is remembered between requests, so an edit shows on the next page in
    every worker process."""
    opds: dict[str, OpdChoice] = {}
    rules: list[tuple[int, str, str | None, str]] = []
    codes: list[str] = []
    for part, code, short_name, rule_id, category, kecamatan_code in session.execute(_PAGE_CHOICES):
        if part == 0:
            codes.append(code)
            continue
        if code not in opds:
            opds[code] = OpdChoice(code, short_name)
        if rule_id is not None:
            rules.append((rule_id, category, kecamatan_code, code))
    rules.sort()
    return PageChoices(opds=tuple(opds.values()), flag_codes=tuple(codes),
                       rules={(category, kecamatan_code): (rule_id, code)
                              for rule_id, category, kecamatan_code, code in rules})


# --- the queue ---------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueFilter:
    """What the queue form asks for; empty strings mean 'any'."""

    status: str = ""
    category: str = ""
    kecamatan: str = ""
    channel: str = ""
    flag: str = ""
    opd: str = ""
    date_from: datetime | None = None
    date_to: datetime | None = None
    overdue: bool = False
    sort: str = "risiko"
    page: int = 1


@dataclass
class QueueRow:
    report: Any  # a Report, or a result row with its QUEUE_ROW_COLUMNS
    channel: str
    posted_at: datetime
    text: str
    flags: list[str] = field(default_factory=list)


#: What a queue row shows (the queue, the OPD list, the API and Open311 summaries). A row's `report` is a
#: result row holding `id` and these columns, not a Report (loading entities costs more than the whole
#: query on a 50-row page), so any other column must be added here before a list can show it.
QUEUE_ROW_COLUMNS = (Report.status, Report.category, Report.category_confidence, Report.category_source,
                     Report.kecamatan_code, Report.desa_code, Report.opd_code, Report.masked_text, Report.verify_due,
                     Report.followup_due, Report.next_due_at, Report.updated_at, Report.version)

#: A row's flag codes (each one line), in the row's own query: a query of their own cost a page a round trip
#: to the database, about as much as finding the page's rows.
_FLAG_SEPARATOR = "\n"
_ROW_FLAGS = (select(func.aggregate_strings(ReportFlag.code, _FLAG_SEPARATOR))
              .where(ReportFlag.report_id == Report.id).correlate(Report).scalar_subquery())

_QUEUE_SELECT = select(Report.id, *QUEUE_ROW_COLUMNS, Post.channel.label("post_channel"),
                       Post.created_at.label("post_created_at"), Post.text.label("post_text"),
                       _ROW_FLAGS.label("flag_codes")).join(Post, Post.id == Report.post_id)


@dataclass
class QueuePage:
    rows: list[QueueRow]
    page: int
    has_next: bool


def _queue_conditions(wanted: QueueFilter, now: datetime) -> list:
    conditions = []
    if wanted.status == "semua":
        pass
    elif wanted.status:
        conditions.append(Report.status == wanted.status)
    else:
        conditions.append(Report.status.in_(REVIEW_STATUSES))
    for column, value in ((Report.category, wanted.category), (Report.kecamatan_code, wanted.kecamatan),
                          (Post.channel, wanted.channel), (Report.opd_code, wanted.opd)):
        if value:
            conditions.append(column == value)
    conditions.extend(_time_conditions(wanted, now))
    if wanted.flag:
        conditions.append(Report.id.in_(select(ReportFlag.report_id).where(ReportFlag.code == wanted.flag)))
    return conditions


def _time_conditions(wanted: QueueFilter, now: datetime) -> list:
    conditions = []
    if wanted.date_from:
        conditions.append(Post.created_at >= wanted.date_from)
    if wanted.date_to:
        conditions.append(Post.created_at < wanted.date_to)
    if wanted.overdue:
        conditions.append(Report.next_due_at < now)
    return conditions


def _page_rows(session: Session, ids: Select, sort: str, offset: int, limit: int) -> list:
    """The page's rows: its report ids are found first (`ids`, over reports alone unless a condition names the
    post), then only those rows are read whole. Skipping `offset` rows of the full row, joined to its post,
    cost PostgreSQL a post lookup for every skipped report."""
    if sort in ("terbaru", "terlama"):
        order = (Report.id.desc() if sort == "terbaru" else Report.id,)
        return _rows(session, ids.order_by(*order).offset(offset).limit(limit), order)
    due = Report.next_due_at
    running = _rows(session, ids.where(due.is_not(None)).order_by(due, Report.id).offset(offset).limit(limit),
                    (due, Report.id))
    if len(running) == limit:
        return running
    skip = 0
    if not running and offset:  # a page past every running deadline: how many of those came before it
        before = select(func.count()).select_from(ids.where(due.is_not(None)).subquery())
        skip = offset - (session.scalar(before) or 0)
    return running + _rows(session, ids.where(due.is_(None)).order_by(Report.id).offset(max(skip, 0))
                           .limit(limit - len(running)), (Report.id,))


def _rows(session: Session, page_ids: Select, order: tuple) -> list:
    return list(session.execute(_QUEUE_SELECT.where(Report.id.in_(page_ids)).order_by(*order)))


def queue_page(session: Session, wanted: QueueFilter, *, now: datetime, page_size: int,
               opd_code: str | None = None, statuses: Sequence[str] | None = None) -> QueuePage:
    """One page of the queue; `opd_code` scopes it to one OPD's dispositioned reports, `statuses` to
    those statuses (in the query, so that every page is full and `has_next` is true)."""
    conditions = _queue_conditions(wanted, now)
    if opd_code is not None:
        conditions.append(Report.opd_code == opd_code)
    if statuses is not None:
        conditions.append(Report.status.in_(statuses))
    ids = select(Report.id)
    if wanted.channel or wanted.date_from or wanted.date_to:  # the conditions that name the post
        ids = ids.join(Post, Post.id == Report.post_id)
    offset = (max(wanted.page, 1) - 1) * page_size
    found = _page_rows(session, ids.where(*conditions), wanted.sort, offset, page_size + 1)
    rows = [QueueRow(r, r.post_channel, r.post_created_at, r.masked_text or mask_pii(r.post_text),
                     sorted(r.flag_codes.split(_FLAG_SEPARATOR)) if r.flag_codes else [])
            for r in found[:page_size]]
    return QueuePage(rows=rows, page=max(wanted.page, 1), has_next=len(found) > page_size)


def _flag_codes_query() -> Select:
    """Every flag code in use, for the queue's filter: one index probe per code (a loose index scan)
    instead of DISTINCT over every flag row, which costs milliseconds per page on PostgreSQL."""
    first = select(func.min(ReportFlag.code).label("code")).cte("codes", recursive=True)
    following = select(func.min(ReportFlag.code)).where(ReportFlag.code > first.c.code).scalar_subquery()
    codes = first.union_all(select(following).where(first.c.code.is_not(None)))
    return select(codes.c.code).where(codes.c.code.is_not(None)).order_by(codes.c.code)


#: Built once: the recursive CTE takes longer to build than to run.
_FLAG_CODES = _flag_codes_query()


def _page_choices_query() -> Select:
    """Flag codes (part 0, by code), then each active OPD (part 1, by kind and name) once per
    active routing rule that sends to it (by rule id), or once with no rule."""
    codes = _FLAG_CODES.subquery()
    flags = select(literal(0), null(), null(), codes.c.code, null(), literal(None, Integer), null(),
                   literal(None, String))
    opds = (select(literal(1).label("part"), Opd.kind, Opd.name, Opd.code, Opd.short_name,
                   RoutingRule.id.label("rule_id"), RoutingRule.category, RoutingRule.kecamatan_code)
            .outerjoin(RoutingRule, and_(RoutingRule.opd_code == Opd.code, RoutingRule.active.is_(True)))
            .where(Opd.active.is_(True)))
    both = union_all(opds, flags).subquery()
    return select(both.c.part, both.c.code, both.c.short_name, both.c.rule_id, both.c.category,
                  both.c.kecamatan_code).order_by(both.c.part, both.c.kind, both.c.name, both.c.code, both.c.rule_id)


_PAGE_CHOICES = _page_choices_query()


# --- one report --------------------------------------------------------------------------

def report_with_post(session: Session, report_id: int) -> tuple[Report, Post] | None:
    row = session.execute(
        select(Report, Post).join(Post, Post.id == Report.post_id).where(Report.id == report_id)
    ).one_or_none()
    return (row[0], row[1]) if row else None


@dataclass
class ReportPage:
    """One report with its post and flags, and which of the things its page lists exist at all."""

    report: Report
    post: Post
    grouped: bool
    has_history: bool
    has_dispositions: bool
    has_follow_ups: bool


def report_page(session: Session, report_id: int) -> ReportPage | None:
    """The report, its post and its flags in one statement, with an EXISTS probe for its duplicate group,
    history, dispositions and follow-ups, so the page asks for only the lists that have something in them."""
    row = session.execute(_REPORT_PAGE, {"report_id": report_id, "entity_id": str(report_id)}).unique().one_or_none()
    if row is None:
        return None
    report, post, linked, history, dispositions, follow_ups = row
    return ReportPage(report, post, grouped=linked or report.duplicate_of_id is not None, has_history=history,
                      has_dispositions=dispositions, has_follow_ups=follow_ups)


def _report_page_query() -> Select:
    report_id, entity_id = bindparam("report_id", type_=Integer), bindparam("entity_id", type_=String)
    member = aliased(Report)
    linked = exists().where(member.duplicate_of_id == report_id)
    history = exists().where(AuditEvent.entity_type == "report", AuditEvent.entity_id == entity_id)
    dispositions = exists().where(Disposition.report_id == report_id)
    follow_ups = exists().where(FollowUp.report_id == report_id)
    return (select(Report, Post, linked, history, dispositions, follow_ups).join(Post, Post.id == Report.post_id)
            .where(Report.id == report_id).options(joinedload(Report.flags)))


_REPORT_PAGE = _report_page_query()


def reports_by_ids(session: Session, ids: Sequence[int]) -> Sequence[Report]:
    return session.scalars(select(Report).where(Report.id.in_(ids)).order_by(Report.id)).all()


def group_members(session: Session, report: Report) -> Sequence[tuple[Report, Post]]:
    """Every report in the report's duplicate group (the root and all linked to it), root first."""
    root = report.duplicate_of_id or report.id
    return session.execute(
        select(Report, Post).join(Post, Post.id == Report.post_id)
        .where(or_(Report.id == root, Report.duplicate_of_id == root)).order_by(Report.id).limit(200)
    ).all()


def report_history(session: Session, report_id: int) -> Sequence[AuditEvent]:
    return session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "report", AuditEvent.entity_id == str(report_id))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()


def report_dispositions(session: Session, report_id: int) -> Sequence[Disposition]:
    return session.scalars(
        select(Disposition).where(Disposition.report_id == report_id).order_by(Disposition.created_at)
    ).all()


def report_follow_ups(session: Session, report_id: int) -> Sequence[FollowUp]:
    return session.scalars(
        select(FollowUp).where(FollowUp.report_id == report_id).order_by(FollowUp.created_at, FollowUp.id)
    ).all()


# --- learning ------------------------------------------------------------------------------

def labels_since(session: Session, since: datetime | None) -> int:
    query = select(func.count()).select_from(Label)
    if since is not None:
        query = query.where(Label.created_at > since)
    return session.scalar(query) or 0


def label_counts_by_category(session: Session, since: datetime | None) -> list[tuple[str | None, int]]:
    """(category, labels) since a time, most first; None for labels without a category (a report verified
    without one, or a withdrawn verification)."""
    query = select(Label.category, func.count()).group_by(Label.category).order_by(func.count().desc())
    if since is not None:
        query = query.where(Label.created_at > since)
    return [(category or None, count) for category, count in session.execute(query)]

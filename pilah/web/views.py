"""What a role may see of a report: the text and author masked or not, assembled for the template."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from classify.pii import mask_pii
from pilah.queries import directory as directory_queries
from pilah.queries import web as queries
from pilah.schema import Post, Report, User
from pilah.web import roles
from triage.flags import SUGGESTED_OPD_PREFIX


@dataclass
class ReportView:
    report: Report
    post: Post
    text: str
    author: str | None
    link: str | None
    members: list[dict[str, Any]]
    group_size: int
    history: list[HistoryLine]
    dispositions: list[Any]
    follow_ups: list[Any]
    flags: list[Any]


def visible_text(user: User, report: Report, post: Post) -> str:
    if roles.sees_pii(user):
        return post.text
    return report.masked_text or mask_pii(post.text)


def visible_author(user: User, post: Post) -> str | None:
    if roles.sees_pii(user):
        handle = f" (@{post.author_handle})" if post.author_handle else ""
        return f"{post.author_name or post.author_id or '–'}{handle}"
    if roles.sees_author_name(user):
        return mask_pii(post.author_name) if post.author_name else None
    return None


def safe_link(url: str | None) -> str | None:
    """Only http(s) links reach an href; a `javascript:` URL in a payload stays text."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def visible_link(user: User, post: Post) -> str | None:
    """The original post's address only for roles that see the author: the address names the
    account (x.com/<handle>/status/...), and the page behind it shows who wrote it anyway."""
    return safe_link(post.url) if roles.sees_pii(user) else None


def report_view(session: Session, user: User, report: Report, post: Post,
                present: queries.ReportPage | None = None) -> ReportView:
    """The page's view of a report; `present` (from `queries.report_page`) tells which lists are empty
    without asking for them, else each list is asked for."""
    def has(listed: str) -> bool:
        return present is None or getattr(present, listed)

    # A report outside any group heads a group of one: itself.
    found = queries.group_members(session, report) if has("grouped") else [(report, post)]
    members = [
        {"report": member, "channel": member_post.channel, "posted_at": member_post.created_at,
         "text": visible_text(user, member, member_post)}
        for member, member_post in found
        # A liaison learns how many citizens reported it, but reads only reports of their own OPD.
        if user.role != "opd" or member.id == report.id or roles.in_opd_scope(user, member)
    ]
    return ReportView(
        report=report, post=post, text=visible_text(user, report, post), author=visible_author(user, post),
        link=visible_link(user, post), members=members, group_size=len(found),
        history=visible_history(user, queries.report_history(session, report.id)) if has("has_history") else [],
        dispositions=list(queries.report_dispositions(session, report.id)) if has("has_dispositions") else [],
        follow_ups=list(queries.report_follow_ups(session, report.id)) if has("has_follow_ups") else [],
        flags=listed_flags(report),
    )


@dataclass(frozen=True)
class HistoryLine:
    """One audit event as a page shows it."""

    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    details: Any


def visible_history(user: User, events: Iterable[Any]) -> list[HistoryLine]:
    """A report's audit trail as the reader may see it: reasons staff type may quote the reporter (the
    answer to a pending question, a rejection's note: a phone number, an NIK), so for roles that see
    no personal data they are masked as the post text is."""
    masked = not roles.sees_pii(user)
    return [HistoryLine(e.at, e.actor, e.action, e.from_status, e.to_status,
                        mask_pii(e.reason) if masked and e.reason else e.reason, e.details) for e in events]


def listed_flags(report: Report) -> list[Any]:
    """The flags a report page lists: all but triage's OPD suggestion. That one was made from the model's
    tags when the report was triaged; the page shows the suggestion the disposition form preselects
    instead (`actions.suggested_opd`, the routing rules for the report as it is now), never both."""
    return [flag for flag in report.flags if not flag.code.startswith(SUGGESTED_OPD_PREFIX)]


def opd_names(session: Session, active: Iterable[Any], codes: Iterable[str | None]) -> dict[str, str]:
    """Code → short name of the OPDs a page names: staff know "Dinas PUPR", not "dpupr". The active OPDs
    the page already loaded give most names; those it lacks, OPDs since deactivated (an old disposition's, a
    former liaison's, triage's suggestion on a queue row), come from one statement however many there are."""
    names = {opd.code: opd.short_name for opd in active}
    missing = {code for code in codes if code} - names.keys()
    if missing:
        every = directory_queries.opds_by_code(session)
        names |= {code: every[code].short_name or every[code].name for code in missing if code in every}
    return names


def is_overdue(report: Any, now: datetime) -> bool:
    """Whether the report's running deadline has passed: the test the lists' "Lewat tenggat" filter makes
    (`next_due_at < now`), so a marked row is one that filter finds. A report whose clock is stopped
    (pending, with the OPD in follow-up, done) has no running deadline and is never overdue."""
    due = report.next_due_at
    return due is not None and due < now

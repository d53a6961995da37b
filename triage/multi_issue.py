"""Multi-issue posts: one post naming two problems for two OPDs becomes two linked reports.

The schema gives every report its own post (reports.post_id is unique and required), so the second
report is built on a *derived post*: the same payload, channel, author, time and text, with the source
id suffixed `#pisah-N`. Nothing is copied away or lost: the payload stays the one the channel
delivered, the original report is untouched but for its version, and the new report points back with
`split_from_id`. Both reports get one audit event each (`issue_split` on the original,
the `baru → perlu_verifikasi` transition on the new one), and the original's version is bumped, so
a person who split from a stale screen gets a VersionConflict and nothing is written.

The new report is a complaint of its own: its category (chosen by staff, so `category_source` is
`human`), its suggested OPD from the routing rules, and its verification deadline counted like any
report's, from when the post was received. It starts in `perlu_verifikasi` so it goes through
verification and disposition like every other report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pilah.schema import Post, Report, ReportStatus
from triage import flags as f
from triage.errors import IssueSplitRefused, ReportNotFound
from triage.queue import check_version, flush_checked, record_on_report, transition
from triage.routing import RoutingTable
from triage.sla import VERIFY_WORKING_DAYS, WorkingCalendar

#: Source-id suffix of a derived post; `#` never occurs in the ids the channels deliver.
SPLIT_SOURCE_SUFFIX = "#pisah-"
SPLIT_FLAG = "split_from"
#: A closed or rejected report is not reopened by splitting; a `baru` one is triaged first.
SPLITTABLE = frozenset({ReportStatus.PERLU_VERIFIKASI, ReportStatus.TERVERIFIKASI, ReportStatus.TERTUNDA,
                        ReportStatus.TERDISPOSISI, ReportStatus.DITINDAKLANJUTI})


@dataclass(frozen=True)
class IssueSplit:
    """The original report, the new one and the OPD the routing rules suggest for it."""

    original_id: int
    report_id: int
    post_id: int
    category: str
    suggested_opd: str


def split_issue(session: Session, report_id: int, category: str, *, actor: str, calendar: WorkingCalendar,
                now: datetime, note: str | None = None, expected_version: int | None = None) -> IssueSplit:
    """Create the second report of a multi-issue post, in the caller's transaction."""
    original = session.get(Report, report_id)
    if original is None:
        raise ReportNotFound(report_id)
    check_version(original, expected_version)
    routing = RoutingTable.load(session)
    _check_splittable(original, category, routing)
    # The version check first: of two people splitting at once the second waits on the row and gets
    # a VersionConflict, instead of colliding on the derived post's source id.
    original.updated_at = now
    flush_checked(session, original.id, expected_version)
    post = session.get(Post, original.post_id)
    derived = _derived_post(session, original, post)
    new = Report(post_id=derived.id, status=ReportStatus.BARU.value, version=1, category=category,
                 category_source="human", category_terms=[], split_from_id=original.id,
                 kecamatan_code=original.kecamatan_code, desa_code=original.desa_code,
                 location_confidence=original.location_confidence, location_span=original.location_span,
                 masked_text=original.masked_text, model_version=original.model_version,
                 classified_at=original.classified_at, triaged_at=now, created_at=now, updated_at=now,
                 verify_due=calendar.add_working_days(post.created_at, VERIFY_WORKING_DAYS))
    session.add(new)
    session.flush()
    reason = _reason(original.id, category, note)
    f.set_flag(session, new, SPLIT_FLAG, reason, source="staff")
    decision = routing.decide(category, new.kecamatan_code)
    f.set_flag(session, new, f.suggested_opd_code(decision.opd_code),
               f"Usulan disposisi ke {decision.opd_code}: {decision.reason}")
    transition(session, new, ReportStatus.PERLU_VERIFIKASI, actor=actor, reason=reason, at=now,
               details={"split_from": original.id, "category": category})
    record_on_report(session, original, "issue_split", actor=actor, reason=reason, at=now,
                     details={"new_report": new.id, "category": category, "suggested_opd": decision.opd_code})
    session.flush()
    return IssueSplit(original.id, new.id, derived.id, category, decision.opd_code)


def may_split(report: Report) -> bool:
    """Whether a second report may be split off this one at all (any category aside): what a page offers."""
    return ReportStatus(report.status) in SPLITTABLE and report.split_from_id is None


def _check_splittable(original: Report, category: str, routing: RoutingTable) -> None:
    if ReportStatus(original.status) not in SPLITTABLE:
        raise IssueSplitRefused(original.id, f"status '{original.status}' tidak dapat dipisah",
                                f"a report in status '{original.status}' cannot be split")
    if original.split_from_id is not None:
        raise IssueSplitRefused(original.id, f"laporan ini sendiri pecahan dari #{original.split_from_id}; "
                                f"pisahkan dari laporan asal", f"it was itself split from #{original.split_from_id}; "
                                "split the original instead")
    if category not in routing.categories():
        raise IssueSplitRefused(original.id, f"kategori '{category}' tidak dikenal",
                                f"unknown category '{category}'")
    if category == original.category:
        raise IssueSplitRefused(original.id, f"kategori '{category}' sama dengan laporan asal",
                                f"category '{category}' is the original report's own")


def _derived_post(session: Session, original: Report, post: Post) -> Post:
    """A post row for the new report: the original post's content under a marked source id."""
    splits = session.scalar(select(func.count()).select_from(Report).where(Report.split_from_id == original.id))
    derived = Post(channel=post.channel, source_id=f"{post.source_id}{SPLIT_SOURCE_SUFFIX}{splits + 1}",
                   payload_id=post.payload_id, author_id=post.author_id, author_name=post.author_name,
                   author_handle=post.author_handle, text=post.text, created_at=post.created_at, url=post.url,
                   reply_to_id=post.reply_to_id, conversation_id=post.conversation_id, parent_id=post.parent_id,
                   geo_hint=post.geo_hint, language=post.language, ingested_at=post.ingested_at)
    session.add(derived)
    session.flush()
    return derived


def _reason(original_id: int, category: str, note: str | None) -> str:
    reason = f"Pengaduan kedua dari laporan #{original_id} dipisah sebagai kategori {category}"
    return f"{reason}: {note.strip()}" if note and note.strip() else reason


def splits_of(session: Session, report_id: int) -> list[Report]:
    """The reports split from this one, oldest first."""
    return list(session.scalars(select(Report).where(Report.split_from_id == report_id).order_by(Report.id)))

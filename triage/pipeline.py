"""Automatic triage: every new post becomes a report, is classified, grouped, routed and queued.

Stages: (1) intake: a `baru` report for every post without one; then, per batch of `baru`
reports taken oldest post first, in ONE transaction: (2) classify with the tagger and flag,
(3) attach to a duplicate group, (4) suggest an OPD and set the verification deadline, (5) move
to `perlu_verifikasi` with an audit event. A batch is all or nothing, so an interrupted run
leaves whole batches done and the rest still `baru`; a re-run picks up exactly there, and a run
with nothing `baru` changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from pilah.db import transaction
from pilah.queries import reports as q
from pilah.schema import Post, Report, ReportStatus
from triage import flags as f
from triage import textsig
from triage.duplicates import DuplicateIndex, DuplicateMatch, Signature, signature
from triage.groups import describe_match, refresh_group_flags
from triage.queue import transition
from triage.routing import RoutingTable
from triage.sla import VERIFY_WORKING_DAYS, WorkingCalendar
from triage.tagging import model_version_of, store_tagging

ACTOR = "pilah-triage"
BATCH_SIZE = 500
INTAKE_CHUNK = 5000


class TaggerLike(Protocol):
    def tag_many(self, texts: Sequence[str], geo_hints: Sequence[str | None] | None = None) -> list[Any]: ...


class TriageSettings(Protocol):
    abstain_below: float
    duplicate_window_days: int
    near_duplicate_threshold: float


@dataclass
class TriageSummary:
    """Counts for one run (all zero when there was nothing new)."""

    intake: int = 0
    classified: int = 0
    duplicates: int = 0
    unclear: int = 0
    low_confidence: int = 0
    no_location: int = 0
    outside_kabupaten: int = 0
    pii: int = 0
    queued: int = 0

    def __str__(self) -> str:
        return (f"{self.intake} laporan baru, {self.classified} diklasifikasi, {self.duplicates} duplikat, "
                f"{self.unclear} tidak jelas, {self.low_confidence} keyakinan rendah, {self.no_location} tanpa "
                f"lokasi, {self.outside_kabupaten} di luar wilayah, {self.pii} berisi data pribadi, "
                f"{self.queued} masuk antrean verifikasi")

    def as_dict(self) -> dict[str, int]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass
class _Run:
    """What every batch of one run shares."""

    settings: TriageSettings
    tagger: TaggerLike
    calendar: WorkingCalendar
    routing: RoutingTable
    index: DuplicateIndex
    model_version: str | None
    now: datetime
    summary: TriageSummary


def run_triage(factory: sessionmaker[Session], settings: TriageSettings, tagger: TaggerLike,
               calendar: WorkingCalendar, *, now: datetime, progress: Callable[[int], None] | None = None,
               batch_size: int = BATCH_SIZE) -> TriageSummary:
    """Triage everything new; idempotent, re-runnable, safe to interrupt between batches."""
    summary = TriageSummary(intake=intake(factory, now))
    run = _start(factory, settings, tagger, calendar, now, summary)
    while True:  # until nothing is `baru`: another process may add reports while this one runs
        with factory() as session:
            pending = q.new_report_ids(session)
        if not pending:
            return summary
        for start in range(0, len(pending), batch_size):
            with transaction(factory) as session:
                batch = q.new_reports_among(session, pending[start:start + batch_size])
                if batch:
                    _triage_batch(session, run, batch)
            if batch and progress is not None:
                progress(len(batch))


def intake(factory: sessionmaker[Session], now: datetime) -> int:
    """Stage 1: a `baru` report for every post that has none, in bulk chunks."""
    created, last = 0, 0
    while True:
        with transaction(factory) as session:
            post_ids = q.post_ids_without_report(session, INTAKE_CHUNK, after=last)
            q.insert_reports(session, [_new_report_row(post_id, now) for post_id in post_ids])
        created += len(post_ids)
        if len(post_ids) < INTAKE_CHUNK:
            return created
        last = post_ids[-1]


def _new_report_row(post_id: int, now: datetime) -> dict[str, Any]:
    return {"post_id": post_id, "status": ReportStatus.BARU.value, "version": 1, "category_terms": [],
            "created_at": now, "updated_at": now}


def _start(factory: sessionmaker[Session], settings: TriageSettings, tagger: TaggerLike,
           calendar: WorkingCalendar, now: datetime, summary: TriageSummary) -> _Run:
    window = timedelta(days=settings.duplicate_window_days)
    index = DuplicateIndex(window=window, threshold=settings.near_duplicate_threshold)
    with factory() as session:
        earliest = q.earliest_new_post_time(session)
        if earliest is not None:
            for report, post in q.triaged_reports_since(session, earliest - window):
                index.add(signature(report.id, post, report.category), report.duplicate_of_id)
        routing = RoutingTable.load(session)
    return _Run(settings, tagger, calendar, routing, index, model_version_of(tagger), now, summary)


def _triage_batch(session: Session, run: _Run, batch: list[tuple[Report, Post]]) -> None:
    """One batch in memory, then one flush: the flags are loaded in one query and no report waits on a round trip.

    A concurrent edit of one of these `baru` reports fails the flush (StaleDataError) and so the whole
    batch, which stays `baru` for the next run.
    """
    taggings = run.tagger.tag_many([post.text for _, post in batch], [post.geo_hint for _, post in batch])
    links = _resolve_links(session, [post for _, post in batch])
    existing = q.flags_of_reports(session, [report.id for report, _ in batch])
    canonicals: set[int] = set()
    with session.no_autoflush:
        for (report, post), tagging in zip(batch, taggings, strict=True):
            flags = f.FlagSet(session, report, existing[report.id])
            raised = store_tagging(report, flags, tagging, abstain_below=run.settings.abstain_below,
                                   model_version=run.model_version, now=run.now)
            match = _group(session, run.index, report, post, links, flags)
            if match is not None:
                canonicals.add(match.canonical_id)
                raised.append(f.DUPLICATE)
            _suggest_route(run, report, flags, raised, is_member=match is not None)
            flags.settle()
            report.verify_due = run.calendar.add_working_days(post.created_at, VERIFY_WORKING_DAYS)
            report.triaged_at = run.now
            transition(session, report, ReportStatus.PERLU_VERIFIKASI, actor=ACTOR, reason=_queue_reason(raised),
                       at=run.now, details={"flags": sorted(raised)}, flush=False)
            _count(run.summary, raised)
    session.flush()
    for canonical_id in sorted(canonicals):
        refresh_group_flags(session, canonical_id)


def _resolve_links(session: Session, posts: list[Post]) -> dict[str, int]:
    """Referenced tweet source id → its report id, for referenced tweets that are in the database."""
    refs = sorted({post.retweet_of_id or post.quote_of_id for post in posts
                   if post.retweet_of_id or post.quote_of_id})
    return q.reports_for_posts(session, "twitter", refs) if refs else {}


def _canonical(session: Session, index: DuplicateIndex, report_id: int) -> int:
    """A report's group head: from the index when it is in the window, else from the database."""
    canonical = index.canonical_of(report_id)
    if canonical is None:
        report = session.get(Report, report_id)
        canonical = report.duplicate_of_id or report.id
    return canonical


def _group(session: Session, index: DuplicateIndex, report: Report, post: Post,
           links: dict[str, int], flags: f.FlagSet) -> DuplicateMatch | None:
    sig: Signature = signature(report.id, post, report.category)
    report.text_hash = sig.text_hash
    linked = None
    target = links.get(sig.link_ref) if sig.link_ref else None
    if target is not None and target != report.id:
        linked = DuplicateMatch(_canonical(session, index, target), target, sig.link_kind or "retweet",
                                _link_similarity(index, sig, target))
    match = index.match(sig, linked)
    if match is not None:
        report.duplicate_of_id = match.canonical_id
        report.duplicate_kind, report.duplicate_similarity = match.kind, match.similarity
        flags.set(f.DUPLICATE, describe_match(match), source="rule")
    index.add(sig, match.canonical_id if match else None)
    return match


def _link_similarity(index: DuplicateIndex, sig: Signature, target: int) -> float | None:
    other = index.by_id.get(target)
    return round(textsig.jaccard(sig.shingles, other.shingles), 4) if other else None


def _suggest_route(run: _Run, report: Report, flags: f.FlagSet, raised: list[str], *, is_member: bool) -> None:
    """Suggest an OPD where a person could act on it: not for duplicates, unclear or out-of-area posts."""
    flags.clear(prefix=f.SUGGESTED_OPD_PREFIX)
    if is_member or f.OUTSIDE_KABUPATEN in raised or any(c.startswith(f.UNCLEAR_PREFIX) for c in raised):
        return
    decision = run.routing.decide(report.category, report.kecamatan_code)
    reason = f"Usulan disposisi ke {decision.opd_code}: {decision.reason}"
    flags.set(f.suggested_opd_code(decision.opd_code), reason)


def _queue_reason(raised: list[str]) -> str:
    if not raised:
        return "Triase otomatis: tanpa catatan"
    return "Triase otomatis: " + ", ".join(sorted(raised))


def _count(summary: TriageSummary, raised: list[str]) -> None:
    summary.classified += 1
    summary.queued += 1
    summary.duplicates += f.DUPLICATE in raised
    summary.unclear += any(code.startswith(f.UNCLEAR_PREFIX) for code in raised)
    summary.low_confidence += f.LOW_CONFIDENCE in raised
    summary.no_location += f.NO_LOCATION in raised
    summary.outside_kabupaten += f.OUTSIDE_KABUPATEN in raised
    summary.pii += f.PII in raised

"""Automatic triage: every new post becomes a report, is classified, grouped, routed and queued.

Stages: (1) intake: a `baru` report for every post without one; then, per batch of `baru`
reports taken oldest post first: (2) classify with the tagger (ahead of time, possibly in another
process: classifying is pure); decide in memory: flag, (3) attach to a duplicate group, (4) suggest
an OPD and set the verification deadline; and in ONE transaction, checked against the versions the
batch was read at, (5) write it all and move the reports to `perlu_verifikasi` with an audit event.
A batch is all or nothing, so an interrupted run leaves whole batches done and the rest still
`baru`; a re-run picks up exactly there, and a run with nothing `baru` changes nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol, runtime_checkable

from sqlalchemy import Row
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from pilah.db import engine_of, read_session_factory, transaction
from pilah.queries import reports as q
from pilah.queries import triage_rows as rows
from pilah.schema import ReportStatus, utcnow
from triage import flags as f
from triage import textsig
from triage.duplicates import DuplicateIndex, DuplicateMatch, Signature, TextPrint, signature, text_prints
from triage.groups import describe_match, refresh_group_flags_of
from triage.queue import report_event
from triage.routing import RoutingTable
from triage.sla import VERIFY_WORKING_DAYS, WorkingCalendar
from triage.tagging import model_version_of, plan_model_flags, tagging_columns

ACTOR = "pilah-triage"
BATCH_SIZE = 500
#: Batches being classified ahead of the one being written: enough to keep one worker busy.
AHEAD = 2
INTAKE_CHUNK = 5000
#: Times a run starts again after a batch's reports were saved by someone else while it was decided.
STALE_RESTARTS = 3


class TaggerLike(Protocol):
    def tag_many(self, texts: Sequence[str], geo_hints: Sequence[str | None] | None = None) -> list[Any]: ...


class Classified(NamedTuple):
    """A batch's taggings and its texts' duplicate-detection prints, in the order of its texts."""

    taggings: list[Any]
    prints: list[TextPrint]


def classify_batch(tagger: TaggerLike, texts: Sequence[str], geo_hints: Sequence[str | None]) -> Classified:
    """Everything about a batch that needs only its texts: pure, so any process can do it."""
    return Classified(tagger.tag_many(texts, geo_hints), text_prints(texts))


@runtime_checkable
class TaggingAhead(Protocol):
    """Classifies a batch in the background: the answer is a future (pilah.tagging_pool runs workers)."""

    def submit(self, texts: Sequence[str], geo_hints: Sequence[str | None]) -> Future[Classified]: ...


class InlineTagging:
    """TaggingAhead in this process: classifies at once, and keeps a failure for when the batch asks."""

    def __init__(self, tagger: TaggerLike) -> None:
        self.tagger = tagger

    def submit(self, texts: Sequence[str], geo_hints: Sequence[str | None]) -> Future[Classified]:
        answer: Future[Classified] = Future()
        try:
            answer.set_result(classify_batch(self.tagger, texts, geo_hints))
        except Exception as error:  # raised again by result(), in the batch it belongs to
            answer.set_exception(error)
        return answer


@dataclass
class _Classifying:
    """A batch's reports as they were when sent to be classified, and the answer to come."""

    rows: list[Row]
    answer: Future[Classified]

    def still_new(self, session: Session) -> tuple[list[Row], list[tuple[Any, TextPrint]]]:
        """Those of the batch's reports still `baru`, with their taggings and prints, read just before the
        batch is decided.

        Another run may have taken some meanwhile: only their versions are read again here, and the
        rows read when the batch was sent serve unless a report's version moved (then it is re-read).
        The versions kept here are the ones the batch's write checks.
        """
        versions = rows.new_report_versions(session, [row.id for row in self.rows])
        moved = [row.id for row in self.rows if row.id in versions and versions[row.id] != row.version]
        fresh = {row.id: row for row in rows.new_report_rows_among(session, moved)} if moved else {}
        taggings, prints = self.answer.result()
        kept = [(fresh.get(row.id, row), (tagging, printed))
                for row, tagging, printed in zip(self.rows, taggings, prints, strict=True)
                if row.id in versions and (row.id not in moved or row.id in fresh)]
        return [row for row, _ in kept], [classified for _, classified in kept]


def _classify(factory: sessionmaker[Session], ahead: TaggingAhead, chunk: Sequence[int]) -> _Classifying:
    with factory() as session:
        batch = rows.new_report_rows_among(session, chunk)
    return _Classifying(batch, ahead.submit([row.text for row in batch], [row.geo_hint for row in batch]))


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

    def add(self, other: TriageSummary) -> None:
        """Count another batch's reports too (all but intake, which the run counts once)."""
        for field_ in fields(self):
            if field_.name != "intake":
                setattr(self, field_.name, getattr(self, field_.name) + getattr(other, field_.name))

    def as_dict(self) -> dict[str, int]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass
class _Run:
    """What every batch of one run shares."""

    settings: TriageSettings
    calendar: WorkingCalendar
    routing: RoutingTable
    index: DuplicateIndex
    model_version: str | None
    now: datetime


def run_triage(factory: sessionmaker[Session], settings: TriageSettings, tagger: TaggerLike | TaggingAhead,
               calendar: WorkingCalendar, *, now: datetime, progress: Callable[[int], None] | None = None,
               batch_size: int = BATCH_SIZE) -> TriageSummary:
    """Triage everything new; idempotent, re-runnable, safe to interrupt between batches.

    A tagger that is also a `TaggingAhead` classifies the next batches while this one is decided, and
    each decided batch is written (`_Writer`) while the next one is decided. A batch whose reports
    someone else saved between its reading and its writing is rolled back whole; the run then starts
    again from what the database holds, so that batch is decided anew from what was saved.
    """
    summary = TriageSummary(intake=intake(factory, now))
    ahead = tagger if isinstance(tagger, TaggingAhead) else InlineTagging(tagger)
    for attempt in range(1 + STALE_RESTARTS):
        try:
            _triage_new(factory, settings, tagger, ahead, calendar, now, summary, progress, batch_size)
            return summary
        except StaleDataError:
            if attempt == STALE_RESTARTS:
                raise
    return summary


def _triage_new(factory: sessionmaker[Session], settings: TriageSettings, tagger: TaggerLike | TaggingAhead,
                ahead: TaggingAhead, calendar: WorkingCalendar, now: datetime, summary: TriageSummary,
                progress: Callable[[int], None] | None, batch_size: int) -> None:
    """Decide and write every `baru` report, in batches; reads go through reading sessions, so on SQLite
    they never wait for the writer's lock."""
    reader = read_session_factory(engine_of(factory))
    run = _start(reader, settings, tagger, calendar, now)
    with _Writer(factory, summary, progress) as writer:
        while True:  # until nothing is `baru`: another process may add reports while this one runs
            writer.wait()
            with reader() as session:
                pending = q.new_report_ids(session)
            if not pending:
                return
            chunks = [pending[start:start + batch_size] for start in range(0, len(pending), batch_size)]
            queued: deque[_Classifying] = deque()
            for number in range(len(chunks)):
                while len(queued) < AHEAD and number + len(queued) < len(chunks):
                    queued.append(_classify(reader, ahead, chunks[number + len(queued)]))
                classifying = queued.popleft()
                with reader() as session:
                    batch, classified = classifying.still_new(session)
                    if batch:
                        writer.submit(_triage_batch(session, run, batch, classified))


class _Writer:
    """Writes each decided batch in a transaction of its own, on a thread of its own, one after another,
    while the next batch is decided.

    A batch is decided in Python but written mostly inside the database (SQLite's sqlite3_step runs
    without the GIL), so the two overlap on two cores. Batches are written in the order they were
    decided, and one is handed over only once the one before it is written, so an interrupted run
    leaves whole batches done, the earlier ones first; a write that fails stops the run with its error.
    """

    def __init__(self, factory: sessionmaker[Session], summary: TriageSummary,
                 progress: Callable[[int], None] | None) -> None:
        self.factory, self.summary, self.progress = factory, summary, progress
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="triage-writer")
        self._pending: tuple[Future[None], _BatchWrites] | None = None

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if exc_info[0] is None:
                self.wait()
            elif self._pending is not None:  # already failing: let the write end, keep the first error
                self._pending[0].exception()
        finally:
            self._thread.shutdown(wait=True)

    def submit(self, writes: _BatchWrites) -> None:
        self.wait()
        self._pending = (self._thread.submit(self._write, writes), writes)

    def wait(self) -> None:
        """Until the last batch handed over is written; raises what its write raised."""
        if self._pending is None:
            return
        written, writes = self._pending
        self._pending = None
        written.result()
        self.summary.add(writes.counts)
        if self.progress is not None:
            self.progress(len(writes.reports))

    def _write(self, writes: _BatchWrites) -> None:
        with transaction(self.factory) as session:
            writes.write(session)


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


def _start(factory: sessionmaker[Session], settings: TriageSettings, tagger: TaggerLike | TaggingAhead,
           calendar: WorkingCalendar, now: datetime) -> _Run:
    window = timedelta(days=settings.duplicate_window_days)
    index = DuplicateIndex(window=window, threshold=settings.near_duplicate_threshold)
    with factory() as session:
        earliest = q.earliest_new_post_time(session)
        if earliest is not None:
            for row in rows.triaged_rows_since(session, earliest - window):
                index.add(signature(row.id, row, row.category, place=(row.kecamatan_code, row.desa_code)),
                          row.duplicate_of_id)
        routing = RoutingTable.load(session)
    return _Run(settings, calendar, routing, index, model_version_of(tagger), now)


@dataclass
class _BatchWrites:
    """What a batch decided, written in a handful of statements once every report of it is decided."""

    at: datetime
    reports: list[dict[str, Any]] = field(default_factory=list)
    flags: dict[int, f.FlagPlan] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    canonicals: set[int] = field(default_factory=set)
    counts: TriageSummary = field(default_factory=TriageSummary)  # added to the run's once written

    def write(self, session: Session) -> None:
        rows.update_reports_checked(session, self.reports)
        f.write_flag_plans(session, self.flags, created_at=self.at)
        rows.insert_audit_events(session, self.events)
        refresh_group_flags_of(session, sorted(self.canonicals), at=self.at)


def _triage_batch(session: Session, run: _Run, batch: Sequence[Row],
                  classified: Sequence[tuple[Any, TextPrint]]) -> _BatchWrites:
    """Decide every report of the batch in memory; what to write comes back, to be written all at once.

    A concurrent edit of one of these `baru` reports changes its version, so the checked update
    raises StaleDataError and the whole batch rolls back (see `run_triage`).
    """
    links = _resolve_links(session, batch)
    existing = rows.flag_rows_of_reports(session, [row.id for row in batch])
    writes = _BatchWrites(at=utcnow())
    written_at = writes.at
    sigs = [signature(row.id, row, None, printed) for row, (_, printed) in zip(batch, classified, strict=True)]
    run.index.expect(sigs)
    for row, sig, (tagging, _) in zip(batch, sigs, classified, strict=True):
        flags = writes.flags[row.id] = f.FlagPlan(existing[row.id])
        values = tagging_columns(tagging, model_version=run.model_version, now=run.now)
        raised = plan_model_flags(flags, tagging, abstain_below=run.settings.abstain_below)
        match = _group(run.index, row, sig, values, links, flags)
        if match is not None:
            writes.canonicals.add(match.canonical_id)
            raised.append(f.DUPLICATE)
        _suggest_route(run, values, flags, raised, is_member=match is not None)
        verify_due = run.calendar.add_working_days(row.created_at, VERIFY_WORKING_DAYS)
        status = ReportStatus.PERLU_VERIFIKASI.value
        values.update(verify_due=verify_due, triaged_at=run.now, status=status, version=row.version + 1,
                      updated_at=written_at, next_due_at=q.running_due_value(status, verify_due, row.followup_due))
        writes.reports.append({"id": row.id, "expected_version": row.version, **values})
        writes.events.append(report_event(row.id, "transition", row.status, status, actor=ACTOR, at=run.now,
                                          reason=_queue_reason(raised), details={"flags": sorted(raised)}))
        _count(writes.counts, raised)
    return writes


def _resolve_links(session: Session, posts: Sequence[Row]) -> dict[str, rows.LinkTarget]:
    """Referenced tweet source id → its report and group head, for referenced tweets in the database.

    Read once per batch: the batch writes only at its end, so a head read here is still the head
    when a report of the batch links to it, unless the target is in the window, where the index
    knows better (it holds the decisions of this batch too).
    """
    refs = sorted({post.retweet_of_id or post.quote_of_id for post in posts
                   if post.retweet_of_id or post.quote_of_id})
    return rows.link_targets(session, refs) if refs else {}


def _group(index: DuplicateIndex, row: Row, sig: Signature, values: dict[str, Any],
           links: dict[str, rows.LinkTarget], flags: f.FlagPlan) -> DuplicateMatch | None:
    """Match the report against the window and record its group in values; the report joins the index."""
    sig.category, sig.place = values["category"], (values["kecamatan_code"], values["desa_code"])
    values.update(text_hash=sig.text_hash, duplicate_of_id=row.duplicate_of_id, duplicate_kind=row.duplicate_kind,
                  duplicate_similarity=row.duplicate_similarity)
    linked = None
    target = links.get(sig.link_ref) if sig.link_ref else None
    if target is not None and target.report_id != row.id:
        head = index.canonical_of(target.report_id) or target.head_id
        linked = DuplicateMatch(head, target.report_id, sig.link_kind or "retweet",
                                _link_similarity(index, sig, target.report_id))
    match = index.match(sig, linked)
    if match is not None:
        values.update(duplicate_of_id=match.canonical_id, duplicate_kind=match.kind,
                      duplicate_similarity=match.similarity)
        flags.set(f.DUPLICATE, describe_match(match), source="rule")
    index.add(sig, match.canonical_id if match else None)
    return match


def _link_similarity(index: DuplicateIndex, sig: Signature, target: int) -> float | None:
    other = index.by_id.get(target)
    return round(textsig.jaccard(sig.shingles, other.shingles), 4) if other else None


def _suggest_route(run: _Run, values: dict[str, Any], flags: f.FlagPlan, raised: list[str], *,
                   is_member: bool) -> None:
    """Suggest an OPD where a person could act on it: not for duplicates, unclear or out-of-area posts."""
    flags.clear(prefix=f.SUGGESTED_OPD_PREFIX)
    if is_member or f.OUTSIDE_KABUPATEN in raised or any(c.startswith(f.UNCLEAR_PREFIX) for c in raised):
        return
    decision = run.routing.decide(values["category"], values["kecamatan_code"])
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

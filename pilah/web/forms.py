"""Turning query strings and form fields into typed values, collecting field errors for re-rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pilah.queries.web import SORTS, QueueFilter
from pilah.schema import CHANNELS, ReportStatus
from pilah.web.i18n import N_, gettext


@dataclass
class FieldErrors:
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, gettext(message))

    def __bool__(self) -> bool:
        return bool(self.errors)


def parse_day(value: str, name: str, errors: FieldErrors) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.add(name, N_("Tanggal harus berbentuk TTTT-BB-HH."))
        return None


def in_order(start: date | None, end: date | None, errors: FieldErrors) -> bool:
    """Whether a period's days come in order; a reversed one is named on the "to" field (the page then
    shows the period with its days swapped, and says so)."""
    if start is None or end is None or start <= end:
        return True
    errors.add("to", N_("Tanggal 'Sampai' sebelum 'Dari'; periode ditampilkan dengan kedua tanggal ditukar."))
    return False


def queue_filter(params: dict[str, str], zone: ZoneInfo, errors: FieldErrors, *,
                 say_reversed: bool = False) -> QueueFilter:
    """The queue's filters from the query string; unknown choices become field errors, not 500s. With
    ``say_reversed`` (a page a person reads) a reversed period is swapped and named; the API and Open311
    take it as asked (it matches nothing)."""
    status = params.get("status", "")
    if status not in ("", "semua", *ReportStatus):
        errors.add("status", N_("Status tidak dikenal."))
        status = ""
    channel = params.get("channel", "")
    if channel and channel not in CHANNELS:
        errors.add("channel", N_("Kanal tidak dikenal."))
        channel = ""
    start, end = parse_day(params.get("from", ""), "from", errors), parse_day(params.get("to", ""), "to", errors)
    if say_reversed and not in_order(start, end, errors):
        start, end = end, start
    return QueueFilter(
        status=status, channel=channel, category=params.get("category", "")[:40],
        kecamatan=params.get("kecamatan", "")[:13], flag=params.get("flag", "")[:40], opd=params.get("opd", "")[:40],
        date_from=datetime.combine(start, time.min, tzinfo=zone) if start else None,
        date_to=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone) if end else None,
        overdue=params.get("overdue") in ("1", "on", "true"),
        sort=params.get("sort", "risiko") if params.get("sort") in SORTS else "risiko",
        page=_page(params.get("page", "1")),
    )


def _page(value: str) -> int:
    try:
        return min(max(int(value), 1), 10_000)
    except ValueError:
        return 1


def parse_version(value: str, errors: FieldErrors) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        errors.add("version", N_("Versi laporan hilang; muat ulang halaman."))
        return None


def parse_report_id(value: str, name: str, errors: FieldErrors) -> int | None:
    """A report number typed by a person ("#123" or "123")."""
    try:
        number = int(value.strip().lstrip("#"))
    except (AttributeError, ValueError):
        number = 0
    if number <= 0:
        errors.add(name, N_("Tulis nomor laporan, misalnya 123."))
        return None
    return number


def clean_note(value: str, limit: int = 500) -> str | None:
    return value.strip()[:limit] or None

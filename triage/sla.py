"""SP4N-LAPOR! deadlines in working days, on a calendar that is data (data/holidays/<year>.toml).

Working days are Monday to Friday minus the national holidays and cuti bersama of the yearly SKB
3 Menteri. A deadline "n working days after" an event ends at the end of the n-th working day
after the day of the event, local time (the event's own day is never counted, as a letter
received today is answered from tomorrow).
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from triage.errors import CalendarInvalid

log = logging.getLogger(__name__)

#: SP4N-LAPOR!: verification and forwarding within 3 working days, OPD follow-up within 5,
#: automatic close 10 working days after a follow-up nobody answers.
VERIFY_WORKING_DAYS = 3
FOLLOW_UP_WORKING_DAYS = 5
AUTO_CLOSE_WORKING_DAYS = 10

HOLIDAY_KINDS = ("libur_nasional", "cuti_bersama")
_WEEKEND = (5, 6)


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str
    kind: str


class WorkingCalendar:
    """Which days an office works, in one time zone; years without a file count weekends only."""

    def __init__(self, holidays: dict[date, Holiday], years: frozenset[int], zone: ZoneInfo) -> None:
        self.holidays = holidays
        self.years = years
        self.zone = zone
        self._warned: set[int] = set()

    @classmethod
    def load(cls, holidays_dir: Path, zone: ZoneInfo) -> WorkingCalendar:
        holidays: dict[date, Holiday] = {}
        years: set[int] = set()
        for path in sorted(holidays_dir.glob("*.toml")):
            year, entries = _read_year(path)
            years.add(year)
            holidays.update({h.day: h for h in entries})
        return cls(holidays, frozenset(years), zone)

    def is_working_day(self, day: date) -> bool:
        self._check_covered(day.year)
        return day.weekday() not in _WEEKEND and day not in self.holidays

    def holiday(self, day: date) -> Holiday | None:
        return self.holidays.get(day)

    def local_date(self, moment: datetime) -> date:
        return _aware(moment).astimezone(self.zone).date()

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """End (23:59:59.999999 local) of the n-th working day after start's day, in UTC.

        n = 0 means the end of start's day if it is a working day, else of the next one.
        """
        if n < 0:
            raise ValueError("n must be zero or more working days")
        day = self.local_date(start)
        counted = 0
        while counted < n or not self.is_working_day(day):
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        return datetime.combine(day, time.max, tzinfo=self.zone).astimezone(UTC)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after start's day up to and including end's day (0 when end is not later)."""
        first, last = self.local_date(start), self.local_date(end)
        days = (first + timedelta(days=i) for i in range(1, (last - first).days + 1))
        return sum(1 for day in days if self.is_working_day(day))

    def _check_covered(self, year: int) -> None:
        if year not in self.years and year not in self._warned:
            self._warned.add(year)
            log.warning("no holiday file for %s in the working-day calendar: counting weekends only "
                        "(add data/holidays/%s.toml from the SKB 3 Menteri)", year, year)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the working-day calendar; pass an aware time")
    return moment


def _read_year(path: Path) -> tuple[int, list[Holiday]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        year = int(data["year"])
        entries = [_holiday(item) for item in data.get("holiday", [])]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CalendarInvalid(str(path), str(exc)) from exc
    strays = [h.day for h in entries if h.day.year != year]
    if strays:
        raise CalendarInvalid(str(path), f"dates outside {year}: {strays}")
    return year, entries


def _holiday(item: dict) -> Holiday:
    day, kind = item["date"], item["kind"]
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValueError(f"'date' must be a TOML date such as 2026-01-01, got {day!r}")
    if kind not in HOLIDAY_KINDS:
        raise ValueError(f"'kind' must be one of {HOLIDAY_KINDS}, got {kind!r}")
    return Holiday(day, str(item["name"]), kind)

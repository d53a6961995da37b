"""Working-day arithmetic over weekends, national holidays, cuti bersama and a year boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lokal.holidays import HOLIDAY_YEARS, get_holidays
from triage_helpers import JAKARTA, wib

from triage.errors import CalendarInvalid
from triage.sla import WorkingCalendar

HOLIDAYS_DIR = Path(__file__).resolve().parents[2] / "data" / "holidays"


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=JAKARTA).astimezone(UTC)


@pytest.mark.parametrize(("start", "n", "due"), [
    pytest.param(wib(2026, 11, 18, 9), 1, date(2026, 11, 19), id="wednesday-plus-one"),
    pytest.param(wib(2026, 11, 20, 10), 3, date(2026, 11, 25), id="over-a-weekend"),
    pytest.param(wib(2026, 11, 21, 10), 1, date(2026, 11, 23), id="posted-on-saturday"),
    pytest.param(wib(2026, 8, 14, 10), 1, date(2026, 8, 18), id="national-holiday-17-agustus"),
    pytest.param(wib(2026, 12, 23, 10), 1, date(2026, 12, 28), id="cuti-bersama-then-natal"),
    pytest.param(wib(2025, 8, 15, 10), 1, date(2025, 8, 19), id="cuti-bersama-18-agustus-2025"),
    pytest.param(wib(2026, 12, 30, 10), 3, date(2027, 1, 6), id="across-new-year-and-isra-mikraj"),
    pytest.param(wib(2026, 3, 17, 10), 1, date(2026, 3, 25), id="nyepi-and-lebaran-week"),
    pytest.param(wib(2026, 11, 20, 10), 0, date(2026, 11, 20), id="zero-on-a-working-day"),
    pytest.param(wib(2026, 11, 22, 10), 0, date(2026, 11, 23), id="zero-on-sunday"),
])
def test_add_working_days(calendar: WorkingCalendar, start: datetime, n: int, due: date) -> None:
    assert calendar.add_working_days(start, n) == end_of(due)


def test_the_local_day_counts_not_the_utc_day(calendar: WorkingCalendar) -> None:
    thursday_utc_friday_wib = datetime(2026, 11, 19, 18, 0, tzinfo=UTC)
    assert calendar.add_working_days(thursday_utc_friday_wib, 1) == end_of(date(2026, 11, 23))


def test_holiday_kinds_are_read(calendar: WorkingCalendar) -> None:
    assert calendar.holiday(date(2026, 12, 24)).kind == "cuti_bersama"
    assert calendar.holiday(date(2026, 12, 25)).kind == "libur_nasional"
    assert calendar.is_working_day(date(2026, 12, 23))
    assert not calendar.is_working_day(date(2026, 11, 22))


def test_working_days_between(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_between(wib(2026, 12, 23, 9), wib(2026, 12, 31, 9)) == 4
    assert calendar.working_days_between(wib(2026, 12, 31, 9), wib(2026, 12, 23, 9)) == 0


def test_naive_datetimes_are_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="naive"):
        calendar.add_working_days(datetime(2026, 11, 20, 10), 1)


def test_uncovered_year_counts_weekends_only(calendar: WorkingCalendar, caplog: pytest.LogCaptureFixture) -> None:
    assert calendar.add_working_days(wib(2030, 1, 4, 10), 1) == end_of(date(2030, 1, 7))
    assert "no holiday file for 2030" in caplog.text


@pytest.mark.parametrize("year", sorted(set(HOLIDAY_YEARS) & {2025, 2026, 2027}))
def test_holiday_files_agree_with_lokal(calendar: WorkingCalendar, year: int) -> None:
    ours = {(d, h.kind) for d, h in calendar.holidays.items() if d.year == year}
    theirs = {(date.fromisoformat(h.date), h.type) for h in get_holidays(year).holidays}
    assert ours == theirs


def test_a_bad_holiday_file_names_itself(tmp_path: Path) -> None:
    (tmp_path / "2026.toml").write_text('year = 2026\n[[holiday]]\ndate = 2025-01-01\nname = "x"\n'
                                        'kind = "libur_nasional"\n', encoding="utf-8")
    with pytest.raises(CalendarInvalid, match=r"2026\.toml"):
        WorkingCalendar.load(tmp_path, JAKARTA)

"""The nightly batch's cron line means what it means in a crontab: Sunday is 0 or 7."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pilah.jobs.cron import cron_trigger, cron_weekdays

WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(("field", "days"), [
    ("1-5", "mon,tue,wed,thu,fri"), ("0", "sun"), ("7", "sun"), ("0-6", "sun,mon,tue,wed,thu,fri,sat"),
    ("*/2", "sun,tue,thu,sat"), ("6,0", "sun,sat"), ("mon-fri", "mon,tue,wed,thu,fri"), ("*", "*"),
])
def test_weekdays_are_counted_from_sunday(field: str, days: str) -> None:
    assert cron_weekdays(field) == days


def test_weekdays_at_one_in_the_night_skip_the_weekend() -> None:
    """APScheduler's own from_crontab read "1-5" as Tuesday to Saturday."""
    trigger, moment, fired = cron_trigger("0 1 * * 1-5", WIB), datetime(2026, 12, 4, 12, tzinfo=WIB), []  # a Friday
    for _ in range(5):
        moment = trigger.get_next_fire_time(None, moment)
        fired.append(moment.strftime("%a %H:%M"))
        moment = moment.replace(minute=1)
    assert fired == ["Mon 01:00", "Tue 01:00", "Wed 01:00", "Thu 01:00", "Fri 01:00"]


@pytest.mark.parametrize("field", ["8", "5-1", "sat-sun", "x", "*/0"])
def test_a_weekday_field_cron_would_refuse_is_refused(field: str) -> None:
    with pytest.raises(ValueError):
        cron_weekdays(field)

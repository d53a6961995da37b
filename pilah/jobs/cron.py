"""The nightly batch's cron line read as cron reads it.

APScheduler's `CronTrigger.from_crontab` counts weekdays from Monday = 0, so an office's "0 1 * * 1-5"
(weekdays, in every crontab) would run Tuesday to Saturday, and "0 1 * * 7" (Sunday) would be refused
only when the scheduler starts. Here the weekday field is read with Sunday = 0 or 7, as cron does, and
handed to APScheduler by name.
"""

from __future__ import annotations

from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger

_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def cron_trigger(line: str, zone: tzinfo) -> CronTrigger:
    """The trigger of a five-field cron line (minute hour day month weekday) in ``zone``; ValueError naming
    the field when the line is not one."""
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"'{line}' perlu 5 bagian: menit jam tanggal bulan hari / needs 5 fields: "
                         "minute hour day month weekday")
    minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=cron_weekdays(weekday),
                           timezone=zone)
    except ValueError as exc:
        raise ValueError(f"'{line}': {exc}") from exc


def cron_weekdays(field: str) -> str:
    """A cron weekday field ("1-5", "0,6", "*/2", "sat-sun") as APScheduler's day names ("mon,tue,...")."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        stride = _number(step, "langkah / step") if step else 1
        if span == "*":
            first, last = 0, 6
        else:
            start, _, end = span.partition("-")
            first = _day(start)
            last = _day(end) if end else (6 if step else first)
        if last < first or stride < 1:
            raise ValueError(f"hari '{part}' tidak urut / weekday range '{part}' runs backwards")
        days.update(day % 7 for day in range(first, last + 1, stride))
    return ",".join(_NAMES[day] for day in sorted(days))


def _day(token: str) -> int:
    if token.lower()[:3] in _NAMES and not token.isdigit():
        return _NAMES.index(token.lower()[:3])
    day = _number(token, "hari / weekday")
    if day > 7:
        raise ValueError(f"hari {day} tidak ada: 0–7, 0 dan 7 = Minggu / weekday {day} does not exist: 0-7, "
                         "0 and 7 are Sunday")
    return day


def _number(token: str, what: str) -> int:
    if not token.isdigit():
        raise ValueError(f"{what} '{token}' bukan angka / is not a number")
    return int(token)

"""Small validators shared by the channel parsers; each raises ValueError with a readable reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo


def load_json_object(body: bytes) -> dict[str, Any]:
    document = json.loads(body.decode("utf-8"))
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object, got {type(document).__name__}")
    return document


def require_str(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"kolom '{key}' tidak ada atau kosong / field '{key}' is missing or not a non-empty string")
    return value


def optional_str(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"field '{key}' should be a string, got {type(value).__name__}")
    return value


def parse_iso_utc(value: str) -> datetime:
    """ISO 8601 with a zone (X: 2026-11-21T03:14:15.000Z, Graph: 2026-11-20T09:15:02+0000)."""
    parsed = datetime.fromisoformat(value)  # Python 3.11+ reads a trailing Z
    if parsed.tzinfo is None:
        raise ValueError(f"time '{value}' has no time zone")
    return parsed.astimezone(UTC)


#: Day-first dates as Indonesian offices write them in spreadsheets: 20/11/2026 08:00, 20-11-2026.
_DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H.%M", "%d/%m/%Y",
              "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y %H.%M", "%d-%m-%Y")


def parse_local_time(value: str, zone: ZoneInfo) -> datetime:
    """A local wall-clock time (SMS gateways log WIB without a zone; spreadsheets write day first)."""
    parsed = _iso_or_day_first(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _iso_or_day_first(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    for layout in _DAY_FIRST:
        try:
            return datetime.strptime(value, layout)
        except ValueError:
            continue
    raise ValueError(f"waktu '{value}' tidak terbaca (contoh 2026-11-20 08:00 atau 20/11/2026 08:00) / "
                     "unreadable time")


def compact(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True)[:20_000]

"""The one place that knows SMS gateway inbox exports (Gammu-smsd `inbox` table as CSV).

Gateways log local wall-clock time without a zone; the office's zone (Asia/Jakarta by default)
turns it into UTC. A message's source id is `RecipientID:ID` because each modem numbers its own.
"""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from ingest.payload_checks import compact, parse_local_time
from ingest.records import ParsedPage, PostRecord, Rejected

WIB = ZoneInfo("Asia/Jakarta")
REQUIRED_COLUMNS = ("ID", "ReceivingDateTime", "SenderNumber", "TextDecoded")


def parse_inbox_csv(body: bytes, zone: ZoneInfo = WIB) -> ParsedPage:
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"not a Gammu inbox export: missing columns {', '.join(missing)}")
    parsed = ParsedPage()
    for row in reader:
        try:
            parsed.posts.append(_post(row, zone))
        except (ValueError, TypeError) as exc:
            parsed.rejected.append(Rejected(f"row {reader.line_num}", "malformed_row", str(exc), compact(row)))
    return parsed


def _post(row: dict[str, str | None], zone: ZoneInfo) -> PostRecord:
    message_id = (row.get("ID") or "").strip()
    if not message_id:
        raise ValueError("column ID is empty")
    text = (row.get("TextDecoded") or "").strip()
    if not text:
        raise ValueError("column TextDecoded is empty")
    sender = (row.get("SenderNumber") or "").strip()
    if not sender:
        raise ValueError("column SenderNumber is empty")
    modem = (row.get("RecipientID") or "").strip() or "sms"
    return PostRecord(
        source_id=f"{modem}:{message_id}",
        text=text,
        created_at=parse_local_time(row.get("ReceivingDateTime") or "", zone),
        author_id=sender,
    )

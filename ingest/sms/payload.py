"""The one place that knows SMS gateway inbox exports (Gammu-smsd `inbox` table as CSV).

Gateways log local wall-clock time without a zone; the office's zone (Asia/Jakarta by default)
turns it into UTC. A message's source id is `RecipientID:ID` because each modem numbers its own.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from ingest.payload_checks import compact, load_json_object, parse_local_time
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
        raise ValueError("kolom ID kosong / column ID is empty")
    text = (row.get("TextDecoded") or "").strip()
    if not text:
        raise ValueError("kolom TextDecoded kosong / column TextDecoded is empty")
    sender = (row.get("SenderNumber") or "").strip()
    if not sender:
        raise ValueError("kolom SenderNumber kosong / column SenderNumber is empty")
    modem = (row.get("RecipientID") or "").strip() or "sms"
    return PostRecord(
        source_id=f"{modem}:{message_id}",
        text=text,
        created_at=parse_local_time(row.get("ReceivingDateTime") or "", zone),
        author_id=sender,
    )


#: Webhook fields (JSON object or form), as SMS gateways such as Gammu/Kannel/RapidPro hooks can be told to send.
WEBHOOK_FIELDS = ("message_id", "sender", "text", "received_at")


def parse_webhook(body: bytes, content_type: str, zone: ZoneInfo = WIB, gateway: str = "webhook") -> ParsedPage:
    """One SMS delivered by a gateway's webhook call: JSON or application/x-www-form-urlencoded."""
    fields = _webhook_fields(body, content_type)
    parsed = ParsedPage()
    try:
        parsed.posts.append(_webhook_post(fields, zone, gateway))
    except (ValueError, TypeError) as exc:
        parsed.rejected.append(Rejected("body", "malformed_sms", str(exc), compact(fields)))
    return parsed


def _webhook_fields(body: bytes, content_type: str) -> dict[str, str]:
    if content_type.startswith("application/json"):
        document = load_json_object(body)
        return {k: str(v) for k, v in document.items() if v is not None}
    pairs = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    return {k: v[0] for k, v in pairs.items()}


def _webhook_post(fields: dict[str, str], zone: ZoneInfo, gateway: str) -> PostRecord:
    missing = [name for name in WEBHOOK_FIELDS if not fields.get(name, "").strip()]
    if missing:
        raise ValueError(f"missing fields: {', '.join(missing)}")
    return PostRecord(
        source_id=f"{gateway}:{fields['message_id'].strip()}",
        text=fields["text"].strip(),
        created_at=parse_local_time(fields["received_at"], zone),
        author_id=fields["sender"].strip(),
    )

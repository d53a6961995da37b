"""The one place that knows SMS gateway inbox exports (Gammu-smsd `inbox` table as CSV).

Gateways log local wall-clock time without a zone; the office's zone (Asia/Jakarta by default)
turns it into UTC. A message's source id is `RecipientID:ID@received` (:func:`sms_source_id`):
each modem numbers its own messages, and a gateway's numbering starts again at 1 when its inbox
table is emptied or rebuilt, so the number alone would make a new message look like one already
stored and drop it. The receiving time (UTC, to the second) keeps the id stable for the same
row read twice and distinct for a reused number.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
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
    for row, line in _joined_parts([(row, reader.line_num) for row in reader]):
        try:
            parsed.posts.append(_post(row, zone))
        except (ValueError, TypeError) as exc:
            parsed.rejected.append(Rejected(f"row {line}", "malformed_row", str(exc), compact(row)))
    return parsed


def _joined_parts(rows: list[tuple[dict[str, str | None], int]]) -> list[tuple[dict[str, str | None], int]]:
    """A long SMS arrives as parts, each a row whose UDH names (reference, count, number): the parts
    of one message, all present, become one row with the first part's ID, time and line. A message
    with parts missing keeps its parts as rows, so nothing is dropped."""
    groups: dict[tuple, dict[int, int]] = {}
    for index, (row, _) in enumerate(rows):
        part = _concatenation(row.get("UDH") or "")
        if part is not None:
            reference, count, number = part
            groups.setdefault((row.get("RecipientID"), row.get("SenderNumber"), reference, count), {})[number] = index
    replaced: dict[int, dict[str, str | None]] = {}
    absorbed: set[int] = set()
    for (_, _, _, count), parts in groups.items():
        if sorted(parts) != list(range(1, count + 1)):
            continue
        ordered = [parts[n] for n in range(1, count + 1)]
        text = "".join(rows[i][0].get("TextDecoded") or "" for i in ordered)
        replaced[ordered[0]] = {**rows[ordered[0]][0], "TextDecoded": text}
        absorbed.update(ordered[1:])
    return [(replaced.get(i, row), line) for i, (row, line) in enumerate(rows) if i not in absorbed]


def _concatenation(udh: str) -> tuple[int, int, int] | None:
    """(reference, part count, part number) of a concatenated-SMS header (IE 00 or 08), else None."""
    try:
        data = bytes.fromhex(udh.strip())
    except ValueError:
        return None
    position = 1
    while len(data) > position + 1:
        element, length = data[position], data[position + 1]
        value = data[position + 2 : position + 2 + length]
        if element == 0x00 and length == 3 and len(value) == 3:
            return value[0], value[1], value[2]
        if element == 0x08 and length == 4 and len(value) == 4:
            return value[0] << 8 | value[1], value[2], value[3]
        position += 2 + length
    return None


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
    created_at = parse_local_time(row.get("ReceivingDateTime") or "", zone)
    return PostRecord(source_id=sms_source_id(modem, message_id, created_at), text=text, created_at=created_at,
                      author_id=sender)


def sms_source_id(gateway: str, message_id: str, received: datetime) -> str:
    """`gateway:number@YYYYMMDDTHHMMSSZ`: the gateway's own number, made unique by when it arrived."""
    return f"{gateway}:{message_id}@{received.astimezone(UTC):%Y%m%dT%H%M%SZ}"


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
    created_at = parse_local_time(fields["received_at"], zone)
    return PostRecord(source_id=sms_source_id(gateway, fields["message_id"].strip(), created_at),
                      text=fields["text"].strip(), created_at=created_at, author_id=fields["sender"].strip())

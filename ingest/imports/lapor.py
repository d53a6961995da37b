"""LAPOR!/LaporGub-style XLSX exports: a title row or two, then a header row NO, NAMA, LAPORAN, JENIS, DARI,
WAKTU, KATEGORI, DITERUSKAN, STATUS, then one complaint per row.

The export's NO is only a row counter (it changes between exports), so a report's source id is a
hash of what identifies it: time, name and text. KATEGORI, DITERUSKAN, STATUS and the rest stay in
the stored raw file.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from typing import Any
from zipfile import BadZipFile
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ingest.payload_checks import compact, parse_local_time
from ingest.records import ParsedPage, PostRecord, Rejected

HEADER = ("NO", "NAMA", "LAPORAN", "JENIS", "DARI", "WAKTU", "KATEGORI", "DITERUSKAN", "STATUS")
REQUIRED = ("LAPORAN", "WAKTU")
_TIME_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%Y-%m-%d %H:%M:%S")


def parse_workbook(body: bytes, zone: ZoneInfo) -> ParsedPage:
    try:
        sheet = load_workbook(io.BytesIO(body), read_only=True, data_only=True).active
    except (BadZipFile, InvalidFileException, OSError) as exc:
        raise ValueError("bukan buku kerja XLSX / not an XLSX workbook (simpan ulang dari Excel sebagai .xlsx, "
                         f"atau pakai --format csv untuk CSV): {exc}") from exc
    rows = list(sheet.iter_rows(values_only=True))
    header_at, columns = _find_header(rows)
    parsed = ParsedPage()
    for number, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if not any(cell not in (None, "") for cell in row):
            continue
        record = {name: row[i] if i < len(row) else None for name, i in columns.items()}
        try:
            parsed.posts.append(_post(record, zone))
        except (ValueError, TypeError) as exc:
            parsed.rejected.append(Rejected(f"row {number}", "malformed_row", f"baris/row {number}: {exc}",
                                            compact({k: _text(v) for k, v in record.items()})))
    return parsed


def _find_header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:20]):
        names = [str(cell).strip().upper() if cell is not None else "" for cell in row]
        if all(required in names for required in REQUIRED):
            return index, {name: names.index(name) for name in HEADER if name in names}
    raise ValueError(f"no header row with {', '.join(REQUIRED)} in the first 20 rows: not a LAPOR! export")


def _post(record: dict[str, Any], zone: ZoneInfo) -> PostRecord:
    text = _text(record.get("LAPORAN"))
    if not text:
        raise ValueError("kolom LAPORAN kosong / LAPORAN is empty")
    created = _time(record.get("WAKTU"), zone)
    name = _text(record.get("NAMA")) or None
    key = hashlib.sha256(f"{created.isoformat()}\x00{name}\x00{text}".encode()).hexdigest()[:32]
    return PostRecord(source_id=f"lapor:{key}", text=text, created_at=created, author_name=name)


def _time(value: Any, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=zone) if value.tzinfo is None else value
    text = _text(value)
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    return parse_local_time(text, zone)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()

"""Generic CSV with a column mapping (`text=isi,created_at=tanggal,...`): for exports no other format covers."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from ingest.payload_checks import compact, parse_local_time
from ingest.records import ParsedPage, PostRecord, Rejected

FIELDS = ("text", "created_at", "author_id", "author_name", "url")
REQUIRED = ("text", "created_at")
DEFAULT_MAPPING = {"text": "text", "created_at": "created_at", "author_name": "author"}


def parse_mapping(spec: str) -> dict[str, str]:
    """`text=isi, created_at=tanggal` → {"text": "isi", "created_at": "tanggal"}; unknown fields are refused."""
    mapping = dict(DEFAULT_MAPPING)
    for part in filter(None, (p.strip() for p in spec.split(","))):
        field, _, column = part.partition("=")
        if field.strip() == "source_id":
            raise ValueError("'source_id' tidak dipakai: laporan dikenali dari isinya (waktu, nama, teks), karena "
                             "nomor baris ekspor berulang tiap bulan dan bergeser di rekap kumulatif / not used: a "
                             "report is known by its content, as export row numbers restart and shift")
        if field.strip() not in FIELDS or not column.strip():
            raise ValueError(f"'{part}': use FIELD=COLUMN with FIELD one of {', '.join(FIELDS)}")
        mapping[field.strip()] = column.strip()
    return mapping


def parse_csv(body: bytes, zone: ZoneInfo, mapping: dict[str, str] | None = None) -> ParsedPage:
    mapping = mapping or DEFAULT_MAPPING
    reader = _reader(_decoded(body), [mapping[f] for f in REQUIRED])
    missing = [mapping[f] for f in REQUIRED if mapping.get(f) not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"CSV tidak punya kolom / has no column {', '.join(missing)} (kolom yang ada / columns: "
                         f"{', '.join(reader.fieldnames or [])}); beri / give --map text=KOLOM,created_at=KOLOM")
    parsed = ParsedPage()
    for row in reader:
        try:
            parsed.posts.append(_post(row, mapping, zone))
        except (ValueError, TypeError) as exc:
            number = reader.line_num
            parsed.rejected.append(Rejected(f"row {number}", "malformed_row", f"baris/row {number}: {exc}",
                                            compact(row)))
    return parsed


def _decoded(body: bytes) -> str:
    """UTF-8, else Windows-1252: what Excel writes when an office saves "CSV" on Windows. A file that holds
    UTF-8 letters and one broken byte is damaged UTF-8, not Windows-1252: read as that, every letter of it
    would be garbled, so it is refused whole (and quarantined with the reason)."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not body.decode("utf-8", errors="ignore").isascii():
            raise ValueError(f"berkas UTF-8 rusak di byte {exc.start} / damaged UTF-8 at byte {exc.start}") from exc
    return body.decode("cp1252")


def _reader(text: str, required: list[str]) -> csv.DictReader:
    """A reader with the separator whose header holds the required columns: Excel in Indonesian settings
    separates with semicolons."""
    header = text.partition("\n")[0]
    separator = next((s for s in (",", ";", "\t") if set(required) <= set(next(csv.reader([header], delimiter=s)))),
                     ",")
    return csv.DictReader(io.StringIO(text), delimiter=separator)


def _post(row: dict[str, str | None], mapping: dict[str, str], zone: ZoneInfo) -> PostRecord:
    values = {field: (row.get(column) or "").strip() for field, column in mapping.items()}
    if not values.get("text"):
        raise ValueError(f"kolom {mapping['text']} kosong / column {mapping['text']} is empty")
    created = parse_local_time(values.get("created_at", ""), zone)
    return PostRecord(source_id=_source_id(values, created), text=values["text"], created_at=created,
                      author_id=values.get("author_id") or None, author_name=values.get("author_name") or None,
                      url=values.get("url") or None)


def _source_id(values: dict[str, str], created: datetime) -> str:
    """The row's key: a hash of what identifies the complaint (time, name, text), as for LAPOR! exports.
    An export's own row number is no key: it starts from 1 in every month's file (December's complaint 1
    would be dropped as November's) and shifts in a cumulative one (the same complaint stored twice)."""
    digest = hashlib.sha256(f"{created.isoformat()}\x00{values.get('author_name')}\x00{values['text']}"
                            .encode()).hexdigest()
    return f"csv:{digest[:32]}"

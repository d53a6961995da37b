"""File imports: each supported format names its channel and parser; every file goes through ingest_page."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from ingest.errors import SourceUnreadable, UnknownFormat
from ingest.facebook.payload import parse_page as parse_facebook_page
from ingest.imports.lapor import parse_workbook as parse_lapor_workbook
from ingest.imports.mapped_csv import parse_csv as parse_mapped_csv
from ingest.records import CheckpointAdvance, IngestOutcome, ParsedPage, Provenance
from ingest.sms.payload import parse_inbox_csv
from ingest.store import ingest_page
from ingest.twitter.payload import parse_jsonl as parse_x_jsonl
from ingest.twitter.payload import parse_page as parse_x_page


@dataclass(frozen=True)
class ImportOptions:
    """What a format may need beyond the file: the generic CSV's column map, and for Graph exports
    the page's own ids (its own posts are the office speaking, not complaints)."""

    mapping: dict[str, str] | None = None
    page_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FileFormat:
    name: str
    channel: str
    suffix: str
    description: str
    parser: Callable[[bytes, ZoneInfo, ImportOptions], ParsedPage]


FORMATS: dict[str, FileFormat] = {
    f.name: f for f in (
        FileFormat("x-json", "twitter", ".json", "X API v2 response page (mentions or recent search)",
                   lambda body, zone, options: parse_x_page(body)),
        FileFormat("x-jsonl", "twitter", ".jsonl", "twarc2 output: one X API v2 response page per line",
                   lambda body, zone, options: parse_x_jsonl(body)),
        FileFormat("fb-json", "facebook", ".json", "Facebook Graph API feed/comments page",
                   lambda body, zone, options: parse_facebook_page(body, page_ids=options.page_ids)),
        FileFormat("sms-csv", "sms", ".csv", "SMS gateway inbox export (Gammu-smsd inbox table)",
                   lambda body, zone, options: parse_inbox_csv(body, zone)),
        FileFormat("lapor-xlsx", "import", ".xlsx", "LAPOR!/LaporGub-style XLSX export (NO, NAMA, LAPORAN, ...)",
                   lambda body, zone, options: parse_lapor_workbook(body, zone)),
        FileFormat("csv", "import", ".csv", "Generic CSV; columns named with --map text=COL,created_at=COL,...",
                   lambda body, zone, options: parse_mapped_csv(body, zone, options.mapping)),
    )
}

#: Folder name → format, for importing a tree laid out like data/demo/.
FOLDER_FORMATS = {"twitter": "x-json", "facebook": "fb-json", "sms": "sms-csv"}


def import_file(factory: sessionmaker[Session], path: Path, format_name: str, zone: ZoneInfo,
                mapping: dict[str, str] | None = None, *, page_ids: frozenset[str] = frozenset()) -> IngestOutcome:
    """Import one file in one transaction; its items are posts or quarantine rows, never lost.

    `mapping` (field → column) is used by the generic `csv` format only, `page_ids` by `fb-json`.
    """
    file_format = _format(format_name)
    body = _read(path)
    options = ImportOptions(mapping, frozenset(page_ids))
    provenance = Provenance(
        channel=file_format.channel,
        endpoint=f"file:{path.name}",
        retrieved_at=datetime.now(UTC),
        parameters={"format": file_format.name, "path": str(path), **({"mapping": mapping} if mapping else {}),
                    **({"page_ids": sorted(page_ids)} if page_ids else {})},
    )
    with factory() as session, session.begin():
        return ingest_page(session, body, provenance, partial(file_format.parser, zone=zone, options=options),
                           CheckpointAdvance(f"import:{file_format.name}", str(path.resolve()), _digest(body)))


def import_tree(factory: sessionmaker[Session], root: Path, zone: ZoneInfo) -> Iterator[tuple[Path, IngestOutcome]]:
    """Import every file under root/<channel folder>/ in a stable order."""
    for folder, format_name in FOLDER_FORMATS.items():
        suffix = FORMATS[format_name].suffix
        for path in sorted((root / folder).glob(f"*{suffix}")):
            yield path, import_file(factory, path, format_name, zone)


def _format(name: str) -> FileFormat:
    if name not in FORMATS:
        raise UnknownFormat(f"unknown format '{name}'; choose one of: {', '.join(FORMATS)}")
    return FORMATS[name]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceUnreadable(f"cannot read {path}: {exc.strerror or exc}") from exc


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()

"""File import formats: twarc2 JSONL, LAPOR!-style XLSX, generic mapped CSV; bad rows quarantined with row numbers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.files import import_file
from ingest.imports.mapped_csv import parse_mapping
from pilah.schema import Post, QuarantinedItem

WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def lapor_export(tmp_path: Path) -> Path:
    """A small LAPOR!-style export: a title row, a blank row, the header, four reports (one without text)."""
    book = Workbook()
    sheet = book.active
    sheet.append(["REKAP LAPORAN PENGADUAN MASYARAKAT KABUPATEN LAMPUNG SELATAN NOVEMBER 2026"])
    sheet.append([])
    sheet.append(["NO", "NAMA", "LAPORAN", "JENIS", "DARI", "WAKTU", "KATEGORI", "DITERUSKAN", "STATUS"])
    sheet.append([1, "Sutrisno", "Jembatan desa Banjarmasin Penengahan putus", "Pengaduan", "SMS",
                  datetime(2026, 11, 19, 8, 30), "Infrastruktur", "Dinas PUPR", "Proses"])
    sheet.append([2, "Anonim", "Mohon info jadwal perekaman KTP-el di Palas", "Permintaan Informasi", "Web",
                  "19/11/2026 09:15", "Administrasi Kependudukan", "Disdukcapil", "Selesai"])
    sheet.append([3, "Wati", None, "Pengaduan", "Twitter", "19/11/2026 10:00", "", "", "Belum"])
    sheet.append([4, "Rahmat", "Bantuan sosial tidak tepat sasaran di Sragi", "Aspirasi", "Facebook",
                  "kemarin", "Sosial", "Dinsos", "Belum"])
    path = tmp_path / "rekap-lapor-2026-11.xlsx"
    book.save(path)
    return path


def _quarantine(factory: sessionmaker[Session]) -> list[tuple[str, str]]:
    with factory() as session:
        return sorted(tuple(r) for r in session.execute(select(QuarantinedItem.locator, QuarantinedItem.reason)))


def test_twarc_jsonl_reads_every_page_and_quarantines_a_broken_line(factory, fixtures_dir: Path) -> None:
    outcome = import_file(factory, fixtures_dir / "twitter/twarc2_mentions.jsonl", "x-jsonl", WIB)
    assert (outcome.new, outcome.quarantined) == (5, 1)
    assert _quarantine(factory)[0][0] == "line 2"


def test_lapor_export_rows_become_posts_with_row_numbers_for_bad_ones(factory, lapor_export: Path) -> None:
    outcome = import_file(factory, lapor_export, "lapor-xlsx", WIB)
    assert (outcome.new, outcome.quarantined) == (2, 2)
    locators = [locator for locator, _ in _quarantine(factory)]
    assert locators == ["row 6", "row 7"]
    with factory() as session:
        post = session.scalars(select(Post).where(Post.author_name == "Sutrisno")).one()
    assert post.channel == "import" and post.created_at.isoformat() == "2026-11-19T01:30:00+00:00"
    again = import_file(factory, lapor_export, "lapor-xlsx", WIB)
    assert (again.new, again.duplicates) == (0, 2)


def test_mapped_csv_uses_the_given_columns(factory, fixtures_dir: Path) -> None:
    mapping = parse_mapping("source_id=nomor,text=isi,created_at=tanggal,author_name=pelapor")
    outcome = import_file(factory, fixtures_dir / "lapor_mapped.csv", "csv", WIB, mapping)
    assert (outcome.new, outcome.quarantined) == (2, 2)
    assert [loc for loc, _ in _quarantine(factory)] == ["row 3", "row 4"]
    with factory() as session:
        assert sorted(session.scalars(select(Post.source_id))) == ["A-101", "A-104"]


def test_mapping_refuses_unknown_fields() -> None:
    with pytest.raises(ValueError, match="FIELD=COLUMN"):
        parse_mapping("judul=isi")

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
    mapping = parse_mapping("text=isi,created_at=tanggal,author_name=pelapor")
    outcome = import_file(factory, fixtures_dir / "lapor_mapped.csv", "csv", WIB, mapping)
    assert (outcome.new, outcome.quarantined) == (2, 2)
    assert [loc for loc, _ in _quarantine(factory)] == ["row 3", "row 4"]
    with factory() as session:
        assert sorted(session.scalars(select(Post.text))) == ["Guru honorer SD belum terima insentif",
                                                             "Jalan kabupaten ruas Natar - Tanjung Bintang berlubang"]
    with pytest.raises(ValueError, match="'source_id' tidak dipakai"):
        parse_mapping("source_id=nomor,text=isi,created_at=tanggal")


CSV_HEADER = "no,isi,tanggal,nama\n"
NUMBERED = {"text": "isi", "created_at": "tanggal", "author_name": "nama"}


def test_a_csv_numbering_its_rows_afresh_loses_no_complaint(factory, tmp_path: Path) -> None:
    """Every month's export counts "no" from 1: December's complaint 1 is not November's, and two rows of
    one file sharing a number are two complaints; a cumulative export numbers November's complaints anew
    and adds none of them again; reading any file again adds nothing."""
    november, december, whole_year = tmp_path / "ekspor-nov.csv", tmp_path / "ekspor-des.csv", tmp_path / "rekap.csv"
    november.write_text(CSV_HEADER + "1,jalan natar rusak,2026-11-20 08:00,Budi\n"
                                     "2,sampah numpuk di pasar,2026-11-21 09:00,Sari\n", encoding="utf-8")
    december.write_text(CSV_HEADER + "1,bpnt belum cair,2026-12-02 10:30,Rina\n"
                                     "1,lampu jalan mati,2026-12-03 19:00,Rina\n", encoding="utf-8")
    whole_year.write_text(CSV_HEADER + "1,ktp hilang belum diganti,2026-10-01 07:00,Andi\n"
                                       "7,jalan natar rusak,2026-11-20 08:00,Budi\n", encoding="utf-8")
    files = (november, december, november, december, whole_year)
    news = [import_file(factory, path, "csv", WIB, NUMBERED).new for path in files]
    with factory() as session:
        stored = session.scalars(select(Post.text).order_by(Post.created_at)).all()
    assert news == [2, 2, 0, 0, 1]
    assert stored == ["ktp hilang belum diganti", "jalan natar rusak", "sampah numpuk di pasar", "bpnt belum cair",
                      "lampu jalan mati"]


def test_a_csv_saved_by_excel_in_indonesian_settings_is_read(factory, tmp_path: Path) -> None:
    """Semicolons between the columns and Windows-1252 text, as Excel writes "CSV" on an office PC."""
    export = tmp_path / "rekap-excel.csv"
    export.write_bytes("no;isi;tanggal;nama\r\n1;jalan rusak depan café natar;20/11/2026 08:00;Budi\r\n"
                       .encode("cp1252"))
    outcome = import_file(factory, export, "csv", WIB, NUMBERED)
    assert (outcome.new, outcome.quarantined, outcome.unreadable) == (1, 0, 0)
    with factory() as session:
        assert session.scalars(select(Post.text)).one() == "jalan rusak depan café natar"


def test_a_utf8_csv_with_a_broken_byte_is_refused_whole_not_garbled(factory, tmp_path: Path) -> None:
    export = tmp_path / "rekap.csv"
    export.write_bytes("no,isi,tanggal,nama\n1,jalan rusak depan café natar,2026-11-20 08:00,Budi\n".encode()
                       + b"2,sampah \xff numpuk,2026-11-21 09:00,Sari\n")
    outcome = import_file(factory, export, "csv", WIB, NUMBERED)
    assert (outcome.new, outcome.unreadable) == (0, 1)
    assert outcome.unreadable_reason.startswith("berkas UTF-8 rusak di byte")


def test_a_file_that_is_not_an_xlsx_workbook_is_quarantined_whole_with_a_reason(factory, tmp_path: Path) -> None:
    saved_as_csv = tmp_path / "rekap-lapor.xls"
    saved_as_csv.write_text("NO,NAMA,LAPORAN,WAKTU\n1,Budi,jalan rusak,20/11/2026 08:00\n", encoding="utf-8")
    outcome = import_file(factory, saved_as_csv, "lapor-xlsx", WIB)
    assert (outcome.new, outcome.quarantined, outcome.unreadable) == (0, 1, 1)
    assert outcome.unreadable_reason.startswith("bukan buku kerja XLSX / not an XLSX workbook")


def test_mapping_refuses_unknown_fields() -> None:
    with pytest.raises(ValueError, match="FIELD=COLUMN"):
        parse_mapping("judul=isi")

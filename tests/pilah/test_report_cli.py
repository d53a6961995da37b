"""`pilah report` against a hand-counted fixture, in every format, with its charts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from pilah import PROJECT_ROOT
from pilah.cli import main
from pilah.schema import ChannelPayload, Post, Report, ReportFlag
from triage.directory import sync_directory

JAKARTA = ZoneInfo("Asia/Jakarta")
# day of November, status, category, kecamatan, OPD, duplicate of (index), unclear
FIXTURE = [
    (2, "selesai", "infrastruktur", "18.01.04", "dpupr", None, False),
    (2, "ditolak", "infrastruktur", "18.01.04", None, 0, False),          # duplicate of 0
    (3, "terdisposisi", "infrastruktur", "18.01.13", "dpupr", None, False),
    (4, "ditindaklanjuti", "kesehatan", "18.01.06", "dinkes", None, False),
    (5, "perlu_verifikasi", "adminduk", "18.01.06", None, None, False),
    (5, "ditolak", None, None, None, None, True),                         # unclear
    (6, "tertunda", "sosial", None, None, None, False),
]
# hand counts for 1–30 November: 7 received, 1 not verified, 3 dispositioned (1 + 1 + 1), 1 pending,
# 2 rejected, 2 unclear or repeated; categories (group heads): infrastruktur 2, kesehatan 1, adminduk 1, sosial 1.


@pytest.fixture
def counted_db(factory: sessionmaker[Session], database_url: str) -> str:
    with factory() as session, session.begin():
        sync_directory(session, PROJECT_ROOT / "data")
        reports = [_report(session, n, *row) for n, row in enumerate(FIXTURE)]
        for report, row in zip(reports, FIXTURE, strict=True):
            if row[5] is not None:
                report.duplicate_of_id, report.duplicate_kind = reports[row[5]].id, "exact"
            if row[6]:
                session.add(ReportFlag(report_id=report.id, code="unclear:spam", reason="spam", source="model"))
    return database_url


def _report(session: Session, n: int, day: int, status: str, category, kecamatan, opd, _dup, _unclear) -> Report:
    payload = ChannelPayload(channel="sms", endpoint="t", parameters={}, collector_version="t",
                             retrieved_at=datetime.now(UTC), sha256=f"{n:064d}", body=b"")
    session.add(payload)
    session.flush()
    post = Post(channel="sms", source_id=f"s{n}", payload_id=payload.id, author_id=f"a{n}", text=f"laporan {n}",
                created_at=datetime(2026, 11, day, 9, tzinfo=JAKARTA))
    session.add(post)
    session.flush()
    report = Report(post_id=post.id, status=status, category=category, kecamatan_code=kecamatan, opd_code=opd,
                    category_terms=[])
    session.add(report)
    session.flush()
    return report


def run(url: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["report", "--from", "2026-11-01", "--to", "2026-11-30", *args],
                                env={"PILAH_DATABASE_URL": url}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_markdown_numbers_match_the_hand_count(counted_db: str) -> None:
    lines = run(counted_db).splitlines()
    for row in ("| Laporan masuk | 7 |", "| Belum diverifikasi | 1 |", "| Didisposisikan ke OPD | 3 |",
                "| — belum ditindaklanjuti | 1 |", "| — sedang ditindaklanjuti | 1 |", "| — selesai | 1 |",
                "| Tertunda (menunggu kelengkapan dari pelapor) | 1 |", "| Ditolak | 2 |",
                "| Tidak jelas atau ditulis berulang | 2 |", "| Duplikat | 1 |", "| Tidak jelas | 1 |",
                "| Masuk antrean (pengaduan nyata) | 5 |"):
        assert row in lines


def test_csv_carries_the_same_numbers(counted_db: str) -> None:
    rows = list(csv.DictReader(io.StringIO(run(counted_db, "--format", "csv"))))
    values = {(r["bagian"], r["kode"]): r["jumlah"] for r in rows}
    assert values[("ringkasan", "diterima")] == "7"
    assert values[("kategori", "infrastruktur")] == "2"
    assert values[("opd_diterima", "dpupr")] == "2"
    assert values[("funnel", "dispositioned")] == "3"


def test_a_narrower_period_counts_fewer(counted_db: str) -> None:
    result = CliRunner().invoke(main, ["report", "--from", "2026-11-05", "--to", "2026-11-05"],
                                env={"PILAH_DATABASE_URL": counted_db}, catch_exceptions=False)
    assert "| Laporan masuk | 2 |" in result.output.splitlines()


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.images: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self._in_cell = tag == "td"
        if tag == "img":
            self.images.append(dict(attrs)["src"])

    def handle_data(self, data):
        if self._in_cell:
            self.cells.append(data)


def test_out_writes_xlsx_html_and_the_four_charts(counted_db: str, tmp_path: Path) -> None:
    printed = run(counted_db, "--format", "xlsx", "--out", str(tmp_path)).split()
    assert sorted(Path(p).name for p in printed) == ["grafik-kategori.png", "grafik-kecamatan.png", "grafik-opd.png",
                                                     "grafik-status-harian.png", "rekap.xlsx"]
    sheet = load_workbook(tmp_path / "rekap.xlsx").active
    values = {(row[0], row[1]): row[3] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values[("ringkasan", "diterima")] == 7 and values[("ringkasan", "selesai")] == 1
    for png in tmp_path.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    run(counted_db, "--format", "html", "--out", str(tmp_path))
    parser = _Cells()
    parser.feed((tmp_path / "rekap.html").read_text(encoding="utf-8"))
    assert parser.cells[:2] == ["Laporan masuk", "7"]
    assert "grafik-kategori.png" in parser.images


def test_xlsx_without_out_is_refused(counted_db: str) -> None:
    result = CliRunner().invoke(main, ["report", "--format", "xlsx"], env={"PILAH_DATABASE_URL": counted_db})
    assert result.exit_code == 2 and "--out" in result.output

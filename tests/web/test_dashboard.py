"""The dashboard's numbers, its SVG charts and the CSV/XLSX downloads."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from web_helpers import html

from pilah.schema import Post


def test_dashboard_counts_reports_in_the_period_and_draws_charts(login, make_report) -> None:
    make_report(status="terdisposisi", opd_code="dpupr")
    make_report(status="perlu_verifikasi")
    page = html(login("pimpinan").get("/dasbor?from=2026-03-01&to=2026-03-31"))
    assert page.select_one('[data-stat="received"] strong').get_text() == "2"
    assert page.select_one('[data-stat="dispositioned"] strong').get_text() == "1"
    assert len(page.select(".charts svg")) == 3
    assert page.select(".charts svg rect")


def test_csv_download_has_the_summary_rows(login, make_report) -> None:
    make_report()
    response = login("pimpinan").get("/dasbor/unduh.csv?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["bagian"] == "ringkasan" and {"kode", "uraian", "jumlah"} <= set(rows[0])
    assert {r["uraian"] for r in rows if r["bagian"] == "kategori"} == {"Infrastruktur Jalan, Jembatan dan Drainase"}


def test_xlsx_download_opens_as_a_workbook(login, make_report) -> None:
    make_report()
    response = login("analis").get("/dasbor/unduh.xlsx?from=2026-03-01&to=2026-03-31")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]] == ["bagian", "kode", "uraian", "jumlah"]


def test_unknown_download_format_is_404(login) -> None:
    assert login("pimpinan").get("/dasbor/unduh.pdf").status_code == 404


def test_a_post_at_midnight_counts_on_one_day_only(login, make_report, directory) -> None:
    report = make_report()
    midnight = datetime(2026, 3, 5, 0, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    with directory.begin() as session:
        session.get(Post, report.post_id).created_at = midnight
    client = login("pimpinan")

    def received(day: str) -> str:
        page = html(client.get(f"/dasbor?from={day}&to={day}"))
        return page.select_one('[data-stat="received"] strong').get_text()

    assert (received("2026-03-04"), received("2026-03-05")) == ("0", "1")


def test_the_status_cards_add_up_to_the_reports_received(login, make_report) -> None:
    for status in ("perlu_verifikasi", "terverifikasi", "tertunda", "ditolak", "selesai"):
        make_report(status=status)
    page = html(login("pimpinan").get("/dasbor?from=2026-03-01&to=2026-03-31"))

    def card(code: str) -> int:
        return int(page.select_one(f'[data-stat="{code}"] strong').get_text())

    assert card("received") == 5
    assert sum(map(card, ("not_verified", "verified", "dispositioned", "pending", "rejected"))) == 5


def test_an_opd_that_has_followed_up_nothing_still_shows_in_the_opd_table(login, make_report) -> None:
    """The table adds up to the dispositioned card: an OPD ignoring its reports is the one to see."""
    make_report(status="terdisposisi", opd_code="dpupr")
    make_report(status="ditindaklanjuti", opd_code="dinkes")
    page = html(login("pimpinan").get("/dasbor?from=2026-03-01&to=2026-03-31"))
    rows = {row.select("td")[0].get_text(): row for row in page.select("table.opd-stats tbody tr")}
    assert sum(int(row.select("td")[1].get_text()) for row in rows.values()) == 2
    assert "none-followed" in rows["Dinas PUPR"].get("class", [])
    assert "belum menindaklanjuti satu pun" in page.select_one("#none-followed-legend").get_text()


def test_the_csv_lists_every_opd_with_dispositions_also_one_that_followed_up_none(login, make_report) -> None:
    for opd_code in ("dpupr", "dinkes", "dinsos", "disdukcapil", "dpmd", "distan"):
        make_report(status="terdisposisi", opd_code=opd_code)
    make_report(status="selesai", opd_code="dinkes")
    response = login("pimpinan").get("/dasbor/unduh.csv?from=2026-03-01&to=2026-03-31")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    received = {r["kode"]: r["jumlah"] for r in rows if r["bagian"] == "opd_diterima"}
    followed = {r["kode"]: r["jumlah"] for r in rows if r["bagian"] == "opd_ditindaklanjuti"}
    assert len(received) == 6 and received["dinkes"] == "2"  # more than the top five the rekap ranks
    assert followed["dpupr"] == "0" and followed["dinkes"] == "1"


def test_a_period_without_dispositions_says_so_in_the_opd_table(login) -> None:
    rows = html(login("pimpinan").get("/dasbor")).select("table.opd-stats tbody tr")
    assert [row.get_text(strip=True) for row in rows] == ["Belum ada disposisi dalam periode ini."]


def test_a_reversed_period_is_shown_swapped_and_said_so(login, make_report) -> None:
    make_report(status="terdisposisi", opd_code="dpupr")
    for path in ("/dasbor?from=2026-03-31&to=2026-03-01", "/antrian?status=semua&from=2026-03-31&to=2026-03-01"):
        response = login("admin").get(path)
        assert response.status_code == 400
        page = html(response)
        assert "ditukar" in page.select_one("input[name=to]").find_next("span", class_="error-text").get_text()
    assert html(login("admin").get("/dasbor?from=2026-03-31&to=2026-03-01")).select_one(
        '[data-stat="received"] strong').get_text() == "1"
    assert len(html(login("admin").get("/antrian?status=semua&from=2026-03-31&to=2026-03-01")).select(
        "tr[data-report-id]")) == 1

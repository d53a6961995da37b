"""Queue paging by deadline risk: running deadlines first (stored in reports.next_due_at), then the
reports with none by id, page after page without gaps or repeats; the overdue filter and flag choices."""

from __future__ import annotations

from datetime import timedelta

from web_helpers import html

from pilah.queries import web as queries
from pilah.queries.web import QueueFilter
from pilah.schema import Report, ReportFlag

EVERY_STATUS = QueueFilter(status="semua")


def _mixed_queue(make_report, factory, now) -> dict[str, int]:
    """Five reports whose risk order is: late, soon (dispositioned), later, then the two without a clock."""
    made = {
        "later": make_report("verifikasi tiga hari lagi"),
        "soon": make_report("tindak lanjut besok", status="terdisposisi", opd_code="dpupr",
                            followup_due=now + timedelta(days=1)),
        "new": make_report("baru masuk", status="baru"),
        "late": make_report("verifikasi terlambat"),
        "pending": make_report("menunggu pelapor", status="tertunda"),
    }
    verify_due = {"later": now + timedelta(days=3), "soon": now + timedelta(days=5), "new": now - timedelta(days=4),
                  "late": now - timedelta(days=2), "pending": None}
    with factory.begin() as session:  # an ORM update: the mapper listener recomputes next_due_at
        for name, report in made.items():
            session.get(Report, report.id).verify_due = verify_due[name]
    return {name: report.id for name, report in made.items()}


def _ids(app, session, wanted: QueueFilter, page_size: int) -> tuple[list[int], bool]:
    page = queries.queue_page(session, wanted, now=app.state.clock(), page_size=page_size)
    return [row.report.id for row in page.rows], page.has_next


def test_risk_order_pages_through_running_deadlines_then_the_rest_without_gaps(app, make_report, directory) -> None:
    ids = _mixed_queue(make_report, directory, app.state.clock())
    expected = [ids["late"], ids["soon"], ids["later"], *sorted([ids["new"], ids["pending"]])]
    with directory() as session:
        whole, more = _ids(app, session, EVERY_STATUS, 10)
        pages = [_ids(app, session, QueueFilter(status="semua", page=n), 2) for n in (1, 2, 3, 4)]
    assert (whole, more) == (expected, False)
    assert pages == [(expected[0:2], True), (expected[2:4], True), (expected[4:], False), ([], False)]


def test_newest_and_oldest_sorts_follow_report_ids(app, make_report, directory) -> None:
    ids = sorted(_mixed_queue(make_report, directory, app.state.clock()).values())
    with directory() as session:
        newest, _ = _ids(app, session, QueueFilter(status="semua", sort="terbaru"), 10)
        oldest_second_page, more = _ids(app, session, QueueFilter(status="semua", sort="terlama", page=2), 3)
    assert newest == ids[::-1]
    assert (oldest_second_page, more) == (ids[3:], False)


def test_overdue_means_the_running_deadline_has_passed(app, make_report, directory) -> None:
    ids = _mixed_queue(make_report, directory, app.state.clock())
    with directory() as session:
        overdue, _ = _ids(app, session, QueueFilter(status="semua", overdue=True), 10)
    assert overdue == [ids["late"]]  # the `baru` report's old verify_due is not a running deadline


def test_queue_page_lists_in_risk_order_and_offers_flag_codes_in_use(app, login, make_report, directory) -> None:
    ids = _mixed_queue(make_report, directory, app.state.clock())
    with directory.begin() as session:
        for report_id, code in ((ids["late"], "lokasi_tidak_jelas"), (ids["soon"], "kategori_ragu"),
                                (ids["later"], "lokasi_tidak_jelas")):
            session.add(ReportFlag(report_id=report_id, code=code, reason="uji"))
    page = html(login("verifikator").get("/antrian?status=semua"))
    assert [row["data-report-id"] for row in page.select("tr[data-report-id]")] == [
        str(i) for i in (ids["late"], ids["soon"], ids["later"], *sorted([ids["new"], ids["pending"]]))]
    choices = [option["value"] for option in page.select("select[name=flag] option") if option["value"]]
    assert choices == ["kategori_ragu", "lokasi_tidak_jelas"]


def test_each_queue_row_carries_its_own_flag_codes_sorted(app, make_report, directory) -> None:
    ids = _mixed_queue(make_report, directory, app.state.clock())
    with directory.begin() as session:
        for code in ("perlu_disposisi_manual", "kategori_ragu", "lokasi_tidak_jelas"):
            session.add(ReportFlag(report_id=ids["late"], code=code, reason="uji"))
        session.add(ReportFlag(report_id=ids["soon"], code="suggested_opd:dpupr", reason="uji"))
    with directory() as session:
        page = queries.queue_page(session, EVERY_STATUS, now=app.state.clock(), page_size=10)
    flags = {row.report.id: row.flags for row in page.rows}
    assert flags[ids["late"]] == ["kategori_ragu", "lokasi_tidak_jelas", "perlu_disposisi_manual"]
    assert flags[ids["soon"]] == ["suggested_opd:dpupr"]
    assert flags[ids["later"]] == [] and flags[ids["new"]] == []


def test_a_page_past_the_end_says_so_and_links_to_the_first(login, make_report) -> None:
    make_report()
    page = html(login("verifikator").get("/antrian?status=semua&page=99"))
    assert page.select_one("td.empty").get_text(" ", strip=True).startswith("Tidak ada laporan di halaman ini.")
    assert page.select_one("#first-page")["href"].endswith("page=1")
    assert page.select_one("a[rel=prev]") is None  # not to page 98, as empty

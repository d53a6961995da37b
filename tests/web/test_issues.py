"""Splitting a multi-issue post into a second report from the report page (triage.multi_issue)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from web_helpers import csrf_of, form_values, html

from pilah.schema import AuditEvent, Report


def _submit(client, report_id: int, **fields):
    page = html(client.get(f"/antrian/{report_id}"))
    return client.post(page.find("form", id="form-split-issue")["action"],
                       data=form_values(page, "form-split-issue") | fields)


def _splits(directory, report_id: int) -> list[Report]:
    with directory() as session:
        return list(session.scalars(select(Report).where(Report.split_from_id == report_id)))


def test_split_creates_a_linked_second_report_awaiting_verification(login, make_report, directory) -> None:
    report = make_report("Jalan rusak dan KTP belum jadi tiga bulan")
    client = login("verifikator")
    response = _submit(client, report.id, category="adminduk", note="dua pengaduan")
    assert response.status_code == 303
    [second] = _splits(directory, report.id)
    assert (second.category, second.category_source, second.status) == ("adminduk", "human", "perlu_verifikasi")
    page = html(client.get(response.headers["location"]))
    assert page.select_one(".flash.ok").get_text() == f"Laporan kedua #{second.id} dibuat dan menunggu verifikasi."
    with directory() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report",
                                                         AuditEvent.entity_id == str(report.id))).one()
    assert (event.action, event.actor, event.details["new_report"]) == ("issue_split", "u-verifikator-x", second.id)


def test_same_or_missing_category_rerenders_with_a_field_error(login, make_report, directory) -> None:
    report = make_report()
    client = login("verifikator")
    for category, message in (("infrastruktur", "Pengaduan kedua harus berkategori lain dari laporan ini."),
                              ("", "Pilih kategori pengaduan kedua.")):
        response = _submit(client, report.id, category=category)
        assert response.status_code == 400
        assert html(response).select_one("#form-split-issue .error-text").get_text() == message
    assert _splits(directory, report.id) == []


def test_stale_version_gets_a_conflict_and_no_second_report(login, make_report, directory) -> None:
    report = make_report()
    first, second = login("verifikator"), login("admin")
    stale = form_values(html(second.get(f"/antrian/{report.id}")), "form-split-issue")
    assert first.post(f"/antrian/{report.id}/verifikasi", data=form_values(
        html(first.get(f"/antrian/{report.id}")), "form-verify")).status_code == 303
    response = second.post(f"/antrian/{report.id}/pisah-laporan", data=stale | {"category": "kesehatan"})
    assert response.status_code == 409
    assert html(response).select_one("#report-status").get_text(strip=True) == "Terverifikasi"
    assert _splits(directory, report.id) == []


@pytest.mark.parametrize(("status", "offered"), [("baru", False), ("perlu_verifikasi", True), ("tertunda", True),
                                                 ("terverifikasi", True), ("terdisposisi", True), ("ditolak", False),
                                                 ("selesai", False)])
def test_the_split_form_is_offered_only_where_a_split_is_allowed(login, make_report, status: str,
                                                                 offered: bool) -> None:
    """A rejected or closed report is not reopened by splitting, and a `baru` one is triaged first."""
    page = html(login("verifikator").get(f"/antrian/{make_report(status=status).id}"))
    assert (page.find("form", id="form-split-issue") is not None) == offered


def test_a_split_off_report_offers_no_split_of_its_own(login, make_report, directory) -> None:
    report = make_report("Jalan rusak dan KTP belum jadi tiga bulan")
    client = login("verifikator")
    assert _submit(client, report.id, category="adminduk").status_code == 303
    [second] = _splits(directory, report.id)
    assert html(client.get(f"/antrian/{second.id}")).find("form", id="form-split-issue") is None


def test_a_closed_report_is_refused_with_a_readable_message(login, make_report, directory) -> None:
    report = make_report(status="selesai")
    client = login("verifikator")
    forged = {"csrf_token": csrf_of(client, f"/antrian/{report.id}"), "version": str(report.version),
              "category": "kesehatan"}  # its page offers no split form
    response = client.post(f"/antrian/{report.id}/pisah-laporan", data=forged)
    assert response.status_code == 422
    assert "tidak dapat dipisah" in html(response).find(attrs={"role": "alert"}).get_text()
    assert _splits(directory, report.id) == []

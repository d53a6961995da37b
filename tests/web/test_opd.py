"""The OPD liaison's view: their dispositioned reports, start follow-up, complete, return."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from web_helpers import form_values, html, statements_naming

from pilah.schema import AuditEvent, FollowUp, Opd, Report


def _submit(client, report_id: int, form_id: str, **fields):
    page = html(client.get(f"/opd/laporan/{report_id}"))
    return client.post(page.find("form", id=form_id)["action"], data=form_values(page, form_id) | fields)


def test_opd_list_shows_only_own_dispositioned_reports(login, make_report) -> None:
    ours = make_report(status="terdisposisi", opd_code="dpupr")
    make_report(status="terdisposisi", opd_code="disdukcapil", category="adminduk")
    make_report(status="perlu_verifikasi")
    rows = html(login("opd").get("/opd")).select("tr[data-report-id]")
    assert [row["data-report-id"] for row in rows] == [str(ours.id)]


def test_liaison_starts_and_completes_follow_up(login, make_report, directory) -> None:
    report = make_report(status="terdisposisi", opd_code="dpupr")
    client = login("opd")
    assert _submit(client, report.id, "form-start", note="Tim survei berangkat").status_code == 303
    response = client.post(f"/opd/laporan/{report.id}/selesai", data=form_values(
        html(client.get(f"/opd/laporan/{report.id}")), "form-followup") | {"note": "Jalan sudah ditambal"})
    assert response.status_code == 303
    with directory() as session:
        notes = session.scalars(select(FollowUp.note).where(FollowUp.report_id == report.id)).all()
        assert session.get(Report, report.id).status == "selesai"
    assert notes == ["Tim survei berangkat", "Jalan sudah ditambal"]
    done = html(client.get(f"/opd/laporan/{report.id}"))
    assert done.select("aside.actions form") == []
    assert done.select_one("#no-action").get_text() == "Laporan ini sudah selesai; tidak ada tindakan lagi."


def test_follow_up_without_note_rerenders_with_field_error(login, make_report) -> None:
    report = make_report(status="ditindaklanjuti", opd_code="dpupr")
    response = _submit(login("opd"), report.id, "form-followup", note=" ")
    assert response.status_code == 400
    assert html(response).select_one("#form-followup .error-text").get_text() == "Catatan tindak lanjut wajib diisi."


def test_return_as_not_our_authority_goes_back_to_the_verifikator(login, make_report, directory) -> None:
    report = make_report(status="terdisposisi", opd_code="dpupr")
    response = _submit(login("opd"), report.id, "form-return", reason="Jalan provinsi, bukan kabupaten")
    assert response.status_code == 303 and response.headers["location"].endswith("/opd")
    with directory() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report",
                                                         AuditEvent.entity_id == str(report.id))).one()
        assert session.get(Report, report.id).status == "terverifikasi"
    assert event.details["bukan_wewenang"] == "dpupr" and event.reason.endswith("Jalan provinsi, bukan kabupaten")


def test_the_liaisons_heading_names_their_office(login, directory) -> None:
    heading = html(login("opd").get("/opd")).find("h1")
    with directory() as session:
        office = session.get(Opd, "dpupr")
    assert heading.select_one(".opd").get_text() == office.name and heading.select_one(".opd")["title"] == "dpupr"
    assert "dpupr" not in heading.get_text()


def test_an_overdue_disposition_is_marked_in_words_in_the_liaisons_list(app, login, make_report, directory) -> None:
    late, on_time = (make_report(status="terdisposisi", opd_code="dpupr", followup_due=app.state.clock() + delta)
                     for delta in (timedelta(days=-1), timedelta(days=2)))
    rows = {row["data-report-id"]: row for row in html(login("opd").get("/opd")).select("tr[data-report-id]")}
    late_due, on_time_due = rows[str(late.id)].select_one("td.due"), rows[str(on_time.id)].select_one("td.due")
    assert "overdue" in late_due["class"] and "Lewat tenggat" in late_due.get_text()
    assert "overdue" not in on_time_due["class"] and "Lewat tenggat" not in on_time_due.get_text()


def _nav_user(response):
    return html(response).select_one("header.top .who .user")


def test_the_nav_names_the_liaisons_role_and_office_not_their_codes(login, directory) -> None:
    client = login("opd")
    user = _nav_user(client.get("/opd"))
    with directory() as session:
        office = session.get(Opd, "dpupr")
    assert user.select_one(".opd").get_text() == office.short_name and user.select_one(".opd")["title"] == "dpupr"
    assert user.select_one(".role").get_text() == "Pejabat penghubung OPD"
    assert "dpupr" not in user.get_text() and "(opd" not in user.get_text()
    forbidden = client.get("/antrian")  # an error page has the nav bar too
    assert forbidden.status_code == 403 and _nav_user(forbidden).select_one(".opd").get_text() == office.short_name
    client.cookies.set("pilah_lang", "en")
    assert _nav_user(client.get("/opd")).select_one(".role").get_text() == "OPD liaison officer"


def test_the_nav_names_a_role_without_an_office(login) -> None:
    user = _nav_user(login("verifikator").get("/antrian"))
    assert user.select_one(".role").get_text() == "Verifikator" and user.select_one(".opd") is None


def test_naming_the_liaisons_office_in_the_nav_asks_the_database_nothing_more(app, login) -> None:
    """The sign-in check loads the liaison's OPD on every request; the nav bar's name comes from that load."""
    client = login("opd")
    with statements_naming("opds") as reads:
        response = client.get("/antrian")  # 403: the guard, then the error page and its nav bar
    assert response.status_code == 403 and _nav_user(response).select_one(".opd")["title"] == "dpupr"
    assert len(reads) == 1, reads

"""The shortcuts pages take to render fast give what the slow way gives, and never a stale row."""

from __future__ import annotations

from fastapi.routing import APIRoute
from starlette.requests import Request
from web_helpers import html

from pilah.schema import ReportFlag
from pilah.web.app import all_routes
from pilah.web.templating import _url_for

SAMPLE_PARAMS = {"report_id": 12, "code": "dpupr", "rule_id": 3, "username": "budi.s", "fmt": "csv", "request_id": 9}


def _request(app, *, scheme: str = "http", host: bytes = b"pilah.example:8080", root_path: str = "") -> Request:
    return Request({"type": "http", "method": "GET", "scheme": scheme, "path": "/", "root_path": root_path,
                    "query_string": b"", "headers": [(b"host", host)], "app": app, "router": app.router})


def test_url_for_gives_what_starlette_gives_for_every_route_and_the_static_mount(app) -> None:
    for request in (_request(app), _request(app, scheme="https", root_path="/pilah")):
        context = {"request": request}
        for route in all_routes():
            assert isinstance(route, APIRoute)
            params = {name: SAMPLE_PARAMS[name] for name in route.param_convertors}
            assert _url_for(context, route.name, **params) == str(request.url_for(route.name, **params))
        assert _url_for(context, "static", path="pilah.css") == str(request.url_for("static", path="pilah.css"))


def test_queue_row_changes_as_soon_as_the_report_changes(login, make_report, directory) -> None:
    report = make_report("Jalan rusak parah di Natar")
    client = login("verifikator")
    row = html(client.get("/antrian")).select_one(f"tr[data-report-id='{report.id}']")
    assert "Perlu verifikasi" in row.get_text() and row.select(".flag") == []
    with directory.begin() as session:
        session.add(ReportFlag(report_id=report.id, code="kategori_ragu", reason="uji", source="rule"))
    row = html(client.get("/antrian")).select_one(f"tr[data-report-id='{report.id}']")
    assert [flag.get_text() for flag in row.select(".flag")] == ["kategori_ragu"]
    with directory.begin() as session:
        stored = session.get(type(report), report.id)
        stored.status, stored.version = "tertunda", stored.version + 1
    row = html(client.get("/antrian?status=semua")).select_one(f"tr[data-report-id='{report.id}']")
    assert "Tertunda" in row.get_text() and f"{report.id}:{report.version + 1}" in str(row)


def test_queue_row_follows_the_language(login, make_report) -> None:
    report = make_report()
    client = login("verifikator")
    assert "Perlu verifikasi" in html(client.get("/antrian")).select_one(f"tr[data-report-id='{report.id}']").text
    client.cookies.set("pilah_lang", "en")
    row = html(client.get("/antrian")).select_one(f"tr[data-report-id='{report.id}']")
    assert "Perlu verifikasi" not in row.get_text()


def test_report_page_preselects_the_opd_triage_suggested(login, make_report, directory) -> None:
    report = make_report()
    with directory.begin() as session:
        for code in ("suggested_opd:dinkes", "suggested_opd:dpupr"):
            session.add(ReportFlag(report_id=report.id, code=code, reason="uji", source="rule"))
    page = html(login("verifikator").get(f"/antrian/{report.id}"))
    assert page.select_one("#form-disposition select[name=opd_code] option[selected]")["value"] == "dinkes"


def test_queue_filter_form_offers_flag_codes_and_keeps_typed_dates_as_they_change(login, make_report,
                                                                                   directory) -> None:
    report = make_report()
    client = login("verifikator")
    flags = html(client.get("/antrian")).select("form#filters select[name=flag] option")
    assert [option["value"] for option in flags] == [""]
    with directory.begin() as session:
        session.add(ReportFlag(report_id=report.id, code="lokasi_tidak_jelas", reason="uji", source="rule"))
    page = html(client.get("/antrian?from=2026-03-01"))
    assert [option["value"] for option in page.select("form#filters select[name=flag] option")] == [
        "", "lokasi_tidak_jelas"]
    assert page.select_one("form#filters input[name=from]")["value"] == "2026-03-01"
    assert html(client.get("/antrian")).select_one("form#filters input[name=from]")["value"] == ""

"""The shortcuts pages take to render fast give what the slow way gives, and never a stale row."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.routing import APIRoute
from jinja2 import Environment
from sqlalchemy import select
from starlette.requests import Request
from web_helpers import html

from pilah.db import engine_of
from pilah.schema import AuditEvent, Disposition, FollowUp, Opd, Report, ReportFlag, RoutingRule
from pilah.web.app import all_routes
from pilah.web.i18n import gettext, ngettext, set_language
from pilah.web.templating import _url_for, make_templates

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


def test_report_page_preselects_what_the_rules_say_for_the_reports_tags_now(login, make_report, directory) -> None:
    """Triage's suggestion flag was made from the model's tags; the rules follow the report as it is."""
    report = make_report(category="infrastruktur", status="terverifikasi")
    with directory.begin() as session:
        session.add(ReportFlag(report_id=report.id, code="suggested_opd:dinkes", reason="uji", source="rule"))
    page = html(login("verifikator").get(f"/antrian/{report.id}"))
    assert page.select_one("#form-disposition select[name=opd_code] option[selected]")["value"] == "dpupr"


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


def test_report_page_lists_group_history_dispositions_and_follow_ups_once_they_exist(login, make_report,
                                                                                     directory) -> None:
    head, member = make_report("Jalan rusak di Natar"), make_report("Jalan rusak di Natar juga")
    client = login("verifikator")
    page = html(client.get(f"/antrian/{head.id}"))
    assert page.select("section.group, section.dispositions, section.follow-ups") == []
    assert [item.get_text() for item in page.select("section.history li")] == ["–"]
    with directory.begin() as session:
        session.get(Report, member.id).duplicate_of_id = head.id
        session.add(AuditEvent(actor="uji", entity_type="report", entity_id=str(head.id), action="catatan"))
        session.add(Disposition(report_id=head.id, opd_code="dpupr", due_at=datetime(2026, 3, 13, tzinfo=UTC),
                                created_by="uji", note="segera"))
        session.add(FollowUp(report_id=head.id, opd_code="dpupr", note="sudah ditinjau", actor="opd"))
    page = html(client.get(f"/antrian/{head.id}"))
    assert "2 pelapor" in page.select_one("section.group h3").get_text()
    assert "catatan" in page.select_one("section.history li").get_text()
    assert "segera" in page.select_one("section.dispositions li").get_text()
    assert "sudah ditinjau" in page.select_one("section.follow-ups li").get_text()
    page = html(client.get(f"/antrian/{member.id}"))
    assert "2 pelapor" in page.select_one("section.group h3").get_text()
    assert page.select("section.dispositions, section.follow-ups") == []


def _suggested(client, report_id: int) -> str:
    page = html(client.get(f"/antrian/{report_id}"))
    return page.select_one("#form-disposition select[name=opd_code] option[selected]")["value"]


def test_suggested_opd_follows_the_routing_rules_and_offices_as_they_are_now(login, make_report, directory) -> None:
    health = make_report(category="kesehatan", status="terverifikasi")
    order = make_report(category="ketertiban", kecamatan_code="18.01.13", status="terverifikasi")
    client = login("verifikator")
    assert (_suggested(client, health.id), _suggested(client, order.id)) == ("dinkes", "kec-jati-agung")
    with directory.begin() as session:
        session.get(Opd, "dinkes").active = False
        rule = session.scalars(select(RoutingRule).where(RoutingRule.kecamatan_code == "18.01.13")).one()
        rule.active = False
    assert (_suggested(client, health.id), _suggested(client, order.id)) == ("diskominfo", "satpolpp")
    offered = html(client.get(f"/antrian/{health.id}")).select("#form-disposition select[name=opd_code] option")
    assert "dinkes" not in [option["value"] for option in offered]


def test_choice_lists_escape_names_and_follow_the_language(login, make_report, directory) -> None:
    report, verified = make_report(), make_report(status="terverifikasi")
    with directory.begin() as session:
        session.add(Opd(code="uji", name="Dinas Uji", short_name="<b>Uji</b> & co", kind="dinas", kecamatan=[]))
    client = login("verifikator")
    for path in (f"/antrian/{verified.id}", "/antrian"):
        option = html(client.get(path)).select_one("select[name=opd_code] option[value=uji]")
        assert option.get_text() == "<b>Uji</b> & co" and option.find("b") is None
    chosen = "#form-verify select[name=category] option[selected]"
    assert html(client.get(f"/antrian/{report.id}")).select_one(chosen).get_text().startswith("Infrastruktur Jalan")
    client.cookies.set("pilah_lang", "en")
    assert html(client.get(f"/antrian/{report.id}")).select_one(chosen).get_text() == "Roads, bridges and drainage"


def test_template_gettext_gives_what_the_i18n_extension_gives() -> None:
    reference = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    reference.install_gettext_callables(gettext, ngettext, newstyle=True)
    source = ('{{ _("Antrian") }}|{{ _("100%% selesai") }}|{{ _("Halo %(name)s", name="<b>x</b>") }}|'
              '{{ gettext("Keluar") }}')
    ours = make_templates().env
    for language in ("id", "en"):
        set_language(language)
        assert ours.from_string(source).render() == reference.from_string(source).render()
        assert ours.from_string(source).render() == reference.from_string(source).render()  # remembered
    set_language("id")


def test_event_loop_pages_give_their_connection_back_before_answering(app, login, make_report) -> None:
    report = make_report()
    client = login("verifikator")
    pool = engine_of(app.state.loop_read_factory).pool
    for path in ("/antrian", f"/antrian/{report.id}", "/antrian/999999"):
        client.get(path)
        assert pool.checkedout() == 0, path

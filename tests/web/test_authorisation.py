"""Every route × every role, generated from pilah/web/roles.py: a route without a rule fails here."""

from __future__ import annotations

import pytest
from web_helpers import csrf_of

from pilah.schema import ROLES
from pilah.web import roles
from pilah.web.app import all_routes

ROUTES = sorted(all_routes(), key=lambda route: route.name == "auth.logout")


def _path(route, report_id: int) -> str:
    return route.path.format(report_id=report_id, request_id=report_id, rule_id=report_id, username="u-spare",
                             code="en", fmt="csv")


def _call(client, route, report_id: int, token: str | None):
    method = sorted(route.methods)[0]
    if method == "GET":
        return client.get(_path(route, report_id))
    return client.post(_path(route, report_id), data={"csrf_token": token or "", "version": "0"},
                       headers={"X-CSRF-Token": token or ""})


def test_every_route_has_a_rule_and_no_rule_is_stale() -> None:
    names = {route.name for route in all_routes()} | {"static"}
    assert roles.missing_rules(sorted(names)) == []
    assert sorted(set(roles.RULES) - names) == []


@pytest.mark.parametrize("role", ROLES)
def test_role_reaches_exactly_the_routes_its_rules_allow(role, login, make_user, make_report) -> None:
    make_user("verifikator", username="u-spare")
    report = make_report(status="terdisposisi", opd_code="dpupr")
    client = login(role)
    token = csrf_of(client, "/masuk")
    for route in ROUTES:
        response = _call(client, route, report.id, token)
        denied = response.status_code == 403 or response.headers.get("location", "").startswith("/masuk?next=")
        assert denied != roles.allowed(route.name, role), f"{role} {route.name} → {response.status_code}"
        assert response.status_code < 500, f"{role} {route.name} → {response.status_code}"


def test_anonymous_visitor_is_sent_to_login_or_refused_on_every_protected_route(anonymous, make_report) -> None:
    report = make_report()
    token = csrf_of(anonymous, "/masuk")
    for route in ROUTES:
        response = _call(anonymous, route, report.id, token)
        if roles.RULES[route.name] is roles.PUBLIC:
            assert response.status_code != 403 and "next=" not in response.headers.get("location", ""), route.name
        elif route.path.startswith(("/api/", "/open311/")):
            assert response.status_code == 401, route.name
        else:
            assert response.status_code == 303 and response.headers["location"].startswith("/masuk"), route.name


def test_opd_liaison_gets_404_for_another_opds_report(login, make_user, make_report) -> None:
    theirs = make_report(status="terdisposisi", opd_code="disdukcapil", category="adminduk")
    ours = make_report(status="terdisposisi", opd_code="dpupr")
    client = login("opd")
    assert client.get(f"/opd/laporan/{ours.id}").status_code == 200
    assert client.get(f"/opd/laporan/{theirs.id}").status_code == 404
    token = csrf_of(client, "/opd")
    response = client.post(f"/opd/laporan/{theirs.id}/mulai", data={"csrf_token": token, "version": "1"})
    assert response.status_code == 404


def test_opd_liaison_does_not_see_reports_not_yet_dispositioned_to_them(login, make_report) -> None:
    waiting = make_report(status="perlu_verifikasi", opd_code="dpupr")
    assert login("opd").get(f"/opd/laporan/{waiting.id}").status_code == 404

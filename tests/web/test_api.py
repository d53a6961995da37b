"""/api/v1 with a Bearer token, its OpenAPI schema, and the Open311 read subset."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from web_helpers import TAXONOMY_VERSION

from pilah.auth.tokens import issue_token
from pilah.schema import AuditEvent, Label


@pytest.fixture
def token(users, directory) -> str:
    with directory.begin() as session:
        return issue_token(session, session.merge(users["verifikator"]), "uji", actor="admin")


def test_reports_need_a_valid_token(anonymous) -> None:
    assert anonymous.get("/api/v1/reports").status_code == 401
    response = anonymous.get("/api/v1/reports", headers={"Authorization": "Bearer pilah_salah"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "login_required"


def test_list_and_get_reports_with_a_token(anonymous, token, make_report) -> None:
    report = make_report()
    auth = {"Authorization": f"Bearer {token}"}
    listed = anonymous.get("/api/v1/reports?category=infrastruktur", headers=auth).json()
    assert [r["id"] for r in listed["reports"]] == [report.id]
    assert anonymous.get(f"/api/v1/reports/{report.id}", headers=auth).json()["status"] == "perlu_verifikasi"
    unclear = anonymous.get(f"/api/v1/reports/{make_report(category=None, category_guess='sosial').id}",
                            headers=auth).json()
    assert (unclear["category"], unclear["category_guess"]) == (None, "sosial")


def test_status_change_with_token_needs_no_csrf_and_checks_version(anonymous, token, make_report,
                                                                   directory) -> None:
    report = make_report()
    auth = {"Authorization": f"Bearer {token}"}
    ok = anonymous.post(f"/api/v1/reports/{report.id}/status", headers=auth,
                        json={"status": "terverifikasi", "version": 1})
    assert ok.status_code == 200 and ok.json()["status"] == "terverifikasi"
    with directory() as session:  # the label of the verification, under the taxonomy the API offers
        assert session.scalars(select(Label.taxonomy_version)).one() == TAXONOMY_VERSION
    stale = anonymous.post(f"/api/v1/reports/{report.id}/status", headers=auth,
                           json={"status": "perlu_verifikasi", "version": 1, "reason": "salah verifikasi"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"


def test_openapi_schema_lists_the_report_endpoints(anonymous, token) -> None:
    schema = anonymous.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"}).json()
    assert "/api/v1/reports/{report_id}/status" in schema["paths"]


def test_open311_services_and_requests(anonymous, token, make_report) -> None:
    make_report(status="selesai")
    auth = {"Authorization": f"Bearer {token}"}
    services = anonymous.get("/open311/v2/services.json", headers=auth).json()
    assert "infrastruktur" in {s["service_code"] for s in services}
    closed = anonymous.get("/open311/v2/requests.json?status=closed", headers=auth).json()
    assert [r["status"] for r in closed] == ["closed"]
    assert anonymous.get("/open311/v2/requests.json?status=open", headers=auth).json() == []


def test_a_token_also_opens_the_event_loop_pages(anonymous, token, make_report) -> None:
    report = make_report()
    auth = {"Authorization": f"Bearer {token}"}
    assert anonymous.get("/antrian", headers=auth).status_code == 200
    assert anonymous.get(f"/antrian/{report.id}", headers=auth).status_code == 200


def test_open311_status_is_filtered_before_paging(app, anonymous, token, make_report) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"web": app.state.settings.web.model_copy(update={"page_size": 2})})
    for _ in range(3):
        make_report(status="selesai")  # the newest three, a full first page and more
    still_open = make_report(status="terdisposisi", opd_code="dpupr")
    auth = {"Authorization": f"Bearer {token}"}
    found = anonymous.get("/open311/v2/requests.json?status=open", headers=auth).json()
    assert [r["service_request_id"] for r in found] == [str(still_open.id)]
    closed = anonymous.get("/open311/v2/requests.json?status=closed", headers=auth).json()
    assert len(closed) == 2 and {r["status"] for r in closed} == {"closed"}


def test_a_pending_report_resumes_through_the_api(anonymous, token, make_report) -> None:
    report = make_report(status="tertunda")
    auth = {"Authorization": f"Bearer {token}"}
    change = {"status": "perlu_verifikasi", "version": report.version, "reason": "pelapor menjawab"}
    resumed = anonymous.post(f"/api/v1/reports/{report.id}/status", headers=auth, json=change)
    assert resumed.status_code == 200 and resumed.json()["status"] == "perlu_verifikasi"


@pytest.mark.parametrize("status", ["ditolak", "terverifikasi"])
def test_undoing_a_decision_through_the_api_needs_a_reason(anonymous, token, make_report, directory,
                                                           status: str) -> None:
    """Reopening a rejected report or un-verifying one is audited with why the decision was wrong."""
    report = make_report(status=status)
    auth, url = {"Authorization": f"Bearer {token}"}, f"/api/v1/reports/{report.id}/status"
    bare = anonymous.post(url, headers=auth, json={"status": "perlu_verifikasi", "version": report.version})
    assert bare.status_code == 422
    reopened = anonymous.post(url, headers=auth, json={"status": "perlu_verifikasi", "version": report.version,
                                                       "reason": "bukan spam, pelapor menulis ulang"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "perlu_verifikasi"
    with directory() as session:
        reasons = session.scalars(select(AuditEvent.reason).where(AuditEvent.entity_type == "report",
                                                                  AuditEvent.entity_id == str(report.id))).all()
    assert reasons == ["bukan spam, pelapor menulis ulang"]


def test_a_new_report_is_not_reopened_through_the_api(anonymous, token, make_report) -> None:
    """`baru` → perlu_verifikasi is triage's move: a person's "reopen" of a report nobody decided is refused."""
    report = make_report(status="baru")
    auth, url = {"Authorization": f"Bearer {token}"}, f"/api/v1/reports/{report.id}/status"
    refused = anonymous.post(url, headers=auth, json={"status": "perlu_verifikasi", "version": report.version,
                                                      "reason": "buka"})
    assert refused.status_code == 422
    assert anonymous.get(f"/api/v1/reports/{report.id}", headers=auth).json()["status"] == "baru"


def test_a_reversed_period_matches_nothing_through_the_api_as_asked(anonymous, token, make_report) -> None:
    make_report()
    auth = {"Authorization": f"Bearer {token}"}
    reversed_period = anonymous.get("/api/v1/reports?from=2026-03-31&to=2026-03-01", headers=auth)
    assert reversed_period.status_code == 200 and reversed_period.json()["reports"] == []
    assert anonymous.get("/api/v1/reports?from=2026-03-01&to=2026-03-31", headers=auth).json()["reports"]

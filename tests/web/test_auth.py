"""Login, logout, throttling, session cookie flags, CSRF and the secret-key requirement."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from web_helpers import csrf_of, html

from pilah.auth.accounts import set_active, set_password
from pilah.auth.devices import DEVICE_COOKIE
from pilah.auth.tokens import issue_token
from pilah.errors import ConfigError
from pilah.schema import Opd
from pilah.settings import load_settings
from pilah.web import create_app
from pilah.web.app import SESSION_COOKIE


def test_queue_redirects_anonymous_visitor_to_login(anonymous) -> None:
    response = anonymous.get("/antrian")
    assert response.status_code == 303
    assert response.headers["location"] == "/masuk?next=/antrian"


def test_login_sets_httponly_lax_session_cookie_and_lands_on_queue(anonymous, users) -> None:
    token = csrf_of(anonymous, "/masuk")
    response = anonymous.post("/masuk", data={"username": "u-verifikator-x", "password": "rahasia-uji-123",
                                              "csrf_token": token, "next": "/antrian"})
    assert response.status_code == 303 and response.headers["location"] == "/antrian"
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert anonymous.get("/antrian").status_code == 200


def test_wrong_password_rerenders_form_with_error(anonymous, users) -> None:
    response = anonymous.post("/masuk", data={"username": "u-admin-x", "password": "salah",
                                              "csrf_token": csrf_of(anonymous, "/masuk")})
    assert response.status_code == 401
    assert html(response).find(attrs={"role": "alert"}).get_text(strip=True) == "Nama pengguna atau kata sandi salah."


def test_login_is_throttled_after_repeated_failures_even_with_the_right_password(anonymous, users, settings) -> None:
    token = csrf_of(anonymous, "/masuk")
    for _ in range(settings.web.login_max_failures):
        anonymous.post("/masuk", data={"username": "u-admin-x", "password": "salah", "csrf_token": token})
    response = anonymous.post("/masuk", data={"username": "u-admin-x", "password": "rahasia-uji-123",
                                              "csrf_token": token})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in html(response).find(attrs={"role": "alert"}).get_text()


def _lock_out(client, app, settings, username: str) -> None:
    """Failures from another browser, after every sign-in so far, until `username` is locked."""
    signed_in_at = app.state.clock()
    app.state.clock = lambda: signed_in_at + timedelta(minutes=1)
    token = csrf_of(client, "/masuk")
    for _ in range(settings.web.login_max_failures):
        client.post("/masuk", data={"username": username, "password": "salah", "csrf_token": token})


def _sign_in(client, username: str, password: str = "rahasia-uji-123") -> int:
    return client.post("/masuk", data={"username": username, "password": password,
                                       "csrf_token": csrf_of(client, "/masuk")}).status_code


def test_a_browser_that_signed_in_before_keeps_its_way_in_while_the_username_is_locked(app, login, anonymous, users,
                                                                                      settings) -> None:
    """Someone guessing `admin`'s password locks the username, not the admin's own browser."""
    admins_browser = login("admin")
    admins_browser.post("/keluar", data={"csrf_token": csrf_of(admins_browser, "/antrian")})
    _lock_out(anonymous, app, settings, "u-admin-x")
    assert (_sign_in(anonymous, "u-admin-x"), _sign_in(admins_browser, "u-admin-x")) == (429, 303)


def test_a_shared_computer_keeps_its_way_in_for_each_account_signed_in_on_it(app, anonymous, users, settings) -> None:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as shared:
        assert [_sign_in(shared, name) for name in ("u-admin-x", "u-verifikator-x")] == [303, 303]
        _lock_out(anonymous, app, settings, "u-admin-x")
        assert (_sign_in(anonymous, "u-admin-x"), _sign_in(shared, "u-admin-x")) == (429, 303)


def test_a_new_password_ends_what_the_old_device_cookie_allowed(app, anonymous, users, settings, directory) -> None:
    """Whoever signed in with the old password (a former colleague) is held by the lockout again."""
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as old_browser:
        assert _sign_in(old_browser, "u-admin-x") == 303
        with directory.begin() as session:
            set_password(session, "u-admin-x", "kata-sandi-baru-456", actor="admin")
        _lock_out(anonymous, app, settings, "u-admin-x")
        assert _sign_in(old_browser, "u-admin-x", "kata-sandi-baru-456") == 429


@pytest.mark.parametrize("cookie", ["another_users", "tampered"])
def test_only_a_genuine_device_cookie_of_that_username_passes_the_lock(app, login, anonymous, users, settings,
                                                                       cookie: str) -> None:
    own = login("verifikator").cookies.get(DEVICE_COOKIE)
    anonymous.cookies.set(DEVICE_COOKIE, own if cookie == "another_users" else own[:-2] + "xx")
    _lock_out(anonymous, app, settings, "u-admin-x")
    assert _sign_in(anonymous, "u-admin-x") == 429


def test_the_device_cookie_is_httponly_and_does_not_name_the_user(anonymous, users) -> None:
    response = anonymous.post("/masuk", data={"username": "u-verifikator-x", "password": "rahasia-uji-123",
                                              "csrf_token": csrf_of(anonymous, "/masuk")})
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{DEVICE_COOKIE}=")]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    value = cookie.split(";")[0].split("=", 1)[1]
    assert "verifikator" not in base64.urlsafe_b64decode(value.split(".")[0] + "==").decode(errors="replace")


def test_one_client_guessing_many_usernames_is_throttled_too(app, anonymous, users) -> None:
    web = app.state.settings.web
    app.state.settings = app.state.settings.model_copy(
        update={"web": web.model_copy(update={"login_max_client_failures": 8})})
    token = csrf_of(anonymous, "/masuk")
    statuses = [anonymous.post("/masuk", data={"username": f"tebak{i}", "password": "salah", "csrf_token": token})
                .status_code for i in range(9)]
    assert statuses == [401] * 8 + [429]
    right = anonymous.post("/masuk", data={"username": users["admin"].username, "password": "rahasia-uji-123",
                                           "csrf_token": token})
    assert right.status_code == 429


def test_post_without_csrf_token_is_refused(login, make_report) -> None:
    report = make_report()
    client = login("verifikator")
    response = client.post(f"/antrian/{report.id}/verifikasi", data={"version": "1"})
    assert response.status_code == 403
    assert html(response).find("section", class_="error")["data-code"] == "csrf_failed"


def test_post_with_another_sessions_csrf_token_is_refused(login, make_report) -> None:
    report = make_report()
    other = csrf_of(login("admin"), "/antrian")
    response = login("verifikator").post(f"/antrian/{report.id}/verifikasi", data={"version": "1", "csrf_token": other})
    assert response.status_code == 403


def test_login_form_itself_needs_csrf(anonymous, users) -> None:
    response = anonymous.post("/masuk", data={"username": "u-admin-x", "password": "rahasia-uji-123"})
    assert response.status_code == 403


def test_logout_ends_the_session(login) -> None:
    client = login("admin")
    response = client.post("/keluar", data={"csrf_token": csrf_of(client, "/antrian")})
    assert response.status_code == 303
    assert client.get("/antrian").status_code == 303


def test_a_copy_of_the_session_cookie_is_refused_after_logout(app, login) -> None:
    client = login("admin")
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as copy:
        copy.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE])
        assert copy.get("/antrian").status_code == 200
        client.post("/keluar", data={"csrf_token": csrf_of(client, "/antrian")})
        assert copy.get("/antrian").status_code == 303
    assert login("admin").get("/antrian").status_code == 200  # logging in again starts a good session


def test_a_new_password_ends_the_sessions_started_with_the_old_one(login, users, directory) -> None:
    client = login("verifikator")
    with directory.begin() as session:
        set_password(session, users["verifikator"].username, "kata-sandi-baru-456", actor="admin")
    assert client.get("/antrian").status_code == 303


def test_liaisons_of_a_deactivated_opd_lose_access_and_cannot_log_in(anonymous, login, users, directory) -> None:
    client = login("opd")
    assert client.get("/opd").status_code == 200
    with directory.begin() as session:
        session.get(Opd, users["opd"].opd_code).active = False
        token = issue_token(session, session.merge(users["opd"]), "uji", actor="admin")
    assert client.get("/opd").status_code == 303
    response = anonymous.post("/masuk", data={"username": users["opd"].username, "password": "rahasia-uji-123",
                                              "csrf_token": csrf_of(anonymous, "/masuk")})
    assert response.status_code == 401
    assert anonymous.get("/api/v1/reports", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_open_redirect_after_login_is_refused(anonymous, users) -> None:
    response = anonymous.post("/masuk", data={"username": "u-admin-x", "password": "rahasia-uji-123",
                                              "csrf_token": csrf_of(anonymous, "/masuk"), "next": "//evil.example/x"})
    assert response.headers["location"] == "/"


def test_deactivated_user_loses_access_on_next_request_and_reactivation_revives_no_old_cookie(
        app, login, users, directory) -> None:
    client = login("verifikator")
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as copy:
        copy.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE])
        with directory.begin() as session:
            set_active(session, users["verifikator"].username, False, actor="admin")
        assert client.get("/antrian").status_code == 303
        with directory.begin() as session:
            set_active(session, users["verifikator"].username, True, actor="admin")
        assert copy.get("/antrian").status_code == 303
    assert login("verifikator").get("/antrian").status_code == 200


def test_reactivating_an_opd_revives_no_session_of_its_liaisons(login, users, directory) -> None:
    client = login("opd")
    admin = login("admin")
    code = users["opd"].opd_code
    for _ in range(2):  # deactivate, then activate again
        form = {"note": "uji", "csrf_token": csrf_of(admin, "/admin/opd")}
        response = admin.post(f"/admin/opd/{code}/aktif", data=form)
        assert response.status_code == 303, response.text
    with directory.begin() as session:
        assert session.get(Opd, code).active
    assert client.get("/opd").status_code == 303
    assert login("opd").get("/opd").status_code == 200


def test_app_refuses_to_start_without_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PILAH_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="PILAH_SECRET_KEY"):
        create_app(load_settings(None), factory=object())


def test_pages_cannot_be_framed_sniffed_or_cached(login, anonymous) -> None:
    for response in (anonymous.get("/masuk"), login("verifikator").get("/antrian")):
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
    assert "no-store" not in anonymous.get("/static/pilah.css").headers.get("cache-control", "")


def test_a_forged_host_header_cannot_redirect_anyone_elsewhere(login, make_report) -> None:
    report = make_report()
    client = login("verifikator")
    token = csrf_of(client, f"/antrian/{report.id}")
    response = client.post(f"/antrian/{report.id}/verifikasi", headers={"host": "evil.example"},
                           data={"csrf_token": token, "version": str(report.version)})
    assert response.status_code == 303 and "evil.example" not in response.headers["location"]
    assert response.headers["location"].startswith("/")

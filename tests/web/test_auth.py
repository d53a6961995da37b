"""Login, logout, throttling, session cookie flags, CSRF and the secret-key requirement."""

from __future__ import annotations

import pytest
from web_helpers import csrf_of, html

from pilah.errors import ConfigError
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
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
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


def test_open_redirect_after_login_is_refused(anonymous, users) -> None:
    response = anonymous.post("/masuk", data={"username": "u-admin-x", "password": "rahasia-uji-123",
                                              "csrf_token": csrf_of(anonymous, "/masuk"), "next": "//evil.example/x"})
    assert response.headers["location"] == "/"


def test_deactivated_user_loses_access_on_next_request(login, users, directory) -> None:
    client = login("verifikator")
    with directory.begin() as session:
        from pilah.auth.accounts import set_active
        set_active(session, users["verifikator"].username, False)
    assert client.get("/antrian").status_code == 303


def test_app_refuses_to_start_without_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PILAH_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="PILAH_SECRET_KEY"):
        create_app(load_settings(None), factory=object())

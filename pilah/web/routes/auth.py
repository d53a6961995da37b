"""Login, logout, the language switch and the home redirect."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from pilah.auth.accounts import end_sessions
from pilah.auth.devices import DEVICE_COOKIE, DEVICE_MAX_AGE_DAYS, device_cookie, is_trusted_device
from pilah.auth.errors import LoginFailed, LoginThrottled
from pilah.auth.login import authenticate
from pilah.web import roles
from pilah.web.deps import get_db, now, redirect_to, start_session
from pilah.web.errors import NotFound
from pilah.web.i18n import LANG_COOKIE, LANGUAGES, N_, gettext
from pilah.web.templating import render

router = APIRouter()


@router.get("/", name="home")
def home(request: Request) -> RedirectResponse:
    return redirect_to(request, roles.LANDING[request.state.user.role])


@router.get("/masuk", name="auth.login")
def login_form(request: Request, next: str = "/"):
    return render(request, "auth/login.html", {"next": _safe_next(next), "errors": {}})


@router.post("/masuk", name="auth.login:submit")
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/"),
          db: Session = Depends(get_db)):
    web = request.app.state.settings.web
    client = request.client.host if request.client else None
    secret, known = request.app.state.secret, request.cookies.get(DEVICE_COOKIE)
    try:
        user = authenticate(db, username, password, client=client, now=now(request),
                            max_failures=web.login_max_failures,
                            lockout=timedelta(minutes=web.login_lockout_minutes),
                            max_client_failures=web.login_max_client_failures,
                            trusted_device=lambda account: is_trusted_device(secret, known, account))
    except LoginThrottled:
        db.commit()
        return _login_page(request, username, next, N_("Terlalu banyak percobaan masuk yang gagal. "
                                                       "Coba lagi setelah beberapa menit."), 429)
    except LoginFailed:
        db.commit()
        return _login_page(request, username, next, N_("Nama pengguna atau kata sandi salah."), 401)
    db.commit()
    start_session(request, user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(DEVICE_COOKIE, device_cookie(secret, user, known), max_age=DEVICE_MAX_AGE_DAYS * 86400,
                        samesite="lax", httponly=True, secure=web.secure_cookies)
    return response


def _login_page(request: Request, username: str, next: str, message: str, status: int):
    context = {"next": _safe_next(next), "username": username, "errors": {"form": gettext(message)}}
    return render(request, "auth/login.html", context, status_code=status)


def _safe_next(target: str) -> str:
    """Only same-site paths, so the login form can't be used to redirect to another site."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.post("/keluar", name="auth.logout")
def logout(request: Request, db: Session = Depends(get_db)) -> RedirectResponse:
    """Ends this user's sessions in every browser, so a copied cookie is worthless from now on."""
    user = request.state.user  # `guard` checked the session, in this request's database session
    if user is not None:
        end_sessions(user)
        db.commit()
    request.session.clear()
    return RedirectResponse("/masuk", status_code=303)


@router.get("/bahasa/{code}", name="i18n.switch")
def switch_language(request: Request, code: str, next: str = "/") -> RedirectResponse:
    if code not in LANGUAGES:
        raise NotFound()
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", httponly=True,
                        secure=request.app.state.settings.web.secure_cookies)
    return response

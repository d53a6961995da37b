"""Per-request dependencies: the database session, the signed-in user, CSRF and the role check.

`guard` runs on every route (it is the app-wide dependency): it resolves the route's rule in
`roles.RULES`, checks the CSRF token on every POST that came with a session cookie, and puts
the user on `request.state.user`. Handlers only ask for `current_user` or `db`.
"""

from __future__ import annotations

import hmac
import inspect
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pilah.auth.accounts import may_sign_in
from pilah.auth.tokens import user_for_token
from pilah.queries import web as queries
from pilah.schema import User, utcnow
from pilah.web import roles
from pilah.web.errors import CsrfFailed, Forbidden, LoginRequired

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
READING_METHODS = ("GET", "HEAD")


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A reading session for pages (GET/HEAD), a writing one for forms and for API tokens (marked as used).

    Pages must not wait for each other's write lock on SQLite; see pilah.db. Async, so it costs no
    thread hand-off: opening a session does no I/O (it connects on its first query), and closing
    one only rolls back and returns its connection to the pool, which never waits for a lock.
    A page that runs on the event loop (see `on_loop`) only reads, through the app's loop engine.
    """
    state = request.app.state
    if on_loop(request):
        factory = state.loop_read_factory
    else:
        reads = request.method in READING_METHODS and not _bearer(request)
        factory = state.read_factory if reads else state.factory
    with factory() as session:
        yield session


def on_loop(request: Request) -> bool:
    """Whether the route runs on the event loop: an `async def` page, which queries and renders without
    awaiting anything and closes its session before it returns (`closing`).

    The queue and report pages do, because handing a request to a worker thread and back costs more CPU
    than anything the page itself does but render. They read through their own engine (`loop_read_factory`),
    whose connections no thread holds, so taking one never waits for a connection only the loop could
    give back; and they use one at a time, since nothing between taking and returning one yields the loop.
    On PostgreSQL that engine runs each statement on its own (`pilah.db.statement_snapshot_reader`).
    """
    return _is_coroutine(request.scope["route"].endpoint)


@cache
def _is_coroutine(endpoint: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(endpoint)


@contextmanager
def closing(db: Session) -> Iterator[Session]:
    """An event-loop page's session, closed (its connection back in the pool) before the response is sent:
    sending may wait for a slow client, and the connection must not wait with it."""
    try:
        yield db
    finally:
        db.close()


def now(request: Request) -> datetime:
    return request.app.state.clock()


def local_path(request: Request, name: str, **params: Any) -> str:
    """A route's path without scheme and host: the browser resolves it against the address it used,
    so a forged Host header cannot send anyone elsewhere (``request.url_for`` builds on that header)."""
    return request.scope.get("root_path", "") + request.app.url_path_for(name, **params)


def redirect_to(request: Request, name: str, status_code: int = 303, **params: Any) -> RedirectResponse:
    return RedirectResponse(local_path(request, name, **params), status_code=status_code)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (so the login form has one too)."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    if request.method in ("GET", "HEAD", "OPTIONS") or _bearer(request):
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        sent = (await request.form()).get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


async def guard(request: Request, db: Session = Depends(get_db), _csrf: None = Depends(check_csrf)) -> User | None:
    name = request.scope["route"].name
    if _bearer(request) and on_loop(request):  # marking the token used writes: not in the page's session
        user = await run_in_threadpool(_api_user_apart, request)
    elif _bearer(request):
        user = await run_in_threadpool(_api_user, request, db)
    elif request.session.get("uid") is not None and on_loop(request):
        user = _session_user(request, db)
    elif request.session.get("uid") is not None:
        # In a thread: waiting for a pooled connection must not stop the event loop, which closes sessions.
        user = await run_in_threadpool(_session_user, request, db)
    else:
        user = None
    request.state.user = user
    if roles.allowed(name, None):
        return user
    if user is None:
        raise LoginRequired()
    if not roles.allowed(name, user.role):
        raise Forbidden()
    return user


async def current_user(request: Request, _user: User | None = Depends(guard)) -> User:
    if request.state.user is None:
        raise LoginRequired()
    return request.state.user


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _api_user(request: Request, db: Session) -> User | None:
    user = user_for_token(db, _bearer(request) or "", now=utcnow())
    if user is None:
        raise LoginRequired("token")
    db.commit()
    return user


def _api_user_apart(request: Request) -> User | None:
    with request.app.state.factory() as db:
        return _api_user(request, db)


def _session_user(request: Request, db: Session) -> User | None:
    uid = request.session.get("uid")
    if uid is None:
        return None
    user = queries.user_by_id(db, uid)
    # A liaison's OPD, held while `may_sign_in` asks for it again (the session keeps only weak references to
    # what it loaded, so that second ask is answered from its identity map only while this one is alive).
    opd = queries.opd_by_code(db, user.opd_code) if user is not None and user.opd_code else None
    settings = request.app.state.settings.web
    too_old = time.time() - request.session.get("login_at", 0) > settings.session_absolute_hours * 3600
    ended = user is not None and request.session.get("epoch") != user.session_epoch
    if too_old or ended or not may_sign_in(db, user):
        request.session.clear()
        return None
    request.state.user_opd_names = {opd.code: opd.short_name or opd.name} if opd is not None else {}
    return user


def user_opd_names(request: Request) -> dict[str, str]:
    """The signed-in liaison's OPD, code → short name, for the nav bar of every page (`directory.opd_label`
    takes it). Read with the user on each request, at no cost of its own: the sign-in check loads that OPD."""
    return getattr(request.state, "user_opd_names", {})


def start_session(request: Request, user: User) -> None:
    """A fresh session (new CSRF token) so a token planted before login is worthless after it."""
    request.session.clear()
    request.session.update(uid=user.id, epoch=user.session_epoch, login_at=int(time.time()),
                           csrf=secrets.token_urlsafe(32))


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session.setdefault("flash", []).append([kind, message])
    request.session["flash"] = request.session["flash"]


def take_flashes(request: Request) -> list[list[str]]:
    return request.session.pop("flash", []) if "flash" in request.session else []

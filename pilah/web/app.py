"""`create_app`: the staff web application as one FastAPI object.

Middleware order (outermost first): security headers → language → signed session cookie → routes.
Every route passes `deps.guard` (role rule, CSRF, user); `create_app` refuses a route with no rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from ingest.sms.webhook import WebhookConfig, standalone_app
from pilah.db import engine_of, make_engine, read_session_factory, statement_snapshot_reader
from pilah.errors import ConfigError
from pilah.schema import utcnow
from pilah.settings import Settings
from pilah.web import directory, roles
from pilah.web.deps import guard
from pilah.web.handlers import install_error_handlers
from pilah.web.headers import SecurityHeadersMiddleware
from pilah.web.i18n import LanguageMiddleware
from pilah.web.routes import admin, api, auth, dashboard, groups, issues, models, opd, open311, queue, users
from pilah.web.templating import make_templates

STATIC_DIR = Path(__file__).resolve().parent / "static"
SMS_GATEWAY_PREFIX = "/gateway"
SESSION_COOKIE = "pilah_session"
ROUTERS = (auth, queue, groups, issues, opd, dashboard, users, models, admin, api, open311)


def create_app(settings: Settings, factory: sessionmaker[Session] | None = None, *,
               clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """Build the app; without `factory` it opens the configured database (refusing an old schema)."""
    secret = _secret(settings)
    app = FastAPI(title="pilah", version="1", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(guard)])
    app.state.settings, app.state.clock, app.state.templates = settings, clock, make_templates()
    app.state.secret = secret
    # Read when each worker starts, not at its first page: the categories staff choose from and the version
    # their labels are written under stay those of the start until a restart (the taxonomy page says when the
    # file changed since). A worker that uvicorn restarts on its own reads the file again.
    directory.taxonomy(settings.data_dir)
    app.state.factory = factory or _open(settings)
    engine = engine_of(app.state.factory)
    app.state.read_factory = read_session_factory(engine)
    loop_engine = make_engine(engine.url.render_as_string(hide_password=False))  # see deps.on_loop
    app.state.loop_read_factory = statement_snapshot_reader(loop_engine)
    for module in ROUTERS:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _mount_sms_webhook(app, settings)
    install_error_handlers(app)
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                       max_age=settings.web.session_max_age_minutes * 60, same_site="lax",
                       https_only=settings.web.secure_cookies)
    app.add_middleware(LanguageMiddleware, default=settings.language, zone=settings.zone)
    app.add_middleware(SecurityHeadersMiddleware)
    _check_rules(app)
    return app


def _mount_sms_webhook(app: FastAPI, settings: Settings) -> None:
    """The SMS gateway posts to /gateway/sms/webhook; its own HMAC check replaces sessions and CSRF there."""
    if settings.sms_webhook_secret is None:
        return
    app.mount(SMS_GATEWAY_PREFIX, standalone_app(WebhookConfig.from_settings(settings), app.state.factory))


def _secret(settings: Settings) -> str:
    secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
    if len(secret) < 32:
        raise ConfigError(
            "PILAH_SECRET_KEY belum diisi (atau kurang dari 32 karakter); aplikasi web menandatangani sesi "
            "dengannya / is not set (or shorter than 32 characters); the web app signs sessions with it",
            hint='isi di environment / set it in the environment, e.g. export PILAH_SECRET_KEY="$(python -c '
                 "'import secrets; print(secrets.token_urlsafe(48))')\"",
        )
    return secret


def _open(settings: Settings) -> sessionmaker[Session]:
    from pilah.cli.runtime import open_database

    return open_database(settings)


def all_routes() -> list[APIRoute]:
    """Every route the routers declare (with its full path), for the rule check and the matrix test."""
    return [route for module in ROUTERS for route in module.router.routes if isinstance(route, APIRoute)]


def _check_rules(app: FastAPI) -> None:
    missing = roles.missing_rules([route.name for route in all_routes()])
    if missing:
        raise RuntimeError(f"routes without a rule in pilah/web/roles.py: {', '.join(missing)}")

"""The one templates object: autoescaping Jinja with i18n, dates and role checks as globals."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context
from starlette.datastructures import URL
from starlette.responses import Response
from starlette.routing import BaseRoute, NoMatchFound

from pilah.web import directory, roles
from pilah.web.deps import csrf_token, take_flashes
from pilah.web.i18n import current_language, format_day, format_when, gettext, ngettext

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def make_templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, extensions=["jinja2.ext.i18n"])
    env.globals["url_for"] = _url_for
    templates = Jinja2Templates(env=env)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(
        when=format_when, day=format_day, status_label=directory.status_label,
        reason_label=directory.reason_label, region_name=directory.region_name, language=current_language,
        STATUS_LABELS=directory.STATUS_LABELS,
    )
    env.filters["pager"] = _pager
    return templates


#: Routers are unhashable; keyed by id and holding the router itself so the id can't be reused.
_ROUTES_BY_NAME: dict[int, tuple[Any, dict[str, list[BaseRoute]]]] = {}


@pass_context
def _url_for(context: dict[str, Any], name: str, /, **path_params: Any) -> URL:
    """Starlette's url_for without trying every route in turn; a page renders dozens of links."""
    request: Request = context["request"]
    router = request.scope.get("router") or request.scope.get("app")
    known = _ROUTES_BY_NAME.get(id(router))
    if known is None or known[0] is not router:
        named: dict[str, list[BaseRoute]] = {}
        for route in getattr(router, "routes", ()):
            named.setdefault(getattr(route, "name", None), []).append(route)
        if len(_ROUTES_BY_NAME) > 16:
            _ROUTES_BY_NAME.clear()
        known = _ROUTES_BY_NAME[id(router)] = (router, named)
    named = known[1]
    for route in named.get(name, ()):
        try:
            return route.url_path_for(name, **path_params).make_absolute_url(base_url=request.base_url)
        except NoMatchFound:
            continue
    return request.url_for(name, **path_params)


def _pager(query, page: int) -> str:
    """The current query string with another page number (for the queue's paging links)."""
    params = [(k, v) for k, v in query.multi_items() if k != "page"] + [("page", str(page))]
    return urlencode(params)


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200) -> Response:
    """Render a page with what every page needs: the user, CSRF token, flashes, permission check."""
    user = getattr(request.state, "user", None)
    settings = request.app.state.settings
    base = {
        "user": user,
        "csrf": csrf_token(request) if "session" in request.scope else "",
        "flashes": take_flashes(request) if "session" in request.scope else [],
        "can": lambda route: user is not None and roles.allowed(route, user.role),
        "categories": directory.categories(settings.data_dir),
        "kecamatan": directory.kecamatan(settings.kabupaten),
    }
    base.update(context or {})
    return request.app.state.templates.TemplateResponse(request, name, base, status_code=status_code)

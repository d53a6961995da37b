"""The one templates object: autoescaping Jinja with i18n, dates and role checks as globals."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.responses import Response
from starlette.routing import replace_params

from pilah.queries.web import QueueRow
from pilah.web import directory, roles
from pilah.web.deps import csrf_token, take_flashes, user_opd_names
from pilah.web.i18n import current_language, current_zone, format_day, format_percent, format_when, gettext, ngettext
from pilah.web.views import is_overdue
from triage.queue import is_legal

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def make_templates() -> Jinja2Templates:
    # auto_reload off: templates change only with a release, and checking each one's file on every
    # render costs a stat per template and include.
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, extensions=["jinja2.ext.i18n"],
                      auto_reload=False)
    env.globals["url_for"] = _url_for
    env.globals["queue_row"] = _queue_row
    env.globals["queue_filters"] = _queue_filters
    templates = Jinja2Templates(env=env)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(
        when=format_when, day=format_day, percent=format_percent, status_label=directory.status_label,
        reason_label=directory.reason_label, region_name=directory.region_name, language=current_language,
        STATUS_LABELS=directory.STATUS_LABELS,
    )
    env.filters["pager"] = _pager
    env.globals["may_move"] = is_legal
    env.globals["flag_label"] = directory.flag_label
    env.globals["flag_reason"] = directory.flag_reason
    env.globals["opd_label"] = directory.opd_label
    env.globals["is_overdue"] = is_overdue
    env.globals["action_label"] = directory.action_label
    env.globals["category_source_label"] = directory.category_source_label
    env.globals["history_reason"] = directory.history_reason
    env.globals.update(role_label=directory.role_label, channel_label=directory.channel_label,
                       opd_kind_label=directory.opd_kind_label, delivery_label=directory.delivery_label,
                       rule_change_label=directory.rule_change_label)
    env.globals["options"] = _options
    env.globals["language_return"] = _language_return
    env.globals["reason_options"] = _reason_options
    # After install_gettext_callables: `_` and `gettext` answer from a table instead of through its wrapper.
    env.globals["_"] = env.globals["gettext"] = _translated
    return templates


#: Translated messages by (language, msgid), as the i18n extension's new-style gettext gives them unformatted.
_TRANSLATED: dict[tuple[str, str], Markup] = {}
_TRANSLATED_MAX = 4096


def _translated(message: str, **variables: Any) -> Markup:
    """What `jinja2.ext`'s new-style gettext gives (the translation as Markup, %-formatted with the
    keyword arguments, so "%%" is "%" either way), remembered per language when it has no arguments:
    a page asks for ~50 messages."""
    if variables:
        return Markup(gettext(message)) % variables
    key = (current_language(), message)
    plain = _TRANSLATED.get(key)
    if plain is None:
        if len(_TRANSLATED) >= _TRANSLATED_MAX:
            _TRANSLATED.clear()
        plain = _TRANSLATED[key] = Markup(gettext(message)) % {}
    return plain


#: Paths of names outside the routers (the static mount), by name and parameters; they are few.
_OTHER_PATHS: dict[tuple, str] = {}
_BASE_URL_KEY = "pilah.base_url"


@pass_context
def _url_for(context: dict[str, Any], name: str, /, **path_params: Any) -> str:
    """Starlette's `request.url_for(...)` as text, without searching the route tree for each link."""
    base = _base_url(context["request"])
    for route in _named_routes().get(name, ()):
        if path_params.keys() == route.param_convertors.keys():
            path, _ = replace_params(route.path_format, route.param_convertors, dict(path_params))
            return base + path
    try:
        key = (name, *sorted(path_params.items()))
        path = _OTHER_PATHS.get(key)
    except TypeError:  # an unhashable parameter: resolve it the slow way
        key, path = None, None
    if path is None:
        request: Request = context["request"]
        router = request.scope.get("router") or request.scope.get("app")
        path = str(router.url_path_for(name, **path_params))
        if key is not None and len(_OTHER_PATHS) < 256:
            _OTHER_PATHS[key] = path
    return base + path


@cache
def _named_routes() -> dict[str, list[APIRoute]]:
    """Route name → its routes, from every router's full path (FastAPI keeps included routers nested, so
    resolving a name through the app walks every route: too slow for a queue page's 60 links)."""
    from pilah.web.app import all_routes

    named: dict[str, list[APIRoute]] = {}
    for route in all_routes():
        named.setdefault(route.name, []).append(route)
    return named


def _base_url(request: Request) -> str:
    """What Starlette's url_for puts before a route's path ("http://host[/root]"), once per request."""
    base = request.scope.get(_BASE_URL_KEY)
    if base is None:
        url = request.base_url
        base = request.scope[_BASE_URL_KEY] = f"{'https' if url.is_secure else 'http'}://{url.netloc}" + \
            url.path.rstrip("/")
    return base


#: Rendered queue rows by everything `queue/_row.html` shows (see `_queue_row`); bounded, cleared when full.
_QUEUE_ROWS: dict[tuple, Markup] = {}
_QUEUE_ROWS_MAX = 4096


@pass_context
def _queue_row(context: Context, row: QueueRow) -> Markup:
    """One queue row's HTML, remembered by every value it is made from: the row's fields, the language,
    time zone and base URL, the names of the OPDs its flags suggest (from the page's `opd_names`), and the
    (cached, immutable) category and kecamatan tables. A report that
    changes in any shown way gives a new key (a deadline passing too: the key holds whether it has), so a
    remembered row is never stale; pages repeat rows (20 verifikators paging the same queue), and rendering
    50 rows is most of a queue page's cost.
    `queue/_row.html` sees nothing but what the key holds."""
    r, categories, kecamatan = row.report, context["categories"], context["kecamatan"]
    overdue = is_overdue(r, context["now"])
    names = context.get("opd_names") or {}
    named = tuple((code, names[code]) for code in directory.suggested_opds(row.flags) if code in names)
    key = (current_language(), current_zone(), _base_url(context["request"]), id(categories), id(kecamatan),
           r.id, r.version, r.status, r.category, r.category_confidence, r.category_source, r.kecamatan_code,
           r.followup_due, r.verify_due, overdue, row.posted_at, row.channel, row.text, tuple(row.flags), named)
    html = _QUEUE_ROWS.get(key)
    if html is None:
        html = Markup(context.environment.get_template("queue/_row.html").render(
            row=row, request=context["request"], categories=categories, kecamatan=kecamatan, overdue=overdue,
            opd_names=dict(named)))
        if len(_QUEUE_ROWS) >= _QUEUE_ROWS_MAX:
            _QUEUE_ROWS.clear()
        _QUEUE_ROWS[key] = html
    return html


#: Rendered filter forms by everything `queue/_filters.html` shows (see `_queue_filters`).
_QUEUE_FILTERS: dict[tuple, Markup] = {}
_QUEUE_FILTERS_MAX = 256


@pass_context
def _queue_filters(context: Context) -> Markup:
    """The queue's filter form, remembered like `_queue_row`: by the language, base URL, the filter
    asked for, its field errors, the dates typed, and the choices (flag codes, active OPDs and the names of
    the OPDs the flags suggest, deactivated ones too, as the database has them now; categories, kecamatan,
    statuses, channels). Its ~100 options cost more to render than the query behind the page."""
    query, opds, names = context["query"], context["opds"], context.get("opd_names") or {}
    # The names of the OPDs the flag filter's suggestions name, active or not (from the page's `opd_names`).
    named = tuple((code, names[code]) for code in directory.suggested_opds(context["flags"]) if code in names)
    values = {"wanted": context["wanted"], "errors": context["errors"], "statuses": tuple(context["statuses"]),
              "channels": tuple(context["channels"]), "flags": tuple(context["flags"]), "opds": opds,
              "query": {"from": query.get("from", ""), "to": query.get("to", "")},
              "categories": context["categories"], "kecamatan": context["kecamatan"]}
    key = (current_language(), _base_url(context["request"]), values["wanted"],
           tuple(sorted(values["errors"].items())), values["statuses"], values["channels"], values["flags"],
           tuple((o.code, o.short_name) for o in opds), named, values["query"]["from"], values["query"]["to"],
           id(values["categories"]), id(values["kecamatan"]))
    html = _QUEUE_FILTERS.get(key)
    if html is None:
        html = Markup(context.environment.get_template("queue/_filters.html").render(
            request=context["request"], opd_names=dict(named), **values))
        if len(_QUEUE_FILTERS) >= _QUEUE_FILTERS_MAX:
            _QUEUE_FILTERS.clear()
        _QUEUE_FILTERS[key] = html
    return html


#: Rendered <option> lists by language, choices, selected and omitted value. A dict of choices (the cached
#: category, kecamatan and desa tables) is keyed by its id and kept in the entry, so the id stays its own.
_OPTIONS: dict[tuple, tuple[Any, Markup]] = {}
_OPTIONS_MAX = 1024
_OPTION = Markup('<option value="{}"{}>{}</option>')
_SELECTED = Markup(" selected")


def _language_return(request: Request) -> str:
    """Where the language switch brings the reader back: this page with its query (a filtered queue, a
    dashboard period), or for a page drawn in answer to a form, the page the form was on."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    # The path alone (behind a proxy the Host may not be the browser's): the switch itself keeps it on site.
    referer = urlsplit(request.headers.get("referer", ""))
    return referer.path + (f"?{referer.query}" if referer.query else "") if referer.path.startswith("/") else "/"


def _options(choices: dict[str, Any] | tuple[Any, ...], selected: str | None = None,
             omit: str | None = None, empty: str | None = None) -> Markup:
    """The <option>s of a choice list: a dict of code → name or `directory.Category`, or a tuple of OPD choices
    (code, short_name). Forms on every page list the same choices; building ~100 options per page
    cost more than the queries behind it. With ``empty``, an empty option of that label comes first, chosen
    when ``selected`` is not among the options: a select whose value is missing submits its first option,
    so a form would send a choice nobody made (an OPD deactivated since, a category no longer offered)."""
    pinned = choices if isinstance(choices, dict) else None
    key = (current_language(), id(choices) if pinned is not None else choices, selected, omit, empty)
    found = _OPTIONS.get(key)
    if found is not None:
        return found[1]
    pairs = [(value, label) for value, label in
             (choices.items() if pinned is not None else ((o.code, o.short_name) for o in choices)) if value != omit]
    html = Markup("").join(
        _OPTION.format(value, _SELECTED if value == selected else "",
                       label.label if isinstance(label, directory.Category) else label)
        for value, label in pairs)
    if empty is not None and all(value != selected for value, _ in pairs):
        html = _OPTION.format("", _SELECTED, empty) + html
    if len(_OPTIONS) >= _OPTIONS_MAX:
        _OPTIONS.clear()
    _OPTIONS[key] = (pinned, html)
    return html


def _reason_options(selected: str | None = None, empty: str | None = None) -> Markup:
    """The reasons for rejecting a report, as <option>s in the reader's language."""
    return _options(_reason_labels(current_language()), selected, empty=empty)


@cache
def _reason_labels(language: str) -> dict[str, str]:
    return {code: directory.reason_label(code) for code in directory.UNCLEAR_REASONS}


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
        "user_opd_names": user_opd_names(request),
        "categories": directory.categories(settings.data_dir),
        "kecamatan": directory.kecamatan(settings.kabupaten),
    }
    base.update(context or {})
    return request.app.state.templates.TemplateResponse(request, name, base, status_code=status_code)

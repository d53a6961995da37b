"""Every error path answers with its status: a page in the user's language, or JSON for the API."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from pilah.web.errors import STATUS_MESSAGES, LoginRequired, WebError
from pilah.web.i18n import gettext
from pilah.web.templating import render

log = logging.getLogger(__name__)
MACHINE_PREFIXES = ("/api/", "/open311/")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(WebError, _web_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)


def error_response(request: Request, status: int, code: str, message: str, detail: str | None = None) -> Response:
    text = gettext(message)
    if request.url.path.startswith(MACHINE_PREFIXES):
        body = {"error": {"code": code, "message": text, "detail": detail}}
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body, status_code=status, headers=headers)
    context = {"status": status, "code": code, "message": text}
    return render(request, "errors/error.html", context, status_code=status)


async def _web_error(request: Request, exc: WebError) -> Response:
    if isinstance(exc, LoginRequired) and not request.url.path.startswith(MACHINE_PREFIXES):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/masuk?next={quote(target)}", status_code=303)
    return error_response(request, exc.status, exc.code, exc.message, exc.detail)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    message = STATUS_MESSAGES.get(exc.status_code, STATUS_MESSAGES[500])
    return error_response(request, exc.status_code, f"http_{exc.status_code}", message)


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    fields = ", ".join(".".join(str(p) for p in err["loc"][1:]) for err in exc.errors())
    return error_response(request, 400, "bad_request", STATUS_MESSAGES[400], detail=fields or None)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "internal_error", STATUS_MESSAGES[500])

"""The SMS gateway webhook: an APIRouter the web app mounts (or `standalone_app` serves alone).

A call is accepted only when `X-Pilah-Signature: sha256=<hex>` is the HMAC-SHA256, under
PILAH_SMS_WEBHOOK_SECRET, of `<timestamp>.<body>`, and `X-Pilah-Timestamp` is within the replay
window. Signing the timestamp with the body means an old call cannot be replayed with a fresh
timestamp; a resent message inside the window is harmless because posts are unique per gateway
message id. The body is read with a size limit before anything parses it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from ingest.collectors import store_page
from ingest.records import Provenance
from ingest.sms.payload import parse_webhook

ENDPOINT = "POST /sms/webhook"


@dataclass(frozen=True)
class WebhookConfig:
    secret: bytes | None
    replay_window_seconds: int
    max_body_bytes: int
    signature_header: str
    timestamp_header: str
    zone: Any

    @classmethod
    def from_settings(cls, settings: Any) -> WebhookConfig:
        sms, secret = settings.channels.sms, settings.sms_webhook_secret
        return cls(secret.get_secret_value().encode() if secret else None, sms.replay_window_seconds,
                   sms.max_body_bytes, sms.signature_header, sms.timestamp_header, settings.zone)


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """What a gateway must send in the signature header (documented in docs/channels.md)."""
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def sms_router(config: WebhookConfig, factory: sessionmaker[Session],
               clock: Callable[[], float] = time.time) -> APIRouter:
    router = APIRouter()

    @router.post("/sms/webhook", name="sms.webhook")
    async def receive(request: Request) -> JSONResponse:
        try:
            body = await _read_limited(request, config.max_body_bytes)
            _verify(config, request.headers, body, clock())
        except Refused as refused:
            return JSONResponse({"status": "refused", "code": refused.code, "message": refused.message},
                                status_code=refused.status)
        outcome = await run_in_threadpool(_store, factory, config, body, request.headers.get("content-type", ""))
        # A message kept in quarantine is received all the same (202): gateways resend on any error
        # status, and the same unusable message would come back for ever.
        return JSONResponse({"status": "quarantined" if outcome.quarantined else "ok", "new": outcome.new,
                             "duplicates": outcome.duplicates, "quarantined": outcome.quarantined},
                            status_code=202 if outcome.quarantined else 200)

    return router


def standalone_app(config: WebhookConfig, factory: sessionmaker[Session],
                   clock: Callable[[], float] = time.time) -> FastAPI:
    app = FastAPI(title="pilah SMS webhook")
    app.include_router(sms_router(config, factory, clock))
    return app


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Refused(413, "body_too_large", f"isi pesan melebihi {limit} byte / body larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise Refused(413, "body_too_large", f"isi pesan melebihi {limit} byte / body larger than {limit} bytes")
    return bytes(body)


def _verify(config: WebhookConfig, headers: Any, body: bytes, now: float) -> None:
    if config.secret is None:
        raise Refused(503, "not_configured", "webhook SMS belum aktif: set PILAH_SMS_WEBHOOK_SECRET / "
                                             "SMS webhook secret not configured")
    timestamp, sent = headers.get(config.timestamp_header, ""), headers.get(config.signature_header, "")
    if not sent or not timestamp.isdigit():
        raise Refused(401, "signature_missing", "tanda tangan atau waktu tidak ada / signature or timestamp missing")
    if not hmac.compare_digest(sent.encode(), signature(config.secret, timestamp, body).encode()):
        raise Refused(401, "signature_invalid", "tanda tangan tidak cocok / signature does not match")
    if abs(now - int(timestamp)) > config.replay_window_seconds:
        raise Refused(401, "replayed", "panggilan kedaluwarsa (replay) / call outside the replay window")


def _store(factory: sessionmaker[Session], config: WebhookConfig, body: bytes, content_type: str):
    provenance = Provenance("sms", ENDPOINT, datetime.now(UTC), {"content_type": content_type})
    return store_page(factory, body, provenance, partial(parse_webhook, content_type=content_type, zone=config.zone))

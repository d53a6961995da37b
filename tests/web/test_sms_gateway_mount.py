"""`pilah serve` also receives SMS gateway calls when PILAH_SMS_WEBHOOK_SECRET is set."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.sms.webhook import signature
from pilah.schema import Post
from pilah.settings import load_settings
from pilah.web import create_app

SECRET = "gateway-secret-for-tests"
BODY = json.dumps({"message_id": "771", "sender": "+6281200000009", "text": "Jalan di desa Way Urang berlubang",
                   "received_at": "2026-11-21 07:42:10"}).encode()


def _client(factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, secret: str | None) -> TestClient:
    monkeypatch.setenv("PILAH_SECRET_KEY", "test-secret-key-" + "x" * 32)
    if secret:
        monkeypatch.setenv("PILAH_SMS_WEBHOOK_SECRET", secret)
    return TestClient(create_app(load_settings(None), factory))


def _signed(secret: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {"Content-Type": "application/json", "X-Pilah-Timestamp": stamp,
            "X-Pilah-Signature": signature(secret.encode(), stamp, BODY)}


def test_signed_sms_reaches_the_store_through_the_staff_app(factory, monkeypatch) -> None:
    client = _client(factory, monkeypatch, SECRET)
    answer = client.post("/gateway/sms/webhook", content=BODY, headers=_signed(SECRET))
    assert answer.status_code == 200, answer.text
    with factory() as session:
        assert session.scalars(select(Post.text)).one() == "Jalan di desa Way Urang berlubang"


def test_wrong_signature_is_refused_through_the_staff_app(factory, monkeypatch) -> None:
    client = _client(factory, monkeypatch, SECRET)
    answer = client.post("/gateway/sms/webhook", content=BODY, headers=_signed("another-secret"))
    assert answer.status_code in (401, 403)


def test_without_a_secret_there_is_no_gateway_route(factory, monkeypatch) -> None:
    client = _client(factory, monkeypatch, None)
    assert client.post("/gateway/sms/webhook", content=BODY, headers=_signed(SECRET)).status_code == 404

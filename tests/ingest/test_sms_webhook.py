"""The SMS webhook in-process: signature, replay window, size limit, JSON and form bodies."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ingest.sms.numbers import masked_number, normalise_number, sender_key
from ingest.sms.webhook import WebhookConfig, signature, standalone_app
from pilah.schema import ChannelPayload, Post, QuarantinedItem

SECRET = b"gateway-shared-secret"
NOW = 1_795_000_000


@pytest.fixture
def client(factory: sessionmaker[Session]) -> TestClient:
    config = WebhookConfig(SECRET, 300, 2048, "X-Pilah-Signature", "X-Pilah-Timestamp", ZoneInfo("Asia/Jakarta"))
    return TestClient(standalone_app(config, factory, clock=lambda: NOW))


def _headers(body: bytes, timestamp: int = NOW, content_type: str = "application/json", secret: bytes = SECRET):
    return {"Content-Type": content_type, "X-Pilah-Timestamp": str(timestamp),
            "X-Pilah-Signature": signature(secret, str(timestamp), body)}


def test_signed_json_message_becomes_a_post(client, factory, fixtures_dir: Path) -> None:
    body = (fixtures_dir / "sms/webhook_message.json").read_bytes()
    answer = client.post("/sms/webhook", content=body, headers=_headers(body))
    assert answer.status_code == 200 and answer.json()["new"] == 1
    with factory() as session:
        post = session.scalars(select(Post)).one()
        raw = session.scalars(select(ChannelPayload.body)).one()
    assert (post.channel, post.source_id, post.author_id) == (
        "sms", "webhook:88213@20261121T004210Z", "+6281200000007")
    assert post.created_at.isoformat() == "2026-11-21T00:42:10+00:00" and raw == body


def test_signed_form_message_is_accepted(client, factory, fixtures_dir: Path) -> None:
    body = (fixtures_dir / "sms/webhook_message.form").read_bytes()
    answer = client.post("/sms/webhook", content=body,
                         headers=_headers(body, content_type="application/x-www-form-urlencoded"))
    assert answer.status_code == 200
    with factory() as session:
        assert session.scalars(select(Post.author_id)).one() == "+6281200000008"


@pytest.mark.parametrize("tamper", ["wrong_secret", "missing", "body_changed"])
def test_bad_signatures_are_refused(client, factory, fixtures_dir: Path, tamper: str) -> None:
    body = (fixtures_dir / "sms/webhook_message.json").read_bytes()
    headers = _headers(body, secret=b"not-the-secret" if tamper == "wrong_secret" else SECRET)
    if tamper == "missing":
        del headers["X-Pilah-Signature"]
    sent = body.replace(b"88213", b"88299") if tamper == "body_changed" else body
    answer = client.post("/sms/webhook", content=sent, headers=headers)
    assert answer.status_code == 401 and answer.json()["code"].startswith("signature")
    with factory() as session:
        assert session.scalars(select(Post)).all() == []


def test_replayed_call_is_refused(client, fixtures_dir: Path) -> None:
    body = (fixtures_dir / "sms/webhook_message.json").read_bytes()
    answer = client.post("/sms/webhook", content=body, headers=_headers(body, timestamp=NOW - 301))
    assert answer.status_code == 401 and answer.json()["code"] == "replayed"


def test_oversized_body_is_refused(client) -> None:
    body = b'{"text": "' + b"x" * 4000 + b'"}'
    answer = client.post("/sms/webhook", content=body, headers=_headers(body))
    assert answer.status_code == 413 and answer.json()["code"] == "body_too_large"


def test_message_without_fields_is_quarantined(client, factory) -> None:
    body = b'{"sender": "+6281200000009", "text": "halo"}'
    answer = client.post("/sms/webhook", content=body, headers=_headers(body))
    assert answer.status_code == 202 and answer.json()["quarantined"] == 1  # kept; no resend loop
    again = client.post("/sms/webhook", content=body, headers=_headers(body))
    assert again.status_code == 202
    with factory() as session:  # a resend is recognised: one item kept, not two
        assert session.scalar(select(func.count()).select_from(QuarantinedItem)) == 1


def test_numbers_are_masked_and_pseudonymised() -> None:
    assert normalise_number("0812-0000-0001") == normalise_number("+62 812 0000 0001") == "+6281200000001"
    assert masked_number("081200000001") == "+62812*****001"
    same = sender_key("0812 0000 0001", b"k")
    assert same == sender_key("+6281200000001", b"k") != sender_key("+6281200000001", b"j")

"""The outbox sender: real tweepy and Graph client code against replayed answers; at most one send per message."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests
import responses
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from ingest.outbox import send_outbox
from pilah.queries import channel as q
from pilah.schema import AuditEvent, ChannelPayload, OutboxMessage, Post, Report
from pilah.settings import Settings

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TWEETS = "https://api.twitter.com/2/tweets"
X_OAUTH = {"x_consumer_key": "ck", "x_consumer_secret": "cs", "x_access_token": "at", "x_access_token_secret": "ats"}
QUESTION = "Mohon sebutkan nama desa dan letak jalan yang rusak, terima kasih."


def _message(factory: sessionmaker[Session], channel: str, source_id: str, author: str) -> int:
    with factory() as session, session.begin():
        payload = ChannelPayload(channel=channel, endpoint="test", parameters={}, collector_version="t",
                                 retrieved_at=NOW, sha256=source_id.ljust(64, "0")[:64], body=b"{}")
        session.add(payload)
        session.flush()
        post = Post(channel=channel, source_id=source_id, payload_id=payload.id, author_id=author,
                    author_handle=author if channel == "twitter" else None, text="jalan rusak", created_at=NOW)
        session.add(post)
        session.flush()
        report = Report(post_id=post.id, status="tertunda", category_terms=[])
        session.add(report)
        session.flush()
        message = OutboxMessage(report_id=report.id, channel=channel, recipient=author, in_reply_to=source_id,
                                body=QUESTION, created_by="verifikator")
        session.add(message)
        session.flush()
        return message.id


def _state(factory: sessionmaker[Session], message_id: int) -> tuple[str, int, str | None]:
    with factory() as session:
        message = session.get(OutboxMessage, message_id)
        return message.status, message.attempts, message.error


def _actions(factory: sessionmaker[Session], message_id: int) -> list[tuple[str, dict]]:
    with factory() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "outbox_message",
                                                          AuditEvent.entity_id == str(message_id))
                                 .order_by(AuditEvent.id))
        return [(event.action, event.details) for event in events]


def _settings(**channels) -> Settings:
    return Settings(**X_OAUTH, fb_page_token="page-token", channels=channels)


def _send(factory: sessionmaker[Session], settings: Settings, at: datetime = NOW):
    return send_outbox(factory, settings, now=lambda: at)


def test_x_reply_is_sent_once_with_user_context(factory, fixtures_dir: Path) -> None:
    message_id = _message(factory, "twitter", "1994000000000000042", "warga_lamsel")
    settings = _settings(twitter={"reply_enabled": True})
    with responses.RequestsMock() as api:
        api.post(TWEETS, status=201, body=(fixtures_dir / "twitter/create_tweet_reply.json").read_bytes(),
                 content_type="application/json")
        first = _send(factory, settings)
        second = _send(factory, settings)
        assert len(api.calls) == 1, "a sent message is never sent again"
        sent = api.calls[0].request
    assert json.loads(sent.body) == {"text": QUESTION, "reply": {"in_reply_to_tweet_id": "1994000000000000042"}}
    assert sent.headers["Authorization"].startswith("OAuth "), "OAuth 1.0a user context, not the app bearer"
    assert (first.sent, second.sent) == (1, 0)
    assert _state(factory, message_id) == ("terkirim", 1, None)
    assert _actions(factory, message_id) == [
        ("outbox_attempt", {"attempt": 1}),
        ("outbox_sent", {"attempt": 1, "external_id": "1995100000000000001"}),
    ]


def test_replies_are_off_by_default_and_wait_with_the_reason(factory) -> None:
    x_id = _message(factory, "twitter", "1994000000000000043", "warga")
    fb_id = _message(factory, "facebook", "122100000000000001_5550001", "10001")
    sms_id = _message(factory, "sms", "modem1:77", "+6281200000001")
    with responses.RequestsMock() as api:
        report = _send(factory, _settings())
        assert not api.calls
    assert report.sent == 0 and set(report.waiting) == {"twitter", "facebook", "sms"}
    assert _state(factory, x_id)[:2] == ("menunggu", 0) and "reply_enabled" in _state(factory, x_id)[2]
    assert "reply_enabled" in _state(factory, fb_id)[2]
    assert "send_url" in _state(factory, sms_id)[2]


def test_facebook_comment_reply_goes_to_the_comment(factory, fixtures_dir: Path) -> None:
    message_id = _message(factory, "facebook", "122100000000000001_5550002", "10002")
    url = "https://graph.facebook.com/v24.0/122100000000000001_5550002/comments"
    with responses.RequestsMock() as api:
        api.post(url, body=(fixtures_dir / "facebook/comment_created.json").read_bytes(),
                 content_type="application/json")
        _send(factory, _settings(facebook={"reply_enabled": True}))
        request = api.calls[0].request
    assert parse_qs(request.body) == {"message": [QUESTION]}
    assert request.headers["Authorization"] == "OAuth page-token"
    assert _state(factory, message_id) == ("terkirim", 1, None)
    assert _actions(factory, message_id)[-1][1]["external_id"] == "122100000000000001_998877665544332211"


def test_expired_facebook_token_keeps_the_message_waiting_without_using_an_attempt(factory, fixtures_dir) -> None:
    message_id = _message(factory, "facebook", "122100000000000001_5550003", "10003")
    with responses.RequestsMock() as api:
        api.post("https://graph.facebook.com/v24.0/122100000000000001_5550003/comments", status=400,
                 body=(fixtures_dir / "facebook/token_expired.json").read_bytes(), content_type="application/json")
        report = _send(factory, _settings(facebook={"reply_enabled": True}))
    status, attempts, error = _state(factory, message_id)
    assert (status, attempts, report.retry) == ("menunggu", 0, 1)
    assert "PILAH_FB_PAGE_TOKEN" in error and "190" in error
    assert [action for action, _ in _actions(factory, message_id)] == ["outbox_attempt", "outbox_deferred"]


def test_x_503_is_uncertain_and_never_resent(factory, fixtures_dir: Path) -> None:
    message_id = _message(factory, "twitter", "1994000000000000044", "warga")
    settings = _settings(twitter={"reply_enabled": True})
    with responses.RequestsMock() as api:
        api.post(TWEETS, status=503, body=(fixtures_dir / "twitter/error_503.json").read_bytes(),
                 content_type="application/json")
        first = _send(factory, settings)
        _send(factory, settings)
        assert len(api.calls) == 1
    assert first.uncertain == 1 and _state(factory, message_id)[:2] == ("tak_pasti", 1)


def test_no_connection_is_retried_a_bounded_number_of_times(factory) -> None:
    message_id = _message(factory, "sms", "modem1:78", "+6281200000002")
    settings = _settings(sms={"send_url": "http://gateway.local/send"}, outbox={"max_attempts": 2})
    refused = _never_connected("Failed to establish a new connection: [Errno 111] Connection refused")
    with responses.RequestsMock() as api:
        api.post("http://gateway.local/send", body=refused)
        assert _send(factory, settings).retry == 1
        assert _state(factory, message_id)[:2] == ("menunggu", 1)
        assert _send(factory, settings).failed == 1
        _send(factory, settings)
        assert len(api.calls) == 2
    status, attempts, error = _state(factory, message_id)
    assert (status, attempts) == ("gagal", 2) and "Failed to establish" in error


def _never_connected(why: str, reason: type[NewConnectionError] = NewConnectionError) -> requests.ConnectionError:
    """The chain requests raises when no connection was made: ConnectionError(MaxRetryError(reason=...))."""
    cause = reason("gateway.local", None, OSError(why)) if reason is NameResolutionError else reason(None, why)
    return requests.ConnectionError(MaxRetryError(None, "/send", reason=cause))


def test_no_dns_answer_is_not_sent_and_one_uncertain_delivery_stops_the_channel(factory) -> None:
    first = _message(factory, "sms", "modem1:90", "+6281200000010")
    second = _message(factory, "sms", "modem1:91", "+6281200000011")
    settings = _settings(sms={"send_url": "http://gateway.local/send"}, outbox={"max_attempts": 3})
    with responses.RequestsMock() as api:
        api.post("http://gateway.local/send", body=_never_connected("Name or service not known", NameResolutionError))
        assert _send(factory, settings).retry == 2
        assert [_state(factory, m)[0] for m in (first, second)] == ["menunggu", "menunggu"]
    with responses.RequestsMock() as api:
        api.post("http://gateway.local/send", body=requests.ConnectionError("Connection reset by peer"))
        report = _send(factory, settings)
        assert report.uncertain == 1 and len(api.calls) == 1  # the second waits for the next run
    assert [_state(factory, m)[0] for m in (first, second)] == ["tak_pasti", "menunggu"]


def test_sms_goes_to_the_gateway_with_a_reference(factory, fixtures_dir: Path) -> None:
    message_id = _message(factory, "sms", "modem1:79", "+6281200000003")
    with responses.RequestsMock() as api:
        api.post("http://gateway.local/send", body=(fixtures_dir / "sms/gateway_sent.json").read_bytes(),
                 content_type="application/json")
        _send(factory, Settings(sms_webhook_secret="s3cret", channels={"sms": {"send_url": "http://gateway.local/send"}}))
        request = api.calls[0].request
    assert json.loads(request.body) == {"to": "+6281200000003", "text": QUESTION,
                                        "reference": f"pilah-outbox-{message_id}"}
    assert request.headers["X-Pilah-Signature"].startswith("sha256=")
    assert _state(factory, message_id) == ("terkirim", 1, None)


@pytest.mark.parametrize("minutes_later, expected", [(5, "mengirim"), (11, "tak_pasti")])
def test_a_crash_between_send_and_record_is_never_resent(factory, minutes_later: int, expected: str) -> None:
    """The attempt was committed, then the process died: whether it went out is unknown, so it is not resent."""
    message_id = _message(factory, "twitter", "1994000000000000045", "warga")
    with factory() as session, session.begin():
        assert q.claim_outbox_message(session, message_id, NOW) == 1
    with responses.RequestsMock() as api:
        _send(factory, _settings(twitter={"reply_enabled": True}), at=NOW + timedelta(minutes=minutes_later))
        assert not api.calls
    assert _state(factory, message_id)[:2] == (expected, 1)

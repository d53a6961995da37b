"""Sending the outbox: clarification requests from triage go back to the reporter on their channel.

Delivery is at most once. Before a message is handed to a channel its attempt is committed
(status `mengirim`, attempts + 1, an `outbox_attempt` audit event); the result is committed right
after. None of the APIs takes an idempotency key (X `POST /2/tweets`, Graph `POST /{id}/comments`;
an SMS gateway gets our `reference` and may deduplicate on it), so an attempt whose outcome is
unknown — a crash between sending and recording, a timeout or 5xx after the request left, a
dropped connection — is never resent by itself: it becomes `tak_pasti` for a person to check on
the channel. Only failures that prove nothing was sent (no connection could be made, a rate limit
or a credentials refusal before the post was accepted) put the message back to `menunggu`; those
and the per-message refusals (4xx) are bounded by `[channels.outbox] max_attempts`.

A channel whose sending is off (the default), lacks credentials or has no SMS gateway URL leaves
its messages waiting, with the reason in the message's `error` column.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import requests
from sqlalchemy.orm import Session, sessionmaker
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from ingest.errors import ChannelError, CredentialsMissing, CredentialsRejected, RateLimited
from ingest.stopping import stop_requested
from pilah.queries import channel as q

log = logging.getLogger(__name__)


class SendingOff(Exception):
    """This channel does not send (setting off, credentials or gateway missing): messages keep waiting."""


class DeliveryUnknown(Exception):
    """The request may have reached the channel: the message is not resent automatically."""


class NotSent(Exception):
    """Proven not sent (no connection was made): the message waits for the next run."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What a sender needs of an outbox row (plain values: the session is closed while sending)."""

    id: int
    channel: str
    recipient: str | None
    in_reply_to: str | None
    body: str

    @property
    def reference(self) -> str:
        return f"pilah-outbox-{self.id}"


class Sender(Protocol):
    channel: str

    def send(self, message: Outgoing) -> str | None:
        """Deliver one message; the channel's id for it. Raises ChannelError, NotSent or DeliveryUnknown."""
        ...


@dataclass(slots=True)
class OutboxReport:
    sent: int = 0
    failed: int = 0
    retry: int = 0
    uncertain: int = 0
    waiting: dict[str, str] = field(default_factory=dict)


class XReplySender:
    """A reply tweet: tweepy `create_tweet(in_reply_to_tweet_id=...)` under OAuth 1.0a user context."""

    channel = "twitter"

    def __init__(self, client: Any) -> None:
        self.client = client

    def send(self, message: Outgoing) -> str | None:
        if not message.in_reply_to:
            raise ValueError("no tweet id to reply to")
        try:
            response = _guarded(lambda: self.client.reply(message.body, message.in_reply_to))
        except CredentialsRejected as exc:
            if getattr(_root(exc), "response", None) is None or _root(exc).response.status_code != 403:
                raise
            # On POST /2/tweets a 403 refuses this reply (duplicate text, replies limited by the author), not the keys.
            raise ChannelError(f"X menolak balasan ini (403) / X refused this reply: {exc}", channel="twitter") from exc
        return _id_in(response.content, "data")


class FacebookCommentSender:
    """A Page comment under the reporter's post or comment: Graph `POST /{id}/comments`."""

    channel = "facebook"

    def __init__(self, client: Any) -> None:
        self.client = client

    def send(self, message: Outgoing) -> str | None:
        if not message.in_reply_to:
            raise ValueError("no post or comment id to reply to")
        response = _guarded(lambda: self.client.comment(message.in_reply_to, message.body))
        return _id_in(response.content, None)


class SmsGatewaySender:
    """POST {to, text, reference} as JSON to the gateway's send URL, signed like the inbound webhook."""

    channel = "sms"

    def __init__(self, url: str, secret: bytes | None, session: requests.Session | None = None) -> None:
        self.url = url
        self.secret = secret
        self.session = session or requests.Session()

    def send(self, message: Outgoing) -> str | None:
        if not message.recipient:
            raise ValueError("no phone number to send to")
        body = json.dumps({"to": message.recipient, "text": message.body, "reference": message.reference}).encode()
        headers = {"Content-Type": "application/json"}
        if self.secret:
            stamp = str(int(time.time()))
            digest = hmac.new(self.secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            headers.update({"X-Pilah-Timestamp": stamp, "X-Pilah-Signature": f"sha256={digest}"})
        try:
            response = self.session.post(self.url, data=body, headers=headers, timeout=30)
        except requests.RequestException as exc:
            raise _unknown_or_not_sent(exc) from exc
        if response.status_code >= 500:
            raise DeliveryUnknown(f"SMS gateway answered {response.status_code}")
        if response.status_code >= 400:
            raise ChannelError(f"SMS gateway refused ({response.status_code}): {response.text[:200]}", channel="sms")
        return _id_in(response.content, None)


def build_senders(settings: Any) -> tuple[dict[str, Sender], dict[str, str]]:
    """The channels that can send now, and why each of the others cannot."""
    senders: dict[str, Sender] = {}
    off: dict[str, str] = {}
    for channel, builder in _BUILDERS.items():
        try:
            senders[channel] = builder(settings)
        except (SendingOff, CredentialsMissing) as exc:
            off[channel] = str(exc)
    return senders, off


def send_outbox(factory: sessionmaker[Session], settings: Any, senders: dict[str, Sender] | None = None,
                off: dict[str, str] | None = None, now: Callable[[], datetime] | None = None) -> OutboxReport:
    """One pass over the waiting messages, oldest first; never sends a message twice."""
    if senders is None:
        senders, off = build_senders(settings)
    off = dict(off or {})
    clock = now or (lambda: datetime.now(UTC))
    options = settings.channels.outbox
    report = OutboxReport()
    report.uncertain += _expire_unfinished(factory, clock(), timedelta(seconds=options.uncertain_after_seconds))
    with factory() as session:
        due = [Outgoing(m.id, m.channel, m.recipient, m.in_reply_to, m.body)
               for m in q.outbox_due(session, options.batch_size)]
    for message in due:
        if stop_requested():
            break
        sender = senders.get(message.channel)
        if sender is None:
            reason = off.get(message.channel) or f"kanal {message.channel} tidak bisa membalas / cannot reply"
            report.waiting[message.channel] = reason
            with factory() as session, session.begin():
                q.note_outbox_waiting(session, message.id, reason)
            continue
        outcome = _send_one(factory, sender, message, options.max_attempts, clock)
        if outcome in ("stop", "retry"):
            report.retry += 1
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
        if outcome in ("stop", "uncertain"):
            # Also after an uncertain delivery: the next messages would most likely meet the same fault,
            # and each would wait for a person to check the channel by hand.
            off[message.channel] = "stopped for this run"
            senders = {k: v for k, v in senders.items() if k != message.channel}
    return report


def _send_one(factory: sessionmaker[Session], sender: Sender, message: Outgoing, max_attempts: int,
              clock: Callable[[], datetime]) -> str:
    with factory() as session, session.begin():
        attempt = q.claim_outbox_message(session, message.id, clock())
    if attempt is None:
        return "retry"  # another process took it
    status, error, details, undo, outcome = q.OUTBOX_SENT, None, {}, False, "sent"
    try:
        details = {"external_id": sender.send(message), "attempt": attempt}
    except DeliveryUnknown as exc:
        status, error, outcome = q.OUTBOX_UNCERTAIN, f"tidak pasti terkirim / delivery unknown: {exc}", "uncertain"
    except (RateLimited, CredentialsRejected) as exc:
        # Refused before anything was posted, for reasons outside this message: wait, and do not use up attempts.
        status, error, undo, outcome = q.OUTBOX_WAITING, f"[{exc.code}] {exc}", True, "stop"
    except (NotSent, ChannelError, ValueError) as exc:
        error = f"[{getattr(exc, 'code', 'not_sent')}] {exc}"
        if attempt < max_attempts and isinstance(exc, NotSent):
            status, outcome = q.OUTBOX_WAITING, "retry"
        else:
            status, outcome = q.OUTBOX_FAILED, "failed"
    with factory() as session, session.begin():
        q.settle_outbox_message(session, message.id, status, clock(), error=error, details=details,
                                undo_attempt=undo)
    log.info("outbox %s via %s: %s%s", message.id, sender.channel, status, f" ({error})" if error else "")
    return outcome


def _expire_unfinished(factory: sessionmaker[Session], now: datetime, after: timedelta) -> int:
    """Messages left 'mengirim' by a process that stopped mid-send: unknown whether they went out."""
    expired = 0
    with factory() as session, session.begin():
        for message in q.outbox_sending(session):
            started = q.last_outbox_attempt(session, message.id)
            if started is None or now - started >= after:
                q.settle_outbox_message(
                    session, message.id, q.OUTBOX_UNCERTAIN, now,
                    error="proses berhenti saat mengirim; periksa di kanal apakah balasan terkirim / the process "
                          "stopped while sending: check on the channel whether the reply went out")
                expired += 1
    return expired


def _guarded(call: Callable[[], requests.Response]) -> requests.Response:
    """Transport failures and 5xx from a channel client, sorted into proven-not-sent and unknown."""
    try:
        return call()
    except ChannelError as exc:
        if exc.code not in ("channel_transient", "channel_unavailable"):
            raise
        root = _root(exc)
        if isinstance(root, requests.RequestException):
            raise _unknown_or_not_sent(root) from exc
        raise DeliveryUnknown(str(exc)) from exc


def _unknown_or_not_sent(exc: BaseException) -> Exception:
    if _never_connected(exc):
        return NotSent(f"koneksi tidak terbentuk / no connection: {exc}")
    return DeliveryUnknown(str(exc))


def _never_connected(exc: BaseException) -> bool:
    """Whether the request failed before a connection existed (no DNS answer, refused, connect timeout):
    then nothing can have reached the channel. Looked for in the whole chain of causes, as requests
    wraps urllib3's errors (MaxRetryError.reason) rather than raising them."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        error = stack.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, (requests.ConnectTimeout, NewConnectionError, ConnectTimeoutError)):
            return True
        reason = getattr(error, "reason", None)
        stack += [error.__cause__, error.__context__, reason if isinstance(reason, BaseException) else None,
                  *(arg for arg in error.args if isinstance(arg, BaseException))]
    return False


def _root(exc: BaseException) -> BaseException:
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return exc


def _id_in(body: bytes, key: str | None) -> str | None:
    """X answers {"data": {"id": ...}}; Graph and most gateways {"id": ...}. None when the answer has no id:
    the message was accepted all the same, so an odd body must not turn a sent message into a failed one."""
    try:
        document = json.loads(body.decode("utf-8")) if body else {}
    except ValueError:
        return None
    if key is not None and isinstance(document, dict):
        document = document.get(key) or {}
    value = document.get("id") if isinstance(document, dict) else None
    return str(value) if value is not None else None


def _x_sender(settings: Any) -> Sender:
    if not settings.channels.twitter.reply_enabled:
        raise SendingOff("balasan X nonaktif: set [channels.twitter] reply_enabled = true / X replies are off")
    from ingest.twitter.client import XClient
    client = XClient.from_settings(settings, max_attempts=1)
    if not client.client.access_token or not client.client.access_token_secret:
        raise CredentialsMissing("membalas di X perlu PILAH_X_CONSUMER_KEY, PILAH_X_CONSUMER_SECRET, "
                                 "PILAH_X_ACCESS_TOKEN, PILAH_X_ACCESS_TOKEN_SECRET (OAuth 1.0a) / X replies "
                                 "need user-context credentials", channel="twitter")
    return XReplySender(client)


def _facebook_sender(settings: Any) -> Sender:
    if not settings.channels.facebook.reply_enabled:
        raise SendingOff("balasan Facebook nonaktif: set [channels.facebook] reply_enabled = true / "
                         "Facebook replies are off")
    from ingest.facebook.client import GraphClient
    return FacebookCommentSender(GraphClient.from_settings(settings, max_attempts=1))


def _sms_sender(settings: Any) -> Sender:
    url = settings.channels.sms.send_url
    if not url:
        raise SendingOff("belum ada gateway pengirim SMS: set [channels.sms] send_url / no SMS gateway send URL")
    secret = settings.sms_webhook_secret
    return SmsGatewaySender(url, secret.get_secret_value().encode() if secret else None)


_BUILDERS: dict[str, Callable[[Any], Sender]] = {"twitter": _x_sender, "facebook": _facebook_sender,
                                                 "sms": _sms_sender}

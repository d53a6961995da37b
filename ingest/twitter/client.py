"""X API v2 endpoint calls through tweepy.Client, with errors turned into pilah's channel errors.

tweepy does the HTTP; it returns the raw `requests.Response` so the body can be stored byte for
byte before anything parses it. tweepy's own rate-limit sleeping is off: the one policy in
`ingest.ratelimit` decides (a scheduled run stops instead of sleeping 15 minutes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import requests
import tweepy

from ingest.errors import (
    ChannelError,
    CredentialsMissing,
    CredentialsRejected,
    RateLimited,
    RequestRejected,
    TransientChannelError,
)
from ingest.ratelimit import RatePolicy, Window

CHANNEL = "twitter"
REQUEST_TIMEOUT_SECONDS = 60
EXPANSIONS = ["author_id", "referenced_tweets.id", "geo.place_id", "attachments.media_keys"]
TWEET_FIELDS = ["created_at", "lang", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "geo",
                "entities", "public_metrics", "author_id", "note_tweet"]
USER_FIELDS = ["id", "name", "username", "location", "verified"]
PLACE_FIELDS = ["id", "full_name", "name", "country", "country_code", "place_type", "geo"]
MEDIA_FIELDS = ["media_key", "type", "url"]
OAUTH_VARIABLES = ("PILAH_X_CONSUMER_KEY", "PILAH_X_CONSUMER_SECRET", "PILAH_X_ACCESS_TOKEN",
                   "PILAH_X_ACCESS_TOKEN_SECRET")


def read_window(headers: Mapping[str, str], now: float) -> Window | None:
    """X sends x-rate-limit-remaining and x-rate-limit-reset (unix seconds) on every v2 response."""
    remaining, reset = headers.get("x-rate-limit-remaining"), headers.get("x-rate-limit-reset")
    if remaining is None:
        return None
    return Window(int(remaining), float(reset) if reset else None)


class XClient:
    """The endpoint layer: one method per X API v2 call pilah makes, each returning the raw response."""

    def __init__(self, client: tweepy.Client, policy: RatePolicy, *, user_auth: bool) -> None:
        self.client = client
        self.policy = policy
        self.user_auth = user_auth

    @classmethod
    def from_settings(cls, settings: Any, **policy_options: Any) -> XClient:
        """App auth with PILAH_X_BEARER_TOKEN, else OAuth 1.0a user context with the four PILAH_X_* values."""
        secrets = {name: _reveal(getattr(settings, name)) for name in
                   ("x_bearer_token", "x_consumer_key", "x_consumer_secret", "x_access_token", "x_access_token_secret")}
        user_auth = not secrets["x_bearer_token"]
        if user_auth and not all(secrets[n] for n in secrets if n != "x_bearer_token"):
            raise CredentialsMissing(
                "kredensial X belum diisi: set PILAH_X_BEARER_TOKEN (atau keempat PILAH_X_CONSUMER_KEY, "
                "PILAH_X_CONSUMER_SECRET, PILAH_X_ACCESS_TOKEN, PILAH_X_ACCESS_TOKEN_SECRET) / X credentials not set",
                channel=CHANNEL)
        client = tweepy.Client(
            bearer_token=secrets["x_bearer_token"], consumer_key=secrets["x_consumer_key"],
            consumer_secret=secrets["x_consumer_secret"], access_token=secrets["x_access_token"],
            access_token_secret=secrets["x_access_token_secret"], return_type=requests.Response,
            wait_on_rate_limit=False,
        )
        # tweepy sets no timeout; a hung connection must become a retryable error, not a stuck scheduler.
        client.session.request = partial(client.session.request, timeout=REQUEST_TIMEOUT_SECONDS)
        return cls(client, RatePolicy(CHANNEL, read_window, **policy_options), user_auth=user_auth)

    def user_by_username(self, username: str) -> requests.Response:
        return self._call("GET /2/users/by/username/:username", self.client.get_user, username=username)

    def mentions(self, user_id: str, *, since_id: str | None, token: str | None, max_results: int
                 ) -> requests.Response:
        return self._call("GET /2/users/:id/mentions", self.client.get_users_mentions, id=user_id,
                          since_id=since_id, pagination_token=token, max_results=max(5, max_results),
                          **_fields())

    def search(self, query: str, *, since_id: str | None, token: str | None, max_results: int) -> requests.Response:
        return self._call("GET /2/tweets/search/recent", self.client.search_recent_tweets, query=query,
                          since_id=since_id, next_token=token, max_results=max(10, max_results), **_fields())

    def reply(self, text: str, in_reply_to_tweet_id: str) -> requests.Response:
        """Post a reply (needs OAuth 1.0a user context: an app bearer token cannot tweet)."""
        if not self.user_auth and not self.client.access_token:
            raise CredentialsMissing("membalas di X perlu PILAH_X_ACCESS_TOKEN dan PILAH_X_ACCESS_TOKEN_SECRET "
                                     "/ replying needs OAuth 1.0a user credentials", channel=CHANNEL)
        return self._call("POST /2/tweets", self.client.create_tweet, text=text,
                          in_reply_to_tweet_id=in_reply_to_tweet_id, user_auth=True)

    def _call(self, endpoint: str, method: Callable[..., Any], **params: Any) -> requests.Response:
        params = {key: value for key, value in params.items() if value is not None}
        if self.user_auth and "user_auth" not in params:
            params["user_auth"] = True
        return self.policy.call(lambda: _translated(endpoint, self.user_auth, method, params), endpoint)


def _fields() -> dict[str, list[str]]:
    return {"expansions": EXPANSIONS, "tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS,
            "place_fields": PLACE_FIELDS, "media_fields": MEDIA_FIELDS}


def _translated(endpoint: str, user_auth: bool, method: Callable[..., Any], params: dict[str, Any]
                ) -> requests.Response:
    """tweepy's and requests' exceptions → pilah's channel errors (which the policy knows how to treat)."""
    try:
        return method(**params)
    except tweepy.TooManyRequests as exc:
        raise RateLimited(f"X membatasi panggilan (429) / X rate limit reached: {_detail(exc)}", channel=CHANNEL,
                          endpoint=endpoint, reset_at=_reset_at(exc.response)) from exc
    except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
        raise CredentialsRejected(_credential_message(exc, user_auth), channel=CHANNEL, endpoint=endpoint) from exc
    except tweepy.TwitterServerError as exc:
        raise TransientChannelError(f"X server error {exc.response.status_code}", channel=CHANNEL,
                                    endpoint=endpoint) from exc
    except (tweepy.BadRequest, tweepy.NotFound) as exc:
        raise RequestRejected(f"X menolak permintaan / X rejected the request: {_detail(exc)}", channel=CHANNEL,
                              endpoint=endpoint) from exc
    except tweepy.HTTPException as exc:
        raise ChannelError(f"X answered {exc.response.status_code}: {_detail(exc)}", channel=CHANNEL,
                           endpoint=endpoint) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise TransientChannelError(f"koneksi ke X gagal / connection to X failed: {exc}", channel=CHANNEL,
                                    endpoint=endpoint) from exc


def _credential_message(exc: tweepy.HTTPException, user_auth: bool) -> str:
    variables = ", ".join(OAUTH_VARIABLES) if user_auth else "PILAH_X_BEARER_TOKEN"
    if exc.response.status_code == 401:
        return (f"X menolak kredensial (401): periksa atau buat ulang {variables} di developer portal X / "
                f"X rejected the credentials: renew {variables}")
    return (f"X menolak akses (403): tingkat akses API (Basic/Pro) atau izin aplikasi tidak cukup untuk endpoint ini; "
            f"periksa {variables} / X refused access: check the API access level and {variables}: {_detail(exc)}")


def _detail(exc: tweepy.HTTPException) -> str:
    try:
        body = exc.response.json()
    except ValueError:
        return exc.response.text[:200]
    if not isinstance(body, dict):
        return str(body)[:300]
    # X names the parameter it refused in errors[].message ("... 'since_id' must be ..."), not in detail.
    messages = [e.get("message") for e in body.get("errors") or () if isinstance(e, dict) and e.get("message")]
    return "; ".join(messages or [str(body.get("detail") or body.get("title") or body)])[:300]


def _reset_at(response: requests.Response) -> float | None:
    reset = response.headers.get("x-rate-limit-reset")
    return float(reset) if reset else None


def _reveal(secret: Any) -> str | None:
    return secret.get_secret_value() if secret is not None else None

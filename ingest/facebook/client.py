"""Graph API endpoint calls over `requests`, with Graph error codes turned into pilah's channel errors.

Codes (https://developers.facebook.com/docs/graph-api/guides/error-handling): 190 token
invalid/expired and 10/200-299 missing permission → a person must act; 4, 17, 32, 613, 80001
rate limits → checkpoint and stop; 1, 2 and HTTP 5xx → retry; 100 invalid parameter → the
request is refused and its answer quarantined.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import requests

from ingest.errors import ChannelError, CredentialsMissing, CredentialsRejected, RateLimited, RequestRejected
from ingest.errors import TransientChannelError as Transient
from ingest.facebook.payload import graph_error
from ingest.ratelimit import RatePolicy, Window

CHANNEL = "facebook"
GRAPH = "https://graph.facebook.com"
COMMENT_FIELDS = "id,message,created_time,from,permalink_url,parent,comment_count"
FEED_FIELDS = (f"id,message,created_time,from,permalink_url,"
               f"comments.limit(100){{{COMMENT_FIELDS},comments.limit(100){{{COMMENT_FIELDS}}}}}")
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001}
CREDENTIAL_CODES = {190, 102, 10}
TRANSIENT_CODES = {1, 2}
USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage")


def read_window(headers: Mapping[str, str], now: float) -> Window | None:
    """Graph reports usage as percentages; at 100% the app or page is throttled."""
    usages = [usage for name in USAGE_HEADERS if name in headers for usage in _usages(headers[name])]
    if not usages:
        return None
    percent = max(max(u.get(k, 0) or 0 for k in ("call_count", "total_cputime", "total_time")) for u in usages)
    minutes = max((u.get("estimated_time_to_regain_access") or 0) for u in usages)
    return Window(0 if percent >= 100 else 1, now + minutes * 60 if minutes else None)


def _usages(header: str) -> list[dict[str, Any]]:
    try:
        value = json.loads(header)
    except ValueError:
        return []
    if isinstance(value, dict) and all(isinstance(v, list) for v in value.values()):
        return [u for items in value.values() for u in items if isinstance(u, dict)]
    return [value] if isinstance(value, dict) else []


class GraphClient:
    """The endpoint layer: GET a page of an edge, return the raw response."""

    def __init__(self, token: str, version: str, policy: RatePolicy, session: requests.Session | None = None) -> None:
        self.version = version
        self.policy = policy
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"OAuth {token}"

    @classmethod
    def from_settings(cls, settings: Any, **policy_options: Any) -> GraphClient:
        if settings.fb_page_token is None:
            raise CredentialsMissing("token Halaman Facebook belum diisi: set PILAH_FB_PAGE_TOKEN / "
                                     "Facebook Page token not set", channel=CHANNEL)
        return cls(settings.fb_page_token.get_secret_value(), settings.channels.facebook.api_version,
                   RatePolicy(CHANNEL, read_window, **policy_options))

    def edge(self, node_id: str, edge: str, params: dict[str, Any]) -> requests.Response:
        """GET /{version}/{node}/{edge}, e.g. a page's feed or tagged posts, or a post's comments."""
        endpoint = f"GET /{node_id}/{edge}"
        url = f"{GRAPH}/{self.version}/{node_id}/{edge}"
        return self.policy.call(lambda: self._request("GET", url, endpoint, params=params), endpoint)

    def comment(self, node_id: str, message: str) -> requests.Response:
        """POST /{version}/{post-or-comment}/comments: a Page reply (token needs pages_manage_engagement).

        Answers `{"id": "..."}`. The Graph API has no idempotency key, so the caller must not retry
        blindly: see ingest.outbox.
        """
        endpoint = f"POST /{node_id}/comments"
        url = f"{GRAPH}/{self.version}/{node_id}/comments"
        return self.policy.call(lambda: self._request("POST", url, endpoint, data={"message": message}), endpoint)

    def close(self) -> None:
        self.session.close()

    def _request(self, method: str, url: str, endpoint: str, **fields: Any) -> requests.Response:
        try:
            response = self.session.request(method, url, timeout=60, **fields)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Transient(f"koneksi ke Facebook gagal / connection to Facebook failed: {exc}", channel=CHANNEL,
                            endpoint=endpoint) from exc
        if response.status_code >= 400:
            raise _translate(response, endpoint, self.policy.clock())
        return response


def _translate(response: requests.Response, endpoint: str, now: float) -> ChannelError:
    error = graph_error(response.content) or {}
    code, message = error.get("code"), str(error.get("message", response.reason))[:300]
    where = {"channel": CHANNEL, "endpoint": endpoint}
    if code in CREDENTIAL_CODES or 200 <= (code or 0) <= 299:
        return CredentialsRejected(
            f"Facebook menolak token (kode {code}): buat token Halaman baru (izin pages_read_engagement, "
            f"pages_read_user_content) dan set PILAH_FB_PAGE_TOKEN / Facebook rejected the Page token: {message}",
            **where)
    if code in RATE_LIMIT_CODES:
        window = read_window(response.headers, now)
        return RateLimited(f"Facebook membatasi panggilan (kode {code}) / Facebook rate limit: {message}",
                           reset_at=window.reset_at if window else None, **where)
    if code in TRANSIENT_CODES or response.status_code >= 500:
        return Transient(f"Facebook error {response.status_code} (kode {code}): {message}", **where)
    if code == 100:
        return RequestRejected(f"Facebook menolak parameter (kode 100) / invalid parameter: {message}",
                               body=response.content, **where)
    return ChannelError(f"Facebook answered {response.status_code} (kode {code}): {message}", **where)

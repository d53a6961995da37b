"""The comment sweep: new comments on older Page posts, which the feed's `since` no longer reaches.

The feed collector reads a post's comments when the post first appears; a citizen who comments a
week later on an announcement is not in any newer feed page. The sweep lists the posts of the
last `sweep_days` (`GET /{page-id}/feed` and `/tagged` with `since`, fields `id,created_time,
updated_time` only) and reads each post's comments with that post's own `since` checkpoint
(`facebook:sweep`, key post id), skipping a post whose `updated_time` shows no activity since
its last sweep. Comment pages go through the one ingest path like every other page; the listing
holds no content (ids and times only), so it is not stored.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import partial
from typing import Any

from ingest.collectors import store_page
from ingest.errors import CollectorNotConfigured, MalformedPage, RequestRejected
from ingest.facebook.client import COMMENT_FIELDS, GraphClient
from ingest.facebook.collector import EDGES, FacebookCollector
from ingest.facebook.payload import PageMeta, page_meta, parse_page
from ingest.payload_checks import load_json_object, parse_iso_utc
from ingest.records import CheckpointAdvance, IngestOutcome

SWEEP = "facebook:sweep"
LISTING_FIELDS = "id,created_time,updated_time"


class FacebookCommentSweep(FacebookCollector):
    source = "facebook-sweep"

    def collect(self, outcome: IngestOutcome) -> None:
        """A refused or unreadable post only skips itself; token and rate-limit errors stop the sweep."""
        failures: list[Exception] = []
        for page_id in self.options.pages:
            for post_id, updated in self._recent_posts(page_id):
                try:
                    self._sweep_post(page_id, post_id, updated, outcome)
                except (MalformedPage, RequestRejected) as exc:
                    failures.append(exc)
        if failures:
            raise failures[0]

    def _recent_posts(self, page_id: str) -> list[tuple[str, int | None]]:
        cutoff = int((self.now() - timedelta(days=self.options.sweep_days)).timestamp())
        posts: list[tuple[str, int | None]] = []
        for edge in EDGES:
            params: dict[str, Any] = {"fields": LISTING_FIELDS, "limit": 100, "since": cutoff}
            for _ in range(self.options.max_pages_per_run):
                body = self.client.edge(page_id, edge, params).content
                try:
                    items, following = _listing(body)
                except ValueError as exc:
                    raise MalformedPage(f"daftar post Facebook tidak terbaca / unreadable post listing: {exc}",
                                        channel=self.source, endpoint=f"GET /{page_id}/{edge}") from exc
                posts.extend(items)
                if not following:
                    break
                params = {**params, **following}
        return posts

    def _sweep_post(self, page_id: str, post_id: str, updated: int | None, outcome: IngestOutcome) -> None:
        state = self._state(SWEEP, post_id)
        if updated is not None and state.get("since") and not state.get("next") and updated <= state["since"]:
            return  # no comment under this post since it was last swept
        for _ in range(self.options.max_pages_per_run):
            endpoint = f"GET /{post_id}/comments"
            body, params, state = self._fetch_page(post_id, "comments", state, outcome, COMMENT_FIELDS, filter="stream")
            meta = self._meta(body, page_id, endpoint, params, outcome)
            state = _next_sweep_state(state, meta)
            checkpoint = CheckpointAdvance(SWEEP, post_id, json.dumps(state, sort_keys=True))
            outcome.add(store_page(self.factory, body, self._provenance(endpoint, params),
                                   partial(parse_page, page_ids=(page_id,)), checkpoint))
            if not state.get("next"):
                return


def _next_sweep_state(state: dict[str, Any], meta: PageMeta) -> dict[str, Any]:
    """Like the feed's, but comments come oldest first: the pass's newest time is the maximum over its pages."""
    newest = max((t for t in (state.get("newest"), meta.newest_time) if t is not None), default=None)
    if meta.next_params:
        return {"since": state.get("since"), "newest": newest, "next": meta.next_params}
    return {"since": newest or state.get("since")}


def _listing(body: bytes) -> tuple[list[tuple[str, int | None]], dict[str, str]]:
    """(post id, unix updated_time) per listed post, and the paging parameters of the next listing page."""
    items = load_json_object(body).get("data")
    if not isinstance(items, list):
        raise ValueError("'data' should be a list of posts")
    posts = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            updated = item.get("updated_time")
            posts.append((item["id"], int(parse_iso_utc(updated).timestamp()) if isinstance(updated, str) else None))
    return posts, page_meta(body).next_params


def build(settings: Any, factory: Any, **policy_options: Any) -> FacebookCommentSweep:
    options = settings.channels.facebook
    if not options.pages:
        raise CollectorNotConfigured("tidak ada Halaman di [channels.facebook] pages / no Facebook Pages configured")
    if not options.sweep_days:
        raise CollectorNotConfigured("sapuan komentar nonaktif ([channels.facebook] sweep_days = 0) / comment "
                                     "sweep off")
    clock = policy_options.pop("now", None)
    return FacebookCommentSweep(GraphClient.from_settings(settings, **policy_options), factory, settings, clock)

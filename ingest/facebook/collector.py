"""The Facebook collector: each configured Page's feed and the visitor posts that tag it, with comments.

A source (page × edge) keeps the checkpoint `{"since", "newest", "next"}`: `since` is the unix time
the Graph API filters on, `newest` the newest item of the pass in progress, `next` the paging
parameters of the page still to read. Comments that did not fit inline are read from
`/{post-id}/comments` *before* the feed page that lists their post is committed, so a crash
between the two makes the re-run read them again rather than skip them.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ingest.collectors import store_page
from ingest.errors import CollectorNotConfigured, MalformedPage, RequestRejected
from ingest.facebook.client import CHANNEL, COMMENT_FIELDS, FEED_FIELDS, GraphClient
from ingest.facebook.payload import PageMeta, page_meta, parse_page
from ingest.records import CheckpointAdvance, IngestOutcome, Provenance
from pilah.queries.channel import get_checkpoint

log = logging.getLogger(__name__)

EDGES = ("feed", "tagged")


class FacebookCollector:
    source = CHANNEL

    def __init__(self, client: GraphClient, factory: sessionmaker[Session], settings: Any, clock: Any = None) -> None:
        self.client = client
        self.factory = factory
        self.options = settings.channels.facebook
        self.now = clock or (lambda: datetime.now(UTC))

    def open(self) -> None:
        """Nothing to open: requests connects per call."""

    def close(self) -> None:
        self.client.close()

    def collect(self, outcome: IngestOutcome) -> None:
        """Token and rate-limit errors stop the run; a refused or unreadable source only skips itself."""
        failures: list[Exception] = []
        for page_id in self.options.pages:
            for edge in EDGES:
                try:
                    self._collect_edge(page_id, edge, outcome)
                except (MalformedPage, RequestRejected) as exc:
                    log.error("facebook %s/%s skipped this run: %s", page_id, edge, exc)
                    failures.append(exc)
        if failures:
            raise failures[0]

    def _collect_edge(self, page_id: str, edge: str, outcome: IngestOutcome) -> None:
        collector = f"facebook:{edge}"
        state = self._state(collector, page_id)
        for _ in range(self.options.max_pages_per_run):
            body, params, state = self._fetch_page(page_id, edge, state, outcome, FEED_FIELDS)
            meta = self._meta(body, page_id, f"GET /{page_id}/{edge}", params, outcome)
            for post_id in meta.more_comments:
                self._comments(page_id, post_id, outcome)
            state = _next_state(state, meta)
            checkpoint = CheckpointAdvance(collector, page_id, json.dumps(state, sort_keys=True))
            outcome.add(store_page(self.factory, body, self._provenance(f"GET /{page_id}/{edge}", params),
                                   partial(parse_page, page_ids=(page_id,)), checkpoint))
            if not state.get("next"):
                return

    def _comments(self, page_id: str, post_id: str, outcome: IngestOutcome) -> None:
        """All comments and replies of one post (filter=stream flattens replies, each naming its parent)."""
        state: dict[str, Any] = {}
        for _ in range(self.options.max_pages_per_run):
            params = {**self._params(COMMENT_FIELDS, state), "filter": "stream"}
            try:
                body = self._fetch(post_id, "comments", params, outcome)
                meta = self._meta(body, page_id, f"GET /{post_id}/comments", params, outcome)
            except (RequestRejected, MalformedPage) as exc:
                log.warning("facebook comments of %s skipped: %s", post_id, exc)
                return
            outcome.add(store_page(self.factory, body, self._provenance(f"GET /{post_id}/comments", params),
                                   partial(parse_page, page_ids=(page_id,))))
            state = {"next": meta.next_params} if meta.next_params else {}
            if not state:
                return

    def _fetch_page(self, node_id: str, edge: str, state: dict[str, Any], outcome: IngestOutcome, fields: str,
                    **extra: Any) -> tuple[bytes, dict[str, Any], dict[str, Any]]:
        """(body, params, state) of the next page. Graph paging cursors expire: a stored one that is
        refused starts the pass again from ``since`` (re-reads are idempotent) instead of failing the
        edge on every run."""
        params = {**self._params(fields, state), **extra}
        try:
            return self._fetch(node_id, edge, params, outcome), params, state
        except RequestRejected:
            if not state.get("next"):
                raise
            log.warning("facebook %s/%s: paging cursor refused, restarting from since", node_id, edge)
            state = {key: value for key, value in state.items() if key not in ("next", "newest")}
            params = {**self._params(fields, state), **extra}
            return self._fetch(node_id, edge, params, outcome), params, state

    def _fetch(self, node_id: str, edge: str, params: dict[str, Any], outcome: IngestOutcome) -> bytes:
        try:
            return self.client.edge(node_id, edge, params).content
        except RequestRejected as exc:
            if exc.body:  # keep the refused request's answer, with its reason, in quarantine
                outcome.add(store_page(self.factory, exc.body, self._provenance(exc.endpoint, params), parse_page))
            raise

    def _meta(self, body: bytes, page_id: str, endpoint: str, params: dict[str, Any],
              outcome: IngestOutcome) -> PageMeta:
        try:
            return page_meta(body)
        except ValueError as exc:
            outcome.add(store_page(self.factory, body, self._provenance(endpoint, params),
                                   partial(parse_page, page_ids=(page_id,))))
            raise MalformedPage(f"halaman Facebook tidak terbaca, dikarantina / unreadable Graph page: {exc}",
                                channel=CHANNEL, endpoint=endpoint) from exc

    def _params(self, fields: str, state: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {"fields": fields, "limit": self.options.page_size}
        if state.get("since"):
            params["since"] = state["since"]
        params.update(state.get("next") or {})
        return params

    def _provenance(self, endpoint: str, params: dict[str, Any]) -> Provenance:
        return Provenance(CHANNEL, endpoint, self.now(), {k: v for k, v in params.items() if k != "fields"})

    def _state(self, collector: str, page_id: str) -> dict[str, Any]:
        with self.factory() as session:
            value = get_checkpoint(session, collector, page_id)
        return json.loads(value) if value else {}


def _next_state(state: dict[str, Any], meta: PageMeta) -> dict[str, Any]:
    newest = state.get("newest") if state.get("next") else meta.newest_time
    if meta.next_params:
        return {"since": state.get("since"), "newest": newest, "next": meta.next_params}
    return {"since": newest or state.get("since")}


def build(settings: Any, factory: sessionmaker[Session], **policy_options: Any) -> FacebookCollector:
    if not settings.channels.facebook.pages:
        raise CollectorNotConfigured("tidak ada Halaman di [channels.facebook] pages / no Facebook Pages configured")
    clock = policy_options.pop("now", None)
    return FacebookCollector(GraphClient.from_settings(settings, **policy_options), factory, settings, clock)

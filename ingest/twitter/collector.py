"""The X collector: mentions of each configured account and each recent-search query, page by page.

A source's checkpoint is JSON `{"since_id", "newest", "next"}`. X returns newest first, so the
first page of a pass names the id the *next* pass starts after (`newest`), but `since_id` may
only move there once the last page of this pass is stored; until then `next` (the pagination
token) says where to continue. A crash or a rate limit mid-pass therefore resumes where it
stopped and never skips the older tweets of an unfinished pass.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ingest.collectors import store_page
from ingest.errors import BudgetExhausted, CollectorNotConfigured, MalformedPage, RequestRejected
from ingest.records import CheckpointAdvance, IngestOutcome, Provenance
from ingest.twitter.client import CHANNEL, XClient
from ingest.twitter.payload import PageMeta, page_meta, parse_page, user_id_from_lookup
from pilah.queries.channel import get_checkpoint, set_checkpoint

log = logging.getLogger(__name__)

MENTIONS = "twitter:mentions"
SEARCH = "twitter:search"
USER_IDS = "twitter:user-id"
BUDGET = "twitter:budget"


@dataclass(frozen=True, slots=True)
class Source:
    """One thing to read: an account's mentions or a search query."""

    collector: str
    name: str

    @property
    def key(self) -> str:
        """Checkpoint key: the name itself, or its hash when it is too long for the column."""
        return self.name if len(self.name) <= 200 else "sha256:" + hashlib.sha256(self.name.encode()).hexdigest()


class XCollector:
    """Collects from X into the one ingest path; never sleeps out a rate-limit window."""

    source = CHANNEL

    def __init__(self, client: XClient, factory: sessionmaker[Session], settings: Any,
                 clock: Any = None) -> None:
        self.client = client
        self.factory = factory
        self.options = settings.channels.twitter
        self.now = clock or (lambda: datetime.now(UTC))
        self.sources = [Source(MENTIONS, a) for a in self.options.accounts] + \
                       [Source(SEARCH, q) for q in self.options.queries]

    def open(self) -> None:
        """Nothing to open: tweepy connects per request."""

    def close(self) -> None:
        self.client.client.session.close()

    def collect(self, outcome: IngestOutcome) -> None:
        """Rate limits, budget and bad credentials stop the run; one broken source only skips itself."""
        failures: list[Exception] = []
        for source in self.sources:
            try:
                self._collect_source(source, outcome)
            except (MalformedPage, RequestRejected) as exc:
                log.error("twitter %s %r skipped this run: %s", source.collector, source.name, exc)
                failures.append(exc)
        if failures:
            raise failures[0]

    def _collect_source(self, source: Source, outcome: IngestOutcome) -> None:
        state = self._state(source)
        for _ in range(self.options.max_pages_per_run):
            max_results = self._page_budget()
            response = self._fetch(source, state, max_results)
            state = self._store(source, state, response.content, outcome)
            if not state.get("next"):
                return

    def _fetch(self, source: Source, state: dict[str, Any], max_results: int) -> Any:
        try:
            return self._request(source, state, max_results)
        except RequestRejected as exc:
            if state.get("next"):
                # An expired pagination token: start the pass again from since_id (re-reads are idempotent).
                log.warning("twitter %r: pagination token refused, restarting from since_id", source.name)
                state.update(next=None, newest=None)
            elif state.get("since_id") and "since_id" in str(exc):
                # Recent search reaches back 7 days: after a longer pause (Lebaran) it refuses an older
                # since_id. Read what it still holds; posts older than that can no longer be fetched.
                log.warning("twitter %r: since_id %s refused (%s); reading the last 7 days again", source.name,
                            state["since_id"], exc)
                state.update(since_id=None, next=None, newest=None)
            else:
                raise
            return self._request(source, state, max_results)

    def _request(self, source: Source, state: dict[str, Any], max_results: int) -> Any:
        if source.collector == SEARCH:
            return self.client.search(source.name, since_id=state.get("since_id"), token=state.get("next"),
                                      max_results=max_results)
        return self.client.mentions(self._user_id(source.name), since_id=state.get("since_id"),
                                    token=state.get("next"), max_results=max_results)

    def _store(self, source: Source, state: dict[str, Any], body: bytes, outcome: IngestOutcome) -> dict[str, Any]:
        provenance = Provenance(CHANNEL, _endpoint(source), self.now(), _parameters(source, state))
        try:
            meta = page_meta(body)
        except ValueError as exc:
            outcome.add(store_page(self.factory, body, provenance, parse_page))
            raise MalformedPage(f"halaman X tidak terbaca, dikarantina / unreadable X page quarantined: {exc}",
                                channel=CHANNEL, endpoint=provenance.endpoint) from exc
        following = _next_state(state, meta)
        checkpoint = CheckpointAdvance(source.collector, source.key, json.dumps(following, sort_keys=True))
        outcome.add(store_page(self.factory, body, provenance, parse_page, checkpoint,
                               also=lambda session: self._spend(session, meta.result_count)))
        return following

    def _state(self, source: Source) -> dict[str, Any]:
        with self.factory() as session:
            value = get_checkpoint(session, source.collector, source.key)
        return json.loads(value) if value else {}

    def _user_id(self, account: str) -> str:
        """Numeric ids are used as given; a username is looked up once and remembered."""
        if account.isdigit():
            return account
        with self.factory() as session:
            known = get_checkpoint(session, USER_IDS, account.lower())
        if known:
            return known
        try:
            user_id = user_id_from_lookup(self.client.user_by_username(account.lstrip("@")).content)
        except ValueError as exc:
            raise RequestRejected(f"akun X '{account}' tidak ditemukan / X account not found: {exc}",
                                  channel=CHANNEL) from exc
        with self.factory() as session, session.begin():
            set_checkpoint(session, USER_IDS, account.lower(), user_id)
        return user_id

    def _month(self) -> str:
        """The budget's checkpoint key: the month its cap period began in (one period starts in each month)."""
        return cap_period_start(self.now(), self.options.cap_reset_day).strftime("%Y-%m")

    def _page_budget(self) -> int:
        """How many tweets the next page may ask for without passing the monthly cap."""
        cap = self.options.monthly_read_cap
        if not cap:
            return self.options.page_size
        with self.factory() as session:
            used = int(get_checkpoint(session, BUDGET, self._month()) or 0)
        left = cap - used
        if left < 10:
            raise BudgetExhausted(
                f"kuota baca X sejak {cap_period_start(self.now(), self.options.cap_reset_day):%d-%m-%Y} habis "
                f"({used}/{cap} post); naikkan "
                f"channels.twitter.monthly_read_cap bila paket API mengizinkan / monthly read budget spent",
                channel=CHANNEL)
        return min(self.options.page_size, left)

    def _spend(self, session: Session, count: int) -> None:
        used = int(get_checkpoint(session, BUDGET, self._month()) or 0)
        set_checkpoint(session, BUDGET, self._month(), str(used + count))


def cap_period_start(now: datetime, reset_day: int) -> date:
    """The day the plan's current cap period began: X resets a cap on the subscription's billing day,
    not on the 1st, so from the 1st to the day before it the period is still last month's."""
    today = now.astimezone(UTC).date()
    month = today if today.day >= reset_day else today.replace(day=1) - timedelta(days=1)
    return month.replace(day=reset_day)


def _next_state(state: dict[str, Any], meta: PageMeta) -> dict[str, Any]:
    newest = state.get("newest") if state.get("next") else meta.newest_id
    if meta.next_token:
        return {"since_id": state.get("since_id"), "newest": newest, "next": meta.next_token}
    return {"since_id": newest or state.get("since_id")}


def _endpoint(source: Source) -> str:
    return "GET /2/tweets/search/recent" if source.collector == SEARCH else "GET /2/users/:id/mentions"


def _parameters(source: Source, state: dict[str, Any]) -> dict[str, Any]:
    name = "query" if source.collector == SEARCH else "account"
    return {name: source.name, "since_id": state.get("since_id"), "pagination_token": state.get("next")}


def build(settings: Any, factory: sessionmaker[Session], **policy_options: Any) -> XCollector:
    options = settings.channels.twitter
    if not options.accounts and not options.queries:
        raise CollectorNotConfigured("tidak ada akun atau kueri di [channels.twitter] / no accounts or queries "
                                     "configured in [channels.twitter]")
    clock = policy_options.pop("now", None)
    return XCollector(XClient.from_settings(settings, **policy_options), factory, settings, clock)

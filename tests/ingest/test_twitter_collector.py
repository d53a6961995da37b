"""The real tweepy client against recorded X API v2 pages replayed at the HTTP layer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ingest.collectors import RunReport, run_collector
from ingest.errors import CredentialsMissing
from ingest.twitter.collector import BUDGET, MENTIONS, build, cap_period_start
from pilah.queries.channel import get_checkpoint, set_checkpoint
from pilah.schema import CollectorRun, Post, QuarantinedItem
from pilah.settings import Settings

API = "https://api.twitter.com/2"
MENTIONS_URL = f"{API}/users/1500000000000000001/mentions"
LOOKUP_URL = f"{API}/users/by/username/pemkablamsel"
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
RESET = 1_795_000_000
QUOTA = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449", "x-rate-limit-reset": str(RESET)}


@pytest.fixture
def x_settings() -> Settings:
    return Settings(x_bearer_token="test-bearer", channels={"twitter": {"accounts": ["pemkablamsel"]}})


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    """Every request must match a recording; anything else fails (and nothing reaches the network)."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def recording(fixtures_dir: Path):
    def read(name: str) -> bytes:
        return (fixtures_dir / "twitter" / name).read_bytes()
    return read


def _collect(factory: sessionmaker[Session], settings: Settings, slept: list[float] | None = None) -> RunReport:
    sleep = (slept.append if slept is not None else lambda seconds: None)
    collector = build(settings, factory, sleep=sleep, clock=lambda: RESET - 600, now=lambda: NOW)
    return run_collector(factory, collector)


def _add_lookup(api: responses.RequestsMock, recording) -> None:
    api.get(LOOKUP_URL, body=recording("user_lookup.json"), headers=QUOTA, content_type="application/json")


def _query(call: responses.Call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(call.request.url).query).items()}


def _source_ids(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return sorted(session.scalars(select(Post.source_id)))


def test_first_page_then_next_page(factory, x_settings, api, recording) -> None:
    _add_lookup(api, recording)
    api.get(MENTIONS_URL, body=recording("mentions_first.json"), headers=QUOTA)
    api.get(MENTIONS_URL, body=recording("mentions_last.json"), headers=QUOTA)
    report = _collect(factory, x_settings)
    assert (report.status, report.outcome.new) == ("ok", 5)
    first, second = (_query(c) for c in api.calls[1:])
    assert "pagination_token" not in first and second["pagination_token"].startswith("7140dib")
    assert "author_id" in first["expansions"] and "geo.place_id" in first["expansions"]
    assert "conversation_id" in first["tweet.fields"] and api.calls[0].request.headers["Authorization"] == \
        "Bearer test-bearer"
    with factory() as session:
        state = json.loads(get_checkpoint(session, MENTIONS, "pemkablamsel"))
        run = session.scalars(select(CollectorRun)).one()
    assert state == {"since_id": "1992000000000000013"}
    assert (run.source, run.fetched, run.new, run.error) == ("twitter", 5, 5, None) and run.finished_at


def test_next_run_asks_only_for_newer_tweets(factory, x_settings, api, recording) -> None:
    _add_lookup(api, recording)
    api.get(MENTIONS_URL, body=recording("mentions_first.json"), headers=QUOTA)
    api.get(MENTIONS_URL, body=recording("mentions_last.json"), headers=QUOTA)
    api.get(MENTIONS_URL, body=recording("mentions_newer.json"), headers=QUOTA)
    _collect(factory, x_settings)
    second = _collect(factory, x_settings)
    assert _query(api.calls[-1])["since_id"] == "1992000000000000013"
    assert second.outcome.new == 1 and len(_source_ids(factory)) == 6
    assert len(api.calls) == 4, "the username is looked up once and remembered"


def test_tweet_whose_author_is_gone_is_kept_without_a_name(factory, x_settings, api, recording) -> None:
    _add_lookup(api, recording)
    api.get(MENTIONS_URL, body=recording("mentions_last.json"), headers=QUOTA)
    _collect(factory, x_settings)
    with factory() as session:
        post = session.scalars(select(Post).where(Post.source_id == "1992000000000000009")).one()
    assert (post.author_id, post.author_handle) == ("2100000000000000009", None)
    assert post.url == "https://x.com/i/web/status/1992000000000000009"


def test_rate_limit_checkpoints_and_the_next_run_resumes(factory, x_settings, api, recording) -> None:
    _add_lookup(api, recording)
    api.get(MENTIONS_URL, body=recording("mentions_first.json"), headers=QUOTA)
    limited = {**QUOTA, "x-rate-limit-remaining": "0"}
    api.get(MENTIONS_URL, status=429, body=recording("error_429.json"), headers=limited)
    slept: list[float] = []
    stopped = _collect(factory, x_settings, slept)
    assert stopped.status == "stopped" and "rate_limited" in stopped.error and slept == []
    with factory() as session:
        state = json.loads(get_checkpoint(session, MENTIONS, "pemkablamsel"))
    assert state["next"].startswith("7140dib") and state["since_id"] is None
    api.get(MENTIONS_URL, body=recording("mentions_last.json"), headers=QUOTA)
    resumed = _collect(factory, x_settings)
    assert _query(api.calls[-1])["pagination_token"] == state["next"]
    assert resumed.status == "ok" and len(_source_ids(factory)) == 5


def test_server_error_is_retried_without_real_sleep(factory, x_settings, api, recording) -> None:
    _add_lookup(api, recording)
    api.get(MENTIONS_URL, status=503, body=recording("error_503.json"))
    api.get(MENTIONS_URL, body=recording("mentions_last.json"), headers=QUOTA)
    slept: list[float] = []
    report = _collect(factory, x_settings, slept)
    assert report.status == "ok" and report.outcome.new == 2 and slept == [2.0]


def test_persistent_server_errors_stop_after_bounded_retries(factory, x_settings, api, recording) -> None:
    _add_lookup(api, recording)
    for _ in range(4):
        api.get(MENTIONS_URL, status=503, body=recording("error_503.json"))
    slept: list[float] = []
    report = _collect(factory, x_settings, slept)
    assert report.status == "failed" and "channel_unavailable" in report.error and slept == [2.0, 4.0, 8.0]


def test_bad_token_names_the_variable_to_fix(factory, x_settings, api, recording) -> None:
    api.get(LOOKUP_URL, status=401, body=recording("error_401.json"))
    report = _collect(factory, x_settings)
    assert report.status == "failed" and "credentials_rejected" in report.error
    assert "PILAH_X_BEARER_TOKEN" in report.error and "test-bearer" not in report.error


def test_malformed_page_is_quarantined_and_checkpoint_kept(factory, x_settings, api, recording) -> None:
    _add_lookup(api, recording)
    api.get(MENTIONS_URL, body=recording("truncated_page.json"), headers=QUOTA)
    report = _collect(factory, x_settings)
    assert report.status == "failed" and "malformed_page" in report.error
    with factory() as session:
        item = session.scalars(select(QuarantinedItem)).one()
        assert get_checkpoint(session, MENTIONS, "pemkablamsel") is None
    assert item.reason_code == "unreadable_payload"


def test_expired_pagination_token_restarts_the_pass(factory, x_settings, api, recording) -> None:
    _add_lookup(api, recording)
    api.get(MENTIONS_URL, body=recording("mentions_first.json"), headers=QUOTA)
    api.get(MENTIONS_URL, status=429, body=recording("error_429.json"), headers=QUOTA)
    _collect(factory, x_settings)
    api.get(MENTIONS_URL, status=400, body=recording("error_400_token.json"))
    api.get(MENTIONS_URL, body=recording("mentions_last.json"), headers=QUOTA)
    assert _collect(factory, x_settings).status == "ok"
    assert "pagination_token" not in _query(api.calls[-1])


def test_monthly_budget_stops_before_the_cap(factory, api, recording) -> None:
    settings = Settings(x_bearer_token="t", channels={"twitter": {"accounts": ["1500000000000000001"],
                                                                  "monthly_read_cap": 12, "page_size": 10}})
    api.get(MENTIONS_URL, body=recording("mentions_first.json"), headers=QUOTA)
    report = _collect(factory, settings)
    assert report.status == "stopped" and "budget_exhausted" in report.error
    assert _query(api.calls[0])["max_results"] == "10"
    with factory() as session:
        assert get_checkpoint(session, BUDGET, "2026-11") == "3"


def test_the_budget_follows_the_plans_billing_day(factory, api, recording) -> None:
    """A plan billed on the 25th: on 20 November the cap period began on 25 October, so October's count
    holds (full: nothing is read), and November's is untouched."""
    settings = Settings(x_bearer_token="t", channels={"twitter": {"accounts": ["1500000000000000001"],
                                                                  "monthly_read_cap": 50, "cap_reset_day": 25}})
    with factory.begin() as session:
        set_checkpoint(session, BUDGET, "2026-10", "45")
    report = _collect(factory, settings)
    assert report.status == "stopped" and "sejak 25-10-2026" in report.error and len(api.calls) == 0
    with factory() as session:
        assert get_checkpoint(session, BUDGET, "2026-11") is None


@pytest.mark.parametrize(("now", "reset_day", "start"), [
    (datetime(2026, 11, 20, 9, tzinfo=UTC), 1, date(2026, 11, 1)),
    (datetime(2026, 11, 20, 9, tzinfo=UTC), 25, date(2026, 10, 25)),
    (datetime(2026, 11, 25, 0, tzinfo=UTC), 25, date(2026, 11, 25)),
    (datetime(2026, 1, 3, 9, tzinfo=UTC), 28, date(2025, 12, 28)),
    (datetime(2026, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=7))), 1, date(2026, 2, 1)),  # still Feb in UTC
])
def test_the_cap_period_starts_on_the_reset_day(now: datetime, reset_day: int, start: date) -> None:
    assert cap_period_start(now, reset_day) == start


def test_search_queries_are_collected(factory, api, recording) -> None:
    query = "@pemkablamsel OR #LaporBupati lang:id -is:retweet"
    settings = Settings(x_bearer_token="t", channels={"twitter": {"queries": [query]}})
    api.get(f"{API}/tweets/search/recent", body=recording("search_page.json"), headers=QUOTA)
    assert _collect(factory, settings).outcome.new == 1
    assert _query(api.calls[0])["query"] == query


def test_missing_credentials_disable_the_collector(factory) -> None:
    settings = Settings(channels={"twitter": {"accounts": ["pemkablamsel"]}})
    with pytest.raises(CredentialsMissing, match="PILAH_X_BEARER_TOKEN"):
        build(settings, factory)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(CollectorRun)) == 0


def test_a_search_paused_longer_than_seven_days_reads_the_last_seven_again(factory, api, recording) -> None:
    query = "#LaporBupati"
    settings = Settings(x_bearer_token="t", channels={"twitter": {"queries": [query]}})
    search_url = f"{API}/tweets/search/recent"
    api.get(search_url, body=recording("search_page.json"), headers=QUOTA)
    _collect(factory, settings)
    assert "since_id" not in _query(api.calls[-1])
    api.get(search_url, status=400, body=recording("error_400_since_id.json"))
    api.get(search_url, body=recording("search_page.json"), headers=QUOTA)
    report = _collect(factory, settings)
    assert report.status == "ok"
    assert "since_id" in _query(api.calls[-2]) and "since_id" not in _query(api.calls[-1])

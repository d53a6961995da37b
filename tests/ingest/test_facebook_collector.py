"""The Graph client and collector against recorded Graph API answers replayed at the HTTP layer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.collectors import RunReport, run_collector
from ingest.facebook.collector import build
from pilah.queries.channel import get_checkpoint
from pilah.schema import Post, QuarantinedItem
from pilah.settings import Settings

PAGE = "105000000000001"
GRAPH = "https://graph.facebook.com/v24.0"
FEED, TAGGED = f"{GRAPH}/{PAGE}/feed", f"{GRAPH}/{PAGE}/tagged"
COMMENTS = f"{GRAPH}/{PAGE}_210000000000001/comments"
USAGE = {"x-app-usage": '{"call_count":12,"total_cputime":3,"total_time":4}'}


@pytest.fixture
def fb_settings() -> Settings:
    return Settings(fb_page_token="page-token", channels={"facebook": {"pages": [PAGE]}})


@pytest.fixture
def graph() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def recording(fixtures_dir: Path):
    return lambda name: (fixtures_dir / "facebook" / name).read_bytes()


def _collect(factory: sessionmaker[Session], settings: Settings, slept: list[float] | None = None) -> RunReport:
    sleep = slept.append if slept is not None else (lambda seconds: None)
    collector = build(settings, factory, sleep=sleep, clock=lambda: 1_795_000_000.0,
                      now=lambda: datetime(2026, 11, 21, 10, tzinfo=UTC))
    return run_collector(factory, collector)


def _query(call: responses.Call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(call.request.url).query).items()}


def _feed_run(graph: responses.RequestsMock, recording) -> None:
    graph.get(FEED, body=recording("feed_first.json"), headers=USAGE)
    graph.get(COMMENTS, body=recording("comments_more.json"), headers=USAGE)
    graph.get(FEED, body=recording("feed_last.json"), headers=USAGE)
    graph.get(TAGGED, body=recording("tagged_empty.json"), headers=USAGE)


def test_feed_pages_comments_and_tagged_posts(factory, fb_settings, graph, recording) -> None:
    _feed_run(graph, recording)
    report = _collect(factory, fb_settings)
    assert report.status == "ok"
    with factory() as session:
        ids = set(session.scalars(select(Post.source_id)))
        state = json.loads(get_checkpoint(session, "facebook:feed", PAGE))
    assert ids == {"105000000000001_210000000000002", "105000000000001_209000000000009",
                   "210000000000001_310000000000001", "210000000000001_310000000000002"}, "page's own speech is skipped"
    assert state == {"since": int(datetime(2026, 11, 21, 3, tzinfo=UTC).timestamp())}
    feed_next = _query(graph.calls[2])
    assert feed_next["__paging_token"] == "enc_AdBnext" and feed_next["until"] == "1795741200"
    assert graph.calls[0].request.headers["Authorization"] == "OAuth page-token"
    assert "access_token" not in graph.calls[0].request.url


def test_next_run_filters_with_since(factory, fb_settings, graph, recording) -> None:
    _feed_run(graph, recording)
    _collect(factory, fb_settings)
    graph.get(FEED, body=recording("tagged_empty.json"), headers=USAGE)
    graph.get(TAGGED, body=recording("tagged_empty.json"), headers=USAGE)
    _collect(factory, fb_settings)
    assert _query(graph.calls[-2])["since"] == str(int(datetime(2026, 11, 21, 3, tzinfo=UTC).timestamp()))


def test_expired_token_stops_with_the_fix(factory, fb_settings, graph, recording) -> None:
    graph.get(FEED, status=400, body=recording("token_expired.json"))
    report = _collect(factory, fb_settings)
    assert report.status == "failed" and "credentials_rejected" in report.error
    assert "PILAH_FB_PAGE_TOKEN" in report.error and "page-token" not in report.error


def test_rate_limit_code_checkpoints_and_stops(factory, fb_settings, graph, recording) -> None:
    graph.get(FEED, body=recording("feed_first.json"), headers=USAGE)
    graph.get(COMMENTS, body=recording("comments_more.json"), headers=USAGE)
    graph.get(FEED, status=403, body=recording("error_rate_limit.json"), headers={
        "x-business-use-case-usage": json.dumps({PAGE: [{"type": "pages", "call_count": 100, "total_cputime": 5,
                                                         "total_time": 5, "estimated_time_to_regain_access": 7}]})})
    report = _collect(factory, fb_settings)
    assert report.status == "stopped" and "rate_limited" in report.error
    with factory() as session:
        state = json.loads(get_checkpoint(session, "facebook:feed", PAGE))
    assert state["next"] == {"until": "1795741200", "__paging_token": "enc_AdBnext"}


def test_transient_error_code_is_retried(factory, fb_settings, graph, recording) -> None:
    graph.get(FEED, status=500, body=recording("error_server.json"))
    graph.get(FEED, body=recording("feed_last.json"), headers=USAGE)
    graph.get(TAGGED, body=recording("tagged_empty.json"), headers=USAGE)
    slept: list[float] = []
    report = _collect(factory, fb_settings, slept)
    assert report.status == "ok" and report.outcome.new == 1 and slept == [2.0]


def test_invalid_parameter_is_quarantined_and_other_edges_run(factory, fb_settings, graph, recording) -> None:
    graph.get(FEED, status=400, body=recording("error_invalid_parameter.json"))
    graph.get(TAGGED, body=recording("feed_last.json"), headers=USAGE)
    report = _collect(factory, fb_settings)
    assert report.status == "failed" and "request_rejected" in report.error and report.outcome.new == 1
    with factory() as session:
        item = session.scalars(select(QuarantinedItem)).one()
    assert "code\": 100" in item.reason or "'code': 100" in item.reason


def test_an_expired_paging_cursor_restarts_the_pass_from_since(factory, fb_settings, graph, recording) -> None:
    graph.get(FEED, body=recording("feed_first.json"), headers=USAGE)
    graph.get(COMMENTS, body=recording("comments_more.json"), headers=USAGE)
    graph.get(FEED, status=403, body=recording("error_rate_limit.json"))
    _collect(factory, fb_settings)  # stopped mid-pass: the cursor is stored
    graph.get(FEED, status=400, body=recording("error_cursor_expired.json"))
    graph.get(FEED, body=recording("feed_last.json"), headers=USAGE)
    graph.get(TAGGED, body=recording("tagged_empty.json"), headers=USAGE)
    report = _collect(factory, fb_settings)
    assert report.status == "ok"
    assert "__paging_token" in _query(graph.calls[-3]) and "__paging_token" not in _query(graph.calls[-2])
    with factory() as session:
        assert "next" not in json.loads(get_checkpoint(session, "facebook:feed", PAGE))

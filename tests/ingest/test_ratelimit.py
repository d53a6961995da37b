"""The one rate-limit/retry policy with a fake clock and sleep."""

from __future__ import annotations

import pytest
import requests

from ingest.errors import ChannelUnavailable, RateLimited, TransientChannelError
from ingest.facebook.client import read_window as graph_window
from ingest.ratelimit import RatePolicy
from ingest.twitter.client import read_window as x_window


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _response(headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response.headers.update(headers)
    return response


def _policy(clock: FakeClock, **options) -> RatePolicy:
    return RatePolicy("twitter", x_window, clock=clock, sleep=clock.sleep, **options)


def test_last_call_of_a_window_stops_the_next_one_until_reset() -> None:
    clock = FakeClock()
    policy = _policy(clock)
    policy.call(lambda: _response({"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1900"}), "GET /x")
    with pytest.raises(RateLimited) as stopped:
        policy.call(lambda: _response({}), "GET /x")
    assert stopped.value.reset_at == 1900 and clock.slept == []
    clock.now = 1901
    assert policy.call(lambda: _response({}), "GET /x").status_code == 200


def test_backoff_doubles_and_is_capped() -> None:
    clock = FakeClock()
    policy = _policy(clock, max_attempts=5, backoff_seconds=10, max_backoff_seconds=25)

    def failing() -> requests.Response:
        raise TransientChannelError("503", channel="twitter")
    with pytest.raises(ChannelUnavailable, match="5"):
        policy.call(failing, "GET /x")
    assert clock.slept == [10, 20, 25, 25]


def test_rate_limited_without_reset_assumes_a_window() -> None:
    clock = FakeClock()
    policy = _policy(clock)

    def limited() -> requests.Response:
        raise RateLimited("429", channel="twitter")
    with pytest.raises(RateLimited):
        policy.call(limited, "GET /x")
    assert policy.exhausted_until == 1000 + 900


def test_graph_usage_headers_at_100_percent_close_the_window() -> None:
    usage = '{"105000000000001": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 5}]}'
    window = graph_window({"x-business-use-case-usage": usage}, 1000.0)
    assert (window.remaining, window.reset_at) == (0, 1300.0)
    assert graph_window({"x-app-usage": '{"call_count": 40}'}, 1000.0).remaining == 1
    assert graph_window({}, 1000.0) is None

"""The one rate-limit and retry policy every channel client calls through.

A channel client turns its API's failures into `TransientChannelError` (retry with backoff),
`RateLimited` (stop now) or another `ChannelError` (stop, a person must act), and gives the policy a
function that reads the API's quota headers. The policy never sleeps out a rate-limit window: a
scheduled run checkpoints and returns, and the next run resumes (STYLE.md rule 5). It does sleep,
briefly and a bounded number of times, between retries of transient failures; clock and sleep are
injectable so tests run with zero delay.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests

from ingest.errors import ChannelUnavailable, RateLimited, TransientChannelError

log = logging.getLogger(__name__)

#: Assume a 15-minute window when an API says "slow down" without saying until when.
DEFAULT_WINDOW_SECONDS = 900.0


@dataclass(frozen=True, slots=True)
class Window:
    """What an API's headers say about its quota: calls left and when the window resets (unix time)."""

    remaining: int | None
    reset_at: float | None


WindowReader = Callable[[Mapping[str, str], float], Window | None]


class RatePolicy:
    """Bounded retries with exponential backoff; remembers an exhausted window and refuses calls until it resets."""

    def __init__(self, channel: str, read_window: WindowReader, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, max_attempts: int = 4,
                 backoff_seconds: float = 2.0, max_backoff_seconds: float = 60.0) -> None:
        self.channel = channel
        self.read_window = read_window
        self.clock = clock
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.exhausted_until: float | None = None

    def call(self, request: Callable[[], requests.Response], endpoint: str) -> requests.Response:
        """Run one API request under the policy; raises RateLimited or ChannelUnavailable to stop the run."""
        for attempt in range(1, self.max_attempts + 1):
            self.ensure_open(endpoint)
            try:
                response = request()
            except TransientChannelError as exc:
                self._after_failure(exc, endpoint, attempt)
                continue
            except RateLimited as exc:
                self.exhausted_until = exc.reset_at or self.clock() + DEFAULT_WINDOW_SECONDS
                raise
            self.observe(response.headers)
            return response
        raise AssertionError("unreachable: the last failed attempt raises")

    def ensure_open(self, endpoint: str) -> None:
        """Refuse to call while a window we saw exhausted has not reset yet."""
        if self.exhausted_until is not None and self.clock() < self.exhausted_until:
            raise RateLimited(
                f"batas panggilan API {self.channel} habis sampai {_clock_text(self.exhausted_until)}; "
                f"dilanjutkan pada jadwal berikutnya / {self.channel} rate limit window exhausted, resuming next run",
                channel=self.channel, endpoint=endpoint, reset_at=self.exhausted_until,
            )

    def observe(self, headers: Mapping[str, str]) -> None:
        window = self.read_window(headers, self.clock())
        if window is not None and window.remaining is not None and window.remaining <= 0:
            self.exhausted_until = window.reset_at or self.clock() + DEFAULT_WINDOW_SECONDS

    def _after_failure(self, exc: TransientChannelError, endpoint: str, attempt: int) -> None:
        log.warning("%s %s attempt %d/%d failed: %s", self.channel, endpoint, attempt, self.max_attempts, exc)
        if attempt >= self.max_attempts:
            raise ChannelUnavailable(
                f"{self.channel} tidak dapat dihubungi setelah {attempt} percobaan; dicoba lagi pada jadwal "
                f"berikutnya / {self.channel} unavailable after {attempt} attempts: {exc}",
                channel=self.channel, endpoint=endpoint,
            ) from exc
        self.sleep(min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1)))


def _clock_text(unix_time: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(unix_time))

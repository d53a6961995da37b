"""A collector process for the SIGTERM test: X mentions replayed from crash_collector's timeline.

Usage: sigterm_collector.py collect|scheduler DATABASE_URL HOLD_AT. With HOLD_AT > 0 the replayed
API prints `holding` and holds the page at that offset until the process has registered a stop
request, so the test's SIGTERM lands while that page is in flight (in scheduler mode the signal is
handled by the main thread while the page is fetched by a worker thread: without the hold the
worker could race ahead). `collect` runs
`pilah collect twitter --once` (config from ./pilah.toml and PILAH_* variables); `scheduler`
runs the real scheduler wiring with the collector as a 1-second interval job.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import responses
from crash_collector import MENTIONS, timeline_page

from ingest.stopping import wait_for_stop
from pilah.cli import main as pilah_main
from pilah.db import make_engine, session_factory
from pilah.jobs.scheduler import build_scheduler, interval_job, stop_on_sigterm
from pilah.settings import Settings

CHANNELS = {"twitter": {"accounts": ["1500000000000000001"], "page_size": 10, "max_pages_per_run": 1000,
                        "monthly_read_cap": 0}}


def holding_at(offset: int):
    def answer(request):
        query = parse_qs(urlparse(request.url).query)
        if offset and query.get("pagination_token", ["0"])[0] == str(offset):
            print("holding", flush=True)
            if not wait_for_stop(timeout=60):
                raise RuntimeError("no SIGTERM arrived while the page was held")
        return timeline_page(request)
    return answer


def run_scheduler(url: str) -> None:
    engine = make_engine(url)
    settings = Settings(database_url=url, x_bearer_token="replay", channels=CHANNELS)
    job = interval_job("collect:twitter", "pilah.jobs.tasks:collect", timedelta(seconds=1), "twitter")
    scheduler = build_scheduler(settings, engine, session_factory(engine), [job])
    stop_on_sigterm(scheduler)
    scheduler.start()


if __name__ == "__main__":
    mode, url, hold_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add_callback(responses.GET, MENTIONS, callback=holding_at(hold_at))
        if mode == "collect":
            pilah_main(["collect", "twitter", "--once"])
        else:
            run_scheduler(url)

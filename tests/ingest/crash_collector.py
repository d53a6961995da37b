"""A collector process for the crash-safety test: X mentions replayed from a synthetic timeline.

Usage: crash_collector.py DATABASE_URL KILL_AT. The process SIGKILLs itself just before its
KILL_AT-th SQL statement or commit (0: never), so the kill lands at a chosen, reproducible point:
mid-page, between the posts and the checkpoint, right before COMMIT, between pages.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from urllib.parse import parse_qs, urlparse

import responses
from sqlalchemy import event

from ingest.collectors import run_collector
from ingest.twitter.collector import build
from pilah.db import make_engine, session_factory
from pilah.settings import Settings

TWEETS = 500
PAGE = 10
FIRST_ID = 1993000000000000000
MENTIONS = "https://api.twitter.com/2/users/1500000000000000001/mentions"


def tweet(n: int) -> dict:
    return {"id": str(FIRST_ID + n), "text": f"@pemkablamsel keluhan nomor {n} tentang jalan desa",
            "author_id": str(2200000000000000000 + n % 37), "created_at": f"2026-11-2{n % 3}T0{n % 10}:00:00.000Z",
            "lang": "in", "edit_history_tweet_ids": [str(FIRST_ID + n)]}


def timeline_page(request) -> tuple[int, dict, str]:
    """Newest first; since_id filters, pagination_token is the offset into the filtered timeline."""
    query = {k: v[0] for k, v in parse_qs(urlparse(request.url).query).items()}
    since = int(query.get("since_id", 0))
    ids = [n for n in range(TWEETS, 0, -1) if FIRST_ID + n > since]
    offset = int(query.get("pagination_token", "0"))
    chunk = ids[offset:offset + PAGE]
    meta: dict = {"result_count": len(chunk)}
    if chunk:
        meta.update(newest_id=str(FIRST_ID + chunk[0]), oldest_id=str(FIRST_ID + chunk[-1]))
    if offset + PAGE < len(ids):
        meta["next_token"] = str(offset + PAGE)
    users = [{"id": str(2200000000000000000 + i), "name": f"Warga {i}", "username": f"warga{i}"} for i in range(37)]
    body = {"data": [tweet(n) for n in chunk], "includes": {"users": users}, "meta": meta}
    return 200, {"x-rate-limit-remaining": "400", "x-rate-limit-reset": "1795000000"}, json.dumps(body)


def arm(engine, kill_at: int) -> None:
    count = 0

    def tick(*_args) -> None:
        nonlocal count
        count += 1
        if count == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
    event.listen(engine, "before_cursor_execute", tick)
    event.listen(engine, "commit", tick)


def main(url: str, kill_at: int) -> None:
    engine = make_engine(url)
    if kill_at:
        arm(engine, kill_at)
    settings = Settings(database_url=url, x_bearer_token="replay",
                        channels={"twitter": {"accounts": ["1500000000000000001"], "page_size": PAGE,
                                              "max_pages_per_run": 1000, "monthly_read_cap": 0}})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add_callback(responses.GET, MENTIONS, callback=timeline_page)
        report = run_collector(session_factory(engine), build(settings, session_factory(engine)))
    print(report.status, report.outcome.new, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))

"""`pilah batch` end to end on synthetic-but-realistic posts: wall time and peak RSS (issue 4 targets).

For each size: a fresh SQLite file, migrated; the posts of bench_duplicates' generator (copies,
copies with a sentence added, retweets, a year of complaints across kecamatan) as X API pages,
stored through the project's own ingest path (`ingest_page` on twarc2 JSONL chunks); then the real
`pilah batch` runs in a subprocess with the active model, and its wall time, CPU time and peak RSS
(wait4's for the largest single process, and sampled from /proc for the batch and its tagging
workers together) are printed. Targets at 1,000,000 posts: ≤ 10 minutes,
peak RSS ≤ 2 GB. Ingest time is printed too but is not part of the target.

    python bench/bench_batch.py [--posts 100000,1000000] [--keep DIR]
    python bench/bench_batch.py --posts 1000000 --keep /tmp/bb        # keeps batch-1000000.ingested.sqlite
    python bench/bench_batch.py --posts 1000000 --reuse /tmp/bb       # runs the batch on a copy of it
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bench_duplicates import synthetic

from ingest.records import Provenance
from ingest.store import ingest_page
from ingest.twitter.payload import parse_jsonl
from pilah import PROJECT_ROOT, migrate
from pilah.db import make_engine, session_factory

PAGE_SIZE = 100
CHUNK_PAGES = 100  # one payload (and one transaction) per 10,000 posts
NIGHT = "2027-01-01T23:00+07:00"  # after the synthetic year, so every deadline check has work to do


def pages(posts: int) -> Iterator[bytes]:
    """X API v2 pages of the synthetic posts; retweets keep their link, authors are 'Warga N'."""
    rows = synthetic(posts)
    for start in range(0, posts, PAGE_SIZE):
        chunk = rows[start:start + PAGE_SIZE]
        tweets = [_tweet(start + offset, row) for offset, row in enumerate(chunk)]
        users = [{"id": row.author_id[1:], "name": f"Warga {row.author_id[1:]}", "username": f"w{row.author_id[1:]}"}
                 for row in chunk]
        yield json.dumps({"data": tweets, "includes": {"users": users},
                          "meta": {"result_count": len(tweets)}}).encode()


def _tweet(number: int, row) -> dict:
    tweet = {"id": str(10**18 + number), "author_id": row.author_id[1:], "text": f"@pemkablamsel {row.text}",
             "created_at": row.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "lang": "in"}
    if row.retweet_of_id is not None:
        tweet["referenced_tweets"] = [{"type": "retweeted", "id": str(10**18 + int(row.retweet_of_id))}]
    return tweet


def ingest(url: str, posts: int) -> float:
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = session_factory(engine)
    started = time.perf_counter()
    buffer: list[bytes] = []
    for page in pages(posts):
        buffer.append(page)
        if len(buffer) == CHUNK_PAGES:
            _store(factory, buffer)
            buffer = []
    if buffer:
        _store(factory, buffer)
    engine.dispose()
    return time.perf_counter() - started


def _store(factory, chunk: list[bytes]) -> None:
    provenance = Provenance("twitter", "file:bench-batch.jsonl", datetime.now(UTC), {"format": "x-jsonl"})
    with factory() as session, session.begin():
        ingest_page(session, b"\n".join(chunk), provenance, parse_jsonl)


def run_batch(url: str, out_dir: Path) -> tuple[float, float, float, float, str]:
    """`pilah batch` in a child process: wall s, CPU s (user + system, its workers included), peak RSS MB
    of the largest single process (wait4), peak MB of the batch and its tagging workers together
    (sampled from /proc every 0.2 s), its last output lines."""
    env = {**os.environ, "PILAH_DATABASE_URL": url, "PILAH_OUTPUT_DIR": str(out_dir)}
    command = [str(Path(sys.executable).with_name("pilah")), "batch", "--now", NIGHT, "--quiet"]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    together = {"peak": 0.0}
    sampler = threading.Thread(target=_sample_tree_rss, args=(child, together), daemon=True)
    sampler.start()
    output = child.stdout.read().decode("utf-8", errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"pilah batch failed:\n{output}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, together["peak"], output


def _sample_tree_rss(child: subprocess.Popen, together: dict[str, float]) -> None:
    while child.returncode is None and Path(f"/proc/{child.pid}").exists():
        together["peak"] = max(together["peak"], sum(_rss_mb(pid) for pid in _tree(child.pid)))
        time.sleep(0.2)


def _tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [p for child in task.read_text().split() for p in _tree(int(child))]
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", default="100000", help="comma-separated sizes, e.g. 100000,1000000")
    parser.add_argument("--keep", type=Path, help="keep the databases and reports here instead of a temp dir")
    parser.add_argument("--reuse", type=Path, help="a --keep folder: copy its ingested databases, skip ingest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as scratch:
        root = args.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        for size in (int(s) for s in args.posts.split(",") if s):
            database = root / f"batch-{size}.sqlite"
            url, ingested = f"sqlite:///{database}", f"batch-{size}.ingested.sqlite"
            if args.reuse:
                shutil.copyfile(args.reuse / ingested, database)
            else:
                seconds = ingest(url, size)
                print(f"{size:>9} posts ingested in {seconds:6.1f} s", flush=True)
                if args.keep:
                    shutil.copyfile(database, root / ingested)
            wall, cpu, rss, together, output = run_batch(url, root / f"out-{size}")
            print(f"{size:>9} posts: pilah batch {wall:7.1f} s wall ({wall / 60:.1f} min), {cpu:7.1f} s CPU, "
                  f"peak RSS {rss:,.0f} MB (largest process), {together:,.0f} MB (batch + workers, sampled)",
                  flush=True)
            print("   " + "\n   ".join(output.strip().splitlines()[-9:]), flush=True)


if __name__ == "__main__":
    main()

"""Ingest throughput through the one path (issue 5 targets; numbers, not tests).

Builds synthetic X API v2 mention pages in memory (100 tweets each, with includes), ingests them
page by page — one `ingest_page` call and one transaction per page, as a collector does — into a
fresh SQLite file and, when a PostgreSQL URL is given, a fresh schema there; then re-ingests the
same pages (every post a duplicate). Targets: ≥ 20,000 posts/s SQLite, ≥ 10,000/s PostgreSQL,
≥ 50,000/s re-ingest.

Each line gives wall-clock throughput and, because the bench machine is shared, a CPU figure:
posts per CPU-second of this process plus the PostgreSQL backend serving it (read from
/proc/<pid>/stat, so only for a local server). Wall time includes waiting for disk and for other
processes; the CPU figure is what an otherwise idle core would reach if nothing waited on I/O.

    python bench/bench_ingest.py [--posts 30000] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from ingest.collectors import store_page
from ingest.records import CheckpointAdvance, Provenance
from ingest.store import ingest_page
from ingest.twitter.payload import parse_jsonl, parse_page
from pilah import migrate
from pilah.db import make_engine, session_factory

PAGE_SIZE = 100
WORDS = ["jalan", "rusak", "lampu", "mati", "sampah", "numpuk", "air", "keruh", "bantuan", "belum", "cair",
         "puskesmas", "tutup", "sekolah", "bocor"]


def make_pages(posts: int) -> list[bytes]:
    pages = []
    for start in range(0, posts, PAGE_SIZE):
        ids = range(start, min(posts, start + PAGE_SIZE))
        tweets = [{"id": str(1994000000000000000 + n), "author_id": str(2300000000000000000 + n % 997),
                   "text": f"@pemkablamsel {' '.join(WORDS[(n + k) % len(WORDS)] for k in range(12))} #{n}",
                   "created_at": f"2026-11-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00.000Z", "lang": "in",
                   "conversation_id": str(1994000000000000000 + n)} for n in ids]
        users = [{"id": str(2300000000000000000 + n % 997), "name": f"Warga {n % 997}", "username": f"w{n % 997}"}
                 for n in ids]
        meta = {"result_count": len(tweets), "newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"]}
        pages.append(json.dumps({"data": tweets, "includes": {"users": users}, "meta": meta}).encode())
    return pages


def ingest_all(factory: sessionmaker[Session], pages: list[bytes]) -> tuple[int, int]:
    """What a collector does: `store_page`, one short transaction per API page."""
    provenance = Provenance("twitter", "GET /2/users/:id/mentions", datetime.now(UTC), {"bench": True})
    new = duplicates = 0
    for index, body in enumerate(pages):
        outcome = store_page(factory, body, provenance, parse_page, CheckpointAdvance("bench", "mentions", str(index)))
        new, duplicates = new + outcome.new, duplicates + outcome.duplicates
    return new, duplicates


def ingest_file(factory: sessionmaker[Session], pages: list[bytes]) -> tuple[int, int]:
    """The bulk path: the same pages as one twarc2 JSONL file, one payload and one transaction."""
    body = b"\n".join(pages)
    provenance = Provenance("twitter", "file:bench.jsonl", datetime.now(UTC), {"format": "x-jsonl"})
    with factory() as session, session.begin():
        outcome = ingest_page(session, body, provenance, parse_jsonl)
    return outcome.new, outcome.duplicates


def run(label: str, fresh_url: Callable[[], AbstractContextManager[str]], pages: list[bytes], posts: int) -> None:
    for path, ingest in (("per page", ingest_all), ("JSONL file", ingest_file)):
        with fresh_url() as url:
            engine = make_engine(url)
            migrate.upgrade(engine)
            factory = session_factory(engine)
            server_pid = _server_pid(engine)
            for what in ("new posts", "re-ingest"):
                clock = _Clock(server_pid)
                new, duplicates = ingest(factory, pages)
                wall, cpu = clock.read()
                assert (new, duplicates) == ((posts, 0) if what == "new posts" else (0, posts))
                _line(label, path, what, posts, wall, cpu)
            engine.dispose()


def _server_pid(engine: Engine) -> int | None:
    """The PostgreSQL backend of the pool's one connection (the bench runs serially, so it is reused)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


class _Clock:
    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.wall, self.cpu = time.perf_counter(), self._cpu()

    def _cpu(self) -> float:
        seconds = time.process_time()
        if self.server_pid is not None:
            try:
                fields = Path(f"/proc/{self.server_pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return float("nan")
            seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return seconds

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, self._cpu() - self.cpu


def _line(label: str, path: str, what: str, count: int, wall: float, cpu: float) -> None:
    print(f"{label:<10} {path:<10} {what:<9}: {count:>7,} in {wall:6.2f} s = {count / wall:>9,.0f} posts/s"
          f"   (CPU {cpu:5.2f} s = {count / cpu:>9,.0f} posts/CPU-s)")


@contextmanager
def sqlite_file() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite'}"


def postgres_schema(base: str) -> Callable[[], AbstractContextManager[str]]:
    @contextmanager
    def fresh() -> Iterator[str]:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(base)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    return fresh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=30_000)
    parser.add_argument("--postgres", help="PostgreSQL URL; a scratch schema is created and dropped")
    args = parser.parse_args()
    pages = make_pages(args.posts)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{len(pages)} pages of {PAGE_SIZE} tweets, {sum(map(len, pages)) / 1e6:.1f} MB; load average {load}")
    run("SQLite", sqlite_file, pages, args.posts)
    if args.postgres:
        run("PostgreSQL", postgres_schema(args.postgres), pages, args.posts)


if __name__ == "__main__":
    main()

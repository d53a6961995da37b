"""Queue and report page latency with many reports: p50/p95/p99 and errors.

Seeds N reports (with flags and duplicate groups) into a fresh database, starts `pilah serve`
in a subprocess on 127.0.0.1, logs 20 clients in and lets them alternate queue pages and report
pages for the given duration, each client sending its next request as soon as the last one
answered. Targets (issue 6): p95 <= 100 ms for both pages, 0 errors.

    python bench/bench_web.py                                  # SQLite, 100,000 reports, 60 s
    python bench/bench_web.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/bench_web.py --sqlite-file /tmp/b.sqlite      # seed once, reuse on later runs
    python bench/bench_web.py --workers 1                      # one uvicorn process (default: 2)
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert, text

from classify.pii import mask_pii
from pilah import PROJECT_ROOT, migrate
from pilah.auth.accounts import NewUser, create_user
from pilah.db import make_engine, session_factory
from pilah.queries.reports import running_due_value
from pilah.schema import ChannelPayload, Post, Report, ReportFlag
from triage.directory import sync_directory

CATEGORIES = ["infrastruktur", "adminduk", "kesehatan", "pendidikan", "sosial", "lingkungan"]
STATUSES = ["perlu_verifikasi"] * 4 + ["terverifikasi", "terdisposisi", "selesai", "ditolak", "tertunda"]
KECAMATAN = ["18.01.04", "18.01.05", "18.01.06", "18.01.13", "18.01.10"]
PASSWORD = "bench-password-123"
SESSION_COOKIE = "pilah_session"


def seed(url: str, count: int) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = session_factory(engine)
    with factory.begin() as session:
        sync_directory(session, PROJECT_ROOT / "data")
        create_user(session, NewUser("bench", "Bench", "verifikator", PASSWORD), actor="bench")
    base = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(insert(ChannelPayload), [dict(channel="import", endpoint="bench", parameters={},
                           collector_version="bench", retrieved_at=base, sha256="0" * 64, body=b"{}")])
        for start in range(0, count, 5000):
            rows = range(start, min(start + 5000, count))
            posts = [_post(n, base) for n in rows]
            connection.execute(insert(Post), posts)
            reports = [_report(n, base, post["text"]) for n, post in zip(rows, posts, strict=True)]
            connection.execute(insert(Report), reports)
            connection.execute(insert(ReportFlag), [_flag(n, base) for n in rows if n % 10 == 0])
    # Planner statistics (and on PostgreSQL the visibility map that index-only scans need), as autovacuum
    # would have them on a settled database.
    with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
        connection.exec_driver_sql("ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE")
    engine.dispose()


def _post(n: int, base: datetime) -> dict:
    return dict(id=n + 1, channel="twitter", source_id=f"b{n}", payload_id=1, author_id=f"a{n % 997}",
                author_name=f"Warga {n % 997}", author_handle=f"warga{n % 997}", url=f"https://x.com/s/{n}",
                text=f"Laporan {n}: jalan rusak dan drainase tersumbat di desa, mohon ditindaklanjuti 0812{n:08d}",
                created_at=base + timedelta(minutes=n), ingested_at=base + timedelta(minutes=n))


def _report(n: int, base: datetime, text: str) -> dict:
    """A report as triage leaves it: classified, its text masked (tagging), its running deadline stored."""
    rng = random.Random(n)
    status = rng.choice(STATUSES)
    verify_due = base + timedelta(days=3, minutes=n)
    followup_due = base + timedelta(days=10, minutes=n) if status == "terdisposisi" else None
    return dict(id=n + 1, post_id=n + 1, status=status, category=rng.choice(CATEGORIES), category_confidence=0.7,
                category_terms=["jalan"], kecamatan_code=rng.choice(KECAMATAN), masked_text=mask_pii(text),
                opd_code="dpupr" if status in ("terdisposisi", "selesai") else None,
                duplicate_of_id=n if n % 20 == 1 else None, duplicate_kind="near" if n % 20 == 1 else None,
                verify_due=verify_due, followup_due=followup_due,
                next_due_at=running_due_value(status, verify_due, followup_due),
                created_at=base + timedelta(minutes=n), updated_at=base + timedelta(minutes=n), version=1)


def _flag(n: int, base: datetime) -> dict:
    code = ("lokasi_tidak_jelas", "kategori_ragu", "perlu_disposisi_manual")[n // 10 % 3]
    return dict(report_id=n + 1, code=code, reason="bench", source="rule", created_at=base + timedelta(minutes=n))


def start_server(url: str, workers: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, PILAH_DATABASE_URL=url, PILAH_SECRET_KEY="bench-" + "k" * 40)
    pilah = Path(sys.executable).with_name("pilah")
    process = subprocess.Popen([str(pilah), "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--workers", str(workers)], env=env, cwd=PROJECT_ROOT,
                               stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{base}/masuk", timeout=1)
            return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("server did not start")


def logged_in(base: str) -> http.client.HTTPConnection:
    """A kept-alive connection carrying a logged-in session cookie (logging in goes through httpx)."""
    with httpx.Client(base_url=base, timeout=10) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/masuk").text).group(1)
        client.post("/masuk", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    url = httpx.URL(base)
    connection = http.client.HTTPConnection(url.host, url.port, timeout=10)
    connection.cookie = cookie
    return connection


def worker(connection: http.client.HTTPConnection, deadline: float, count: int, results: dict[str, list[float]],
           errors: list) -> None:
    """A closed loop: the next request goes out as soon as the last answer was read.

    http.client on a kept-alive connection, not httpx: the client shares the two cores with the
    server, and httpx spends several times the CPU per request that this does."""
    rng = random.Random()
    while time.monotonic() < deadline:
        kind = rng.choice(["queue", "report"])
        path = f"/antrian?page={rng.randint(1, 20)}" if kind == "queue" else f"/antrian/{rng.randint(1, count)}"
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Cookie": connection.cookie})
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            errors.append(repr(exc))
            connection.close()
            continue
        results[kind].append((time.perf_counter() - started) * 1000)
        _keep_session(connection, response.getheader("set-cookie"))
        if response.status != 200:
            errors.append(f"{path} → {response.status}")
    connection.close()


def _keep_session(connection: http.client.HTTPConnection, set_cookie: str | None) -> None:
    """Send back the session cookie the server renewed, as a browser would."""
    if set_cookie and set_cookie.startswith(SESSION_COOKIE + "="):
        fresh = set_cookie.partition(";")[0]
        connection.cookie = "; ".join(fresh if part.startswith(SESSION_COOKIE + "=") else part
                                      for part in connection.cookie.split("; "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL database (a fresh schema is made); default SQLite")
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2,
                        help="pilah serve --workers: uvicorn processes (default 2: one per core here)")
    parser.add_argument("--sqlite-file", type=Path,
                        help="keep the SQLite database in this file; seeded only when the file does not exist")
    args = parser.parse_args()
    if args.sqlite_file is not None:
        url, cleanup = f"sqlite:///{args.sqlite_file}", lambda: None
        fresh = not args.sqlite_file.exists()
    else:
        url, cleanup = _database(args.database_url)
        fresh = True
    try:
        if fresh:
            seed(url, args.reports)
        process, base = start_server(url, args.workers)
        load_before = os.getloadavg()[0]
        try:
            clients = [logged_in(base) for _ in range(args.clients)]  # before counting: a login hashes a password
            server_cpu, client_cpu = _cpu_seconds(process.pid), time.process_time()
            results, errors = run(clients, args)
            server_cpu, client_cpu = _cpu_seconds(process.pid) - server_cpu, time.process_time() - client_cpu
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        cleanup()
    for kind, values in results.items():
        cuts = statistics.quantiles(values, n=100) if len(values) > 1 else [0.0] * 99
        print(f"{kind:7} n={len(values):6}  p50={cuts[49]:7.1f} ms  p95={cuts[94]:7.1f} ms  p99={cuts[98]:7.1f} ms")
    requests = sum(len(values) for values in results.values()) or 1
    print(f"cpu per request: server {server_cpu / requests * 1000:.1f} ms, client {client_cpu / requests * 1000:.1f} ms"
          f" ({requests / args.duration:.0f} requests/s, load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after)")
    print(f"errors={len(errors)}", *errors[:5], sep="\n  ")


def run(clients: list[http.client.HTTPConnection], args) -> tuple[dict[str, list[float]], list[str]]:
    results: dict[str, list[float]] = {"queue": [], "report": []}
    errors: list[str] = []
    deadline = time.monotonic() + args.duration
    threads = [threading.Thread(target=worker, args=(c, deadline, args.reports, results, errors)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def _cpu_seconds(pid: int) -> float:
    """CPU time used so far by the server process and its uvicorn workers (Linux /proc), so a figure
    measured on a busy machine can still be compared: latency varies with the load, CPU per request less."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _database(url: str | None):
    if url is None:
        folder = tempfile.TemporaryDirectory()
        return f"sqlite:///{Path(folder.name) / 'bench.sqlite'}", folder.cleanup
    schema = f"bench_{os.getpid()}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", drop


if __name__ == "__main__":
    main()

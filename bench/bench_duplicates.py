"""Duplicate grouping at scale on synthetic-but-realistic posts: time per size, and recall on a sample.

Usage: python bench/bench_duplicates.py [--sizes 125000,250000,500000,1000000] [--repeat 2] [--per-day N]
                                        [--recall 20000]
                                        [--real /work/shared/data]
Prints seconds per size (wall clock, and the process's CPU time, which a machine shared with other
jobs disturbs less) and the ratio per doubling of each, the recall of the near-duplicate matcher
against an exact all-pairs search at the same threshold, and group counts on the real files.
Every size spreads its posts over one year, so each doubling also doubles how many posts a 14-day
window holds (the daily rate); --per-day N keeps the daily rate instead and lets the history grow.
Each size is grouped --repeat times and its fastest run counts, as timeit does: on a shared machine
a slower run measures the neighbours, not the code; every run is printed.
Not a test: run it by hand (it uses one core for minutes at the large sizes).
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import resource
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

from pilah.garbage import fewer_collections
from triage.duplicates import DuplicateIndex, near_similarity, signature, text_prints

#: Posts printed together, as `pilah batch` has a batch of them printed in its classification worker.
BATCH = 500

PLACES = ["natar", "jati agung", "kalianda", "sidomulyo", "palas", "penengahan", "katibung", "tanjung bintang",
          "way panji", "candipuro", "sragi", "ketapang", "bakauheni", "raja basa", "merbau mataram", "way sulan"]
DESA = [f"desa {w}" for w in ("sukamaju", "jatimulyo", "karang anyar", "tanjung sari", "margo rejo", "way huwi",
                              "banjar agung", "rejomulyo", "sinar karya", "bumi agung", "negeri pandan")]
SUBJECTS = ["jalan rusak parah berlubang", "lampu pju mati sudah sebulan", "sampah menumpuk di pinggir jalan",
            "ktp elektronik belum jadi", "akta kelahiran anak belum keluar", "bpnt tidak cair bulan ini",
            "bidan desa jarang ada di pustu", "sekolah atap bocor kalau hujan", "drainase mampet banjir",
            "balap liar tiap malam minggu", "dana desa tidak transparan", "jembatan kayu lapuk mau roboh"]
SYLLABLES = ["ba", "da", "ka", "la", "ma", "na", "pa", "ra", "sa", "ta", "gu", "ju", "ku", "lu", "mu", "nu", "ri",
             "si", "ti", "wi", "ngan", "kan", "lah", "nya", "ung", "ang", "ing", "tor", "per", "ber"]
#: Pseudo-words standing for the free wording of each complaint, so two posts on the same subject in the same
#: desa differ the way real reports do (without them one "new" post in three matched another at 0.6 by chance).
DETAIL_WORDS = [a + b + c for a in SYLLABLES[:20] for b in SYLLABLES for c in SYLLABLES[20:]]
TAILS = ["mohon segera ditindaklanjuti", "tolong pak bupati", "warga sudah lapor berkali kali", "kapan diperbaiki",
         "sudah lama tidak ada perhatian", "anak sekolah kesulitan lewat", "terima kasih"]


@dataclass(slots=True)
class Row:
    channel: str
    source_id: str
    author_id: str
    author_name: str | None
    text: str
    created_at: datetime
    retweet_of_id: str | None = None
    quote_of_id: str | None = None


def synthetic(n: int, seed: int = 7, per_day: float | None = None) -> list[Row]:
    """Posts over a year (or at `per_day` posts a day, over as long as that takes); about 15% are
    copies, 10% copies with a sentence added, 5% retweets."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows: list[Row] = []
    for i in range(n):
        at = start + timedelta(seconds=i * 31_536_000 // n if per_day is None else i * 86_400 / per_day)
        roll = rng.random()
        if rows and roll < 0.15:
            text = rng.choice(rows[-2000:]).text
        elif rows and roll < 0.25:
            text = f"{rng.choice(rows[-2000:]).text} {rng.choice(TAILS)} {rng.randint(1, 99)}"
        else:
            text = _original(rng)
        retweet = str(rng.randint(0, i - 1)) if i and roll > 0.95 else None
        rows.append(Row(rng.choice(("twitter", "facebook", "sms")), str(i), f"u{rng.randint(1, n // 3 + 1)}", None,
                        text, at, retweet_of_id=retweet))
    return rows


def _original(rng: random.Random) -> str:
    place = f"di {rng.choice(DESA)} kecamatan {rng.choice(PLACES)} rt {rng.randint(1, 30)}"
    detail = " ".join(rng.choices(DETAIL_WORDS, k=rng.randint(3, 8)))
    return f"{rng.choice(SUBJECTS)} {place} {detail} {rng.choice(TAILS)} {rng.choice(TAILS)} no {rng.randint(1, 10**6)}"


def group(rows: list[Row], threshold: float = 0.6, window_days: int = 14) -> tuple[float, float, dict[str, int]]:
    """Group every row oldest first; returns wall seconds, CPU seconds and members per kind."""
    index = DuplicateIndex(window=timedelta(days=window_days), threshold=threshold)
    kinds: dict[str, int] = {}
    gc.freeze()  # the input rows are not the grouper's garbage: keep the collector from rescanning them
    started, cpu_started = time.perf_counter(), time.process_time()
    with fewer_collections():  # as `pilah batch` groups
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            sigs = [signature(rid, row, None, printed)
                    for rid, row, printed in zip(count(start + 1), batch, text_prints([row.text for row in batch]))]
            index.expect(sigs)
            for sig in sigs:
                match = index.match(sig)
                if match is not None:
                    kinds[match.kind] = kinds.get(match.kind, 0) + 1
                index.add(sig, match.canonical_id if match else None)
    return time.perf_counter() - started, time.process_time() - cpu_started, kinds


def recall(rows: list[Row], threshold: float = 0.6, window_days: int = 14) -> tuple[float, int]:
    """Share of the posts with an all-pairs near-duplicate earlier in the window that the index grouped by text.

    Links are dropped so a retweet cannot stand in for a textual match; only exact/near/cross_channel count.
    """
    for row in rows:
        row.retweet_of_id = row.quote_of_id = None
    sigs = [signature(rid, row, None) for rid, row in enumerate(rows, 1)]
    window = timedelta(days=window_days)
    truth, first = set(), 0
    for i, a in enumerate(sigs):  # rows are in time order: only the window before a can match it
        while sigs[first].created_at < a.created_at - window:
            first += 1
        if len(a.shingles) >= 3 and any(len(b.shingles) >= 3 and near_similarity(a.shingles, b.shingles, threshold)
                                        is not None for b in sigs[first:i]):
            truth.add(a.report_id)
    index = DuplicateIndex(window=window, threshold=threshold)
    found = set()
    for sig in sigs:
        match = index.match(sig)
        if match is not None and match.kind in ("exact", "near", "cross_channel"):
            found.add(sig.report_id)
        index.add(sig, match.canonical_id if match else None)
    return (len(truth & found) / len(truth) if truth else 1.0), len(truth)


def real_files(folder: Path) -> None:
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", errors="replace") as handle:
            reader = csv.DictReader(handle)
            column = next((c for c in reader.fieldnames or [] if c.lower() in ("text", "tweet", "isi", "content",
                                                                                 "laporan", "isi_laporan")), None)
            if column is None:
                print(f"{path.name}: no text column in {reader.fieldnames}")
                continue
            at = datetime(2026, 1, 1, tzinfo=UTC)
            rows = [Row("import", str(i), f"r{i}", None, r[column] or "", at) for i, r in enumerate(reader)]
        print(f"{path.name}: {len(rows)} posts, " + _real_groups(rows))


def _real_groups(rows: list[Row]) -> str:
    """Members and groups (distinct canonicals) per kind, and the all-pairs recall on this file."""
    index = DuplicateIndex(window=timedelta(days=3650), threshold=0.6)
    members: dict[str, int] = {}
    groups: dict[str, set[int]] = {}
    for rid, row in enumerate(rows, 1):
        sig = signature(rid, row, None)
        match = index.match(sig)
        if match is not None:
            members[match.kind] = members.get(match.kind, 0) + 1
            groups.setdefault(match.kind, set()).add(match.canonical_id)
        index.add(sig, match.canonical_id if match else None)
    share, truth = recall(rows, window_days=3650)
    return ", ".join(f"{kind} {members.get(kind, 0)} members in {len(groups.get(kind, ()))} groups"
                     for kind in ("exact", "near", "cross_channel", "author_repeat")) + \
        f"; recall vs all pairs {share:.3f} of {truth}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="125000,250000,500000,1000000")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--per-day", type=float, default=None, help="posts a day (default: every size over a year)")
    parser.add_argument("--recall", type=int, default=20000)
    parser.add_argument("--real", type=Path, default=Path("/work/shared/data"))
    args = parser.parse_args()
    previous: tuple[float, float] | None = None
    for size in (int(s) for s in args.sizes.split(",") if s):
        rows = synthetic(size, per_day=args.per_day)
        runs = []
        for _ in range(max(args.repeat, 1)):
            runs.append(group(rows))
            gc.unfreeze()
            gc.collect()
        del rows
        seconds, cpu = min(run[0] for run in runs), min(run[1] for run in runs)
        kinds = runs[0][2]
        ratio = f", x{seconds / previous[0]:.2f} wall x{cpu / previous[1]:.2f} cpu per doubling" if previous else ""
        every = " / ".join(f"{run[0]:.1f}" for run in runs)
        print(f"{size:>9} posts: {seconds:7.1f} s wall {cpu:7.1f} s cpu (runs: {every} s; "
              f"{sum(kinds.values())} grouped: {kinds}){ratio}", flush=True)
        previous = (seconds, cpu)
    if args.recall:
        share, pairs = recall(synthetic(args.recall, seed=11))
        print(f"recall on {args.recall} posts vs all pairs at the same threshold: {share:.3f} "
              f"({pairs} posts with an earlier near-duplicate)")
    if args.real.exists():
        real_files(args.real)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()

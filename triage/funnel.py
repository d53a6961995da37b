"""The batch funnel: how many posts survive each step from collection to an OPD.

collected (posts + quarantined items) → quarantined → duplicates → unclear (not duplicates) →
queued (the rest, triaged: real complaints in the review queue or beyond) → dispositioned (of the
queued, now with an OPD) → overdue (any report past its running deadline). Each number is a count
over the period, so a re-run on the same night prints the same funnel.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy.orm import Session

from pilah.queries import reports as q
from triage.deadlines import OVERDUE
from triage.flags import UNCLEAR_PREFIX
from triage.statistics import DISPOSITIONED

LABELS = {
    "collected": "Terkumpul (pos + karantina)",
    "quarantined": "Karantina (tidak terbaca)",
    "duplicates": "Duplikat",
    "unclear": "Tidak jelas",
    "queued": "Masuk antrean (pengaduan nyata)",
    "dispositioned": "Didisposisikan ke OPD",
    "overdue": "Lewat tenggat",
}


@dataclass(frozen=True)
class Funnel:
    collected: int
    quarantined: int
    duplicates: int
    unclear: int
    queued: int
    dispositioned: int
    overdue: int

    def stages(self) -> list[tuple[str, str, int]]:
        return [(f.name, LABELS[f.name], getattr(self, f.name)) for f in fields(self)]

    def __str__(self) -> str:
        return " → ".join(f"{name} {value}" for name, _, value in self.stages())


def compute_funnel(session: Session, *, start: datetime | None = None, end: datetime | None = None) -> Funnel:
    posts, quarantined = q.count_posts(session, start, end), q.count_quarantine(session, start, end)
    counts = q.funnel_counts(session, start, end, UNCLEAR_PREFIX, OVERDUE, DISPOSITIONED)
    return Funnel(collected=posts + quarantined, quarantined=quarantined, **counts)


def funnel_markdown(funnel: Funnel) -> str:
    lines = ["## Corong proses (funnel)", "", "| Tahap | Jumlah |", "| --- | ---: |"]
    lines += [f"| {label} | {value} |" for _, label, value in funnel.stages()]
    return "\n".join(lines) + "\n"

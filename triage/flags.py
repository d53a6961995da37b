"""The flag vocabulary: why a report needs a person's attention, as a stable code and a reason.

Codes are stored in report_flags.code (unique per report) and are what the queue filters on;
reasons are the Indonesian sentence a verifikator reads. `source` says who raised the flag:
`model` (the classifier), `rule` (triage's own rules) or `staff`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from pilah.queries import reports as q
from pilah.queries import triage_rows as rows
from pilah.queries.triage_rows import FlagRow
from pilah.schema import Report, ReportFlag

UNCLEAR_PREFIX = "unclear:"
LOW_CONFIDENCE = "low_confidence"
NO_LOCATION = "no_location"
OUTSIDE_KABUPATEN = "outside_kabupaten"
PII = "pii"
DUPLICATE = "duplicate"
DUPLICATE_GROUP = "duplicate_group"
SUGGESTED_OPD_PREFIX = "suggested_opd:"

#: Reason texts for the shared unclear (tidak jelas) codes of classify.
UNCLEAR_REASONS = {
    "greeting_only": "Hanya salam atau sapaan, tidak ada isi pengaduan",
    "too_short": "Terlalu pendek untuk dipahami",
    "no_complaint": "Tidak berisi pengaduan atau aspirasi",
    "spam": "Promosi, iklan atau judi online (spam)",
    "off_topic": "Di luar urusan pemerintah daerah",
    "mentions_only": "Hanya berisi mention, tautan atau tagar",
    "question": "Pertanyaan atau permintaan informasi tentang layanan, bukan pengaduan: jawab atau teruskan ke OPD",
}

PII_KINDS = {"nik": "NIK", "kk": "nomor KK", "phone": "nomor telepon", "email": "alamat e-mail"}


def unclear_code(reason: str) -> str:
    return f"{UNCLEAR_PREFIX}{reason}"


def unclear_reason_text(reason: str) -> str:
    return UNCLEAR_REASONS.get(reason, f"Tidak jelas ({reason})")


def suggested_opd_code(opd_code: str) -> str:
    return f"{SUGGESTED_OPD_PREFIX}{opd_code}"


def set_flag(session: Session, report: Report, code: str, reason: str, source: str = "rule") -> None:
    """Add the flag, or update its reason; a flag row never touches the report row's version."""
    existing = q.flag(session, report.id, code)
    if existing is None:
        session.add(ReportFlag(report_id=report.id, code=code, reason=reason, source=source))
    elif existing.reason != reason or existing.source != source:
        existing.reason, existing.source = reason, source


class FlagPlan:
    """One report's flags as triage leaves them: set and cleared in memory, then written as row changes.

    Starts from the rows the report has; `changes()` says which rows to insert, which to update
    (a flag cleared and set again keeps its row, so a re-run finds the same rows) and which to delete.
    """

    def __init__(self, rows: Mapping[str, FlagRow]) -> None:
        self.before = dict(rows)
        self.after: dict[str, tuple[str, str]] = {code: (row.reason, row.source) for code, row in rows.items()}

    def set(self, code: str, reason: str, source: str = "rule") -> None:
        self.after[code] = (reason, source)

    def clear(self, *, prefix: str = "", source: str | None = None) -> None:
        """Drop the flags whose code starts with prefix (and, if given, raised by source)."""
        for code in [code for code, (_, by) in self.after.items()
                     if code.startswith(prefix) and (source is None or by == source)]:
            del self.after[code]

    def changes(self) -> tuple[list[tuple[str, str, str]], list[tuple[int, str, str]], list[int]]:
        """(new flags as (code, reason, source), changed rows as (id, reason, source), ids of rows to delete)."""
        inserts, updates = [], []
        for code, (reason, source) in self.after.items():
            row = self.before.get(code)
            if row is None:
                inserts.append((code, reason, source))
            elif (row.reason, row.source) != (reason, source):
                updates.append((row.id, reason, source))
        deletes = [row.id for code, row in self.before.items() if code not in self.after]
        return inserts, updates, deletes


def write_flag_plans(session: Session, plans: Mapping[int, FlagPlan], *, created_at: datetime) -> None:
    """Write many reports' flag changes in three statements (inserts, updates, deletes)."""
    inserts: list[dict] = []
    updates: list[dict] = []
    deletes: list[int] = []
    for report_id, plan in plans.items():
        new, changed, gone = plan.changes()
        inserts += [{"report_id": report_id, "code": code, "reason": reason, "source": source,
                     "created_at": created_at} for code, reason, source in new]
        updates += [{"id": flag_id, "reason": reason, "source": source} for flag_id, reason, source in changed]
        deletes += gone
    rows.delete_flags(session, deletes)
    rows.update_flag_reasons(session, updates)
    rows.insert_flags(session, inserts)


def clear_flags(session: Session, report: Report, *, prefix: str) -> None:
    """Remove this report's flags whose code starts with prefix (e.g. an outdated suggestion)."""
    for row in q.flags_with_prefix(session, report.id, prefix):
        session.delete(row)


def clear_flag(session: Session, report: Report, code: str) -> None:
    """Remove this report's flag ``code`` (only that one: codes may be prefixes of others)."""
    for row in q.flags_with_prefix(session, report.id, code):
        if row.code == code:
            session.delete(row)


def flag_codes(session: Session, report: Report) -> list[str]:
    return [row.code for row in q.flags_of(session, report.id)]


def suggested_opd(session: Session, report: Report) -> str | None:
    """The OPD triage suggested for this report (the verifikator decides), if any."""
    rows = q.flags_with_prefix(session, report.id, SUGGESTED_OPD_PREFIX)
    return rows[0].code.removeprefix(SUGGESTED_OPD_PREFIX) if rows else None

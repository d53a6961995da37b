"""The flag vocabulary: why a report needs a person's attention, as a stable code and a reason.

Codes are stored in report_flags.code (unique per report) and are what the queue filters on;
reasons are the Indonesian sentence a verifikator reads. `source` says who raised the flag:
`model` (the classifier), `rule` (triage's own rules) or `staff`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from pilah.queries import reports as q
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


class FlagSet:
    """One report's flags loaded once, set and cleared in memory: the triage batch touches thousands of reports.

    The same rules as `set_flag` / `clear_flags` without a query each. A cleared flag that is set
    again before `settle()` is updated in place rather than deleted and re-inserted, because one
    flush inserts before it deletes and (report_id, code) is unique.
    """

    def __init__(self, session: Session, report: Report, rows: Iterable[ReportFlag]) -> None:
        self.session, self.report = session, report
        self.rows = {row.code: row for row in rows}
        self._dropped: dict[str, ReportFlag] = {}

    def set(self, code: str, reason: str, source: str = "rule") -> None:
        existing = self.rows.get(code) or self._dropped.pop(code, None)
        if existing is None:
            existing = ReportFlag(report_id=self.report.id, code=code, reason=reason, source=source)
            self.session.add(existing)
        elif existing.reason != reason or existing.source != source:
            existing.reason, existing.source = reason, source
        self.rows[code] = existing

    def clear(self, *, prefix: str = "", source: str | None = None) -> None:
        """Drop the flags whose code starts with prefix (and, if given, raised by source)."""
        for code in [code for code, row in self.rows.items()
                     if code.startswith(prefix) and (source is None or row.source == source)]:
            self._dropped[code] = self.rows.pop(code)

    def settle(self) -> None:
        """Delete what was cleared and not set again."""
        for row in self._dropped.values():
            self.session.delete(row)
        self._dropped.clear()


def clear_flags(session: Session, report: Report, *, prefix: str) -> None:
    """Remove this report's flags whose code starts with prefix (e.g. an outdated suggestion)."""
    for row in q.flags_with_prefix(session, report.id, prefix):
        session.delete(row)


def flag_codes(session: Session, report: Report) -> list[str]:
    return [row.code for row in q.flags_of(session, report.id)]


def suggested_opd(session: Session, report: Report) -> str | None:
    """The OPD triage suggested for this report (the verifikator decides), if any."""
    rows = q.flags_with_prefix(session, report.id, SUGGESTED_OPD_PREFIX)
    return rows[0].code.removeprefix(SUGGESTED_OPD_PREFIX) if rows else None

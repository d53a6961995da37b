"""Bulk verify/reject/disposition over a queue selection: one triage call per report, each in its
own savepoint, so one conflicting report is skipped without undoing the others."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from pilah.queries import web as queries
from pilah.web.actions import triage_message
from pilah.web.i18n import N_, gettext
from triage import queue as triage_queue
from triage.errors import TriageError
from triage.rerouting import RETURNED
from triage.routing import route
from triage.sla import WorkingCalendar

BULK_ACTIONS = ("verify", "reject", "disposition")
MAX_SELECTION = 200


def bulk_selection(values: list[str]) -> dict[int, int]:
    """'id:version' checkbox values → {id: version}; malformed values are ignored."""
    selected: dict[int, int] = {}
    for value in values[:MAX_SELECTION]:
        report_id, _, version = value.partition(":")
        if report_id.isdigit() and version.isdigit():
            selected[int(report_id)] = int(version)
    return selected


def apply_bulk(db: Session, selected: dict[int, int], action: str, *, actor: str, at: datetime, reason: str,
               opd_code: str | None, calendar: WorkingCalendar, taxonomy_version: str) -> tuple[int, dict[int, str]]:
    """(reports done, why each skipped one was skipped, by id, in the reader's language).
    ``taxonomy_version``: the taxonomy the verified reports' labels are written under."""
    done, skipped = 0, {}
    found = queries.reports_by_ids(db, list(selected))
    for report in found:
        try:
            with db.begin_nested():
                _one(db, report, action, selected[report.id], actor, at, reason, opd_code, calendar,
                     taxonomy_version=taxonomy_version)
            done += 1
        except ReturnedByRuleOpd:
            db.expire(report)
            skipped[report.id] = gettext(N_("Laporan #{id}: aturan menunjuk OPD yang mengembalikannya (bukan "
                                            "wewenang); pilih OPD tujuannya di halaman laporan.")).format(id=report.id)
        except (TriageError, ValueError) as exc:
            db.expire(report)
            skipped[report.id] = _naming(report.id, triage_message(exc) if isinstance(exc, TriageError) else str(exc))
    for missing in sorted(set(selected) - {report.id for report in found}):
        skipped[missing] = gettext(N_("Laporan #{id} tidak ditemukan.")).format(id=missing)
    db.commit()
    return done, skipped


def _naming(report_id: int, message: str) -> str:
    """A refusal that names its report ("Laporan #12 …"), or the refusal after the report's number."""
    return message if f"#{report_id}" in message else f"#{report_id}: {message}"


class ReturnedByRuleOpd(ValueError):
    """The routing rules point a bulk disposition at the OPD that returned the report: a person decides."""


def _one(db: Session, report, action: str, version: int, actor: str, at: datetime, reason: str,
         opd_code: str | None, calendar: WorkingCalendar, *, taxonomy_version: str) -> None:
    if action == "verify":
        triage_queue.verify(db, report, actor=actor, taxonomy_version=taxonomy_version, expected_version=version,
                            at=at)
    elif action == "reject":
        triage_queue.reject(db, report, actor=actor, reason=reason, expected_version=version, at=at)
    else:
        target = opd_code or route(db, report.category, report.kecamatan_code).opd_code
        refused = {d.opd_code for d in queries.report_dispositions(db, report.id) if d.delivery_state == RETURNED}
        if not opd_code and target in refused:
            raise ReturnedByRuleOpd(f"{target} returned report {report.id} as not its authority")
        triage_queue.disposition(db, report, target, actor=actor, calendar=calendar, now=at,
                                 expected_version=version)

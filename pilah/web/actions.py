"""The web side of a report action: load in scope, call triage, commit; map domain errors to pages.

`perform` is the one path every POST on a report takes, so each handler is a few lines: the
version the form was rendered with goes to triage.queue, which refuses with VersionConflict
when someone saved in between; the page is then re-rendered as it now is, with status 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from pilah.queries import web as queries
from pilah.schema import Report, User
from pilah.web import directory, roles
from pilah.web.deps import flash, redirect_to
from pilah.web.errors import NotFound
from pilah.web.i18n import N_, current_language, gettext
from triage import flags as triage_flags
from triage.errors import DirectoryInvalid, TriageError, VersionConflict
from triage.routing import RoutingTable
from triage.sla import WorkingCalendar

Action = Callable[[Report], Any]


def load_in_scope(db: Session, user: User, report_id: int):
    """The report and its post, or NotFound when it doesn't exist or lies outside the OPD's scope."""
    found = queries.report_with_post(db, report_id)
    if found is None or (user.role == "opd" and not roles.in_opd_scope(user, found[0])):
        raise NotFound()
    return found


def perform(request: Request, db: Session, user: User, report_id: int, action: Action, *, done: str,
            back: str = "queue.report", back_url: str | None = None, template: str = "queue/report.html",
            done_values: Callable[[Any], dict[str, Any]] | None = None):
    """Run `action(report)`; commit and redirect, or re-render with the conflict or refusal.

    `done` is the flash msgid; `done_values(result)` fills its {placeholders} from what the action returned.
    """
    from pilah.web.routes.queue import render_report

    report, post = load_in_scope(db, user, report_id)
    try:
        result = action(report)
        db.commit()
    except VersionConflict:
        db.rollback()
        report, post = load_in_scope(db, user, report_id)
        return render_report(request, db, user, report, post, status_code=409, template=template,
                             errors={"conflict": gettext(N_("Laporan ini baru saja diubah oleh orang lain. Periksa "
                                                            "keadaan terkini di bawah lalu ulangi tindakan Anda."))})
    except TriageError as exc:
        db.rollback()
        report, post = load_in_scope(db, user, report_id)
        return render_report(request, db, user, report, post, status_code=422, template=template,
                             errors={"form": triage_message(exc)})
    flash(request, gettext(done).format(**done_values(result)) if done_values else gettext(done))
    return RedirectResponse(back_url, status_code=303) if back_url else redirect_to(request, back, report_id=report_id)


def triage_message(exc: TriageError) -> str:
    return exc.message_en if current_language() == "en" else exc.message_id


def form_error(request: Request, db: Session, user: User, report_id: int, errors: dict[str, str], *,
               template: str = "queue/report.html"):
    from pilah.web.routes.queue import render_report

    report, post = load_in_scope(db, user, report_id)
    return render_report(request, db, user, report, post, errors=errors, status_code=400, template=template)


def suggested_opd(report: Report, choices: queries.PageChoices, refused: frozenset[str] = frozenset()) -> str | None:
    """The OPD the form preselects; the verifikator decides.

    What the routing rules say for the report's category and kecamatan as they are now, so that a
    verifikator's correction moves the suggestion with it (triage's suggestion flag was made before
    it, from the model's tags; it is used only when the rules decide nothing, i.e. no default route is
    active: an admin may have deactivated it, and the page must still open). An OPD that returned the
    report as "bukan wewenang" (``refused``) is never suggested again. The page's "Usulan disposisi"
    line shows this same value, so the hint and the form never disagree."""
    if report.opd_code:
        return report.opd_code
    try:
        decided = RoutingTable(choices.rules).decide(report.category, report.kecamatan_code).opd_code
    except DirectoryInvalid:
        prefix = triage_flags.SUGGESTED_OPD_PREFIX
        codes = sorted(flag.code for flag in report.flags if flag.code.startswith(prefix))
        decided = codes[0].removeprefix(prefix) if codes else None
    return None if decided in refused else decided


def suggested_reject_reason(report: Report) -> str | None:
    """The rejection reason the form preselects: the one triage flagged the post unclear for (the
    first, in code order), else none, so that a rejection names a reason someone chose."""
    prefix = triage_flags.UNCLEAR_PREFIX
    flagged = sorted(flag.code.removeprefix(prefix) for flag in report.flags if flag.code.startswith(prefix))
    return next((code for code in flagged if code in directory.UNCLEAR_REASONS), None)


def working_calendar(request: Request) -> WorkingCalendar:
    """The holiday calendar, loaded once per app (the same one the queue's disposition uses)."""
    state = request.app.state
    if getattr(state, "calendar", None) is None:
        state.calendar = WorkingCalendar.load(state.settings.data_dir / "holidays", state.settings.zone)
    return state.calendar


def taxonomy_version(request: Request) -> str:
    """The taxonomy version a label written now is written under: that of the categories the pages offer."""
    return directory.taxonomy(request.app.state.settings.data_dir).version


_NO_DESA: dict[str, str] = {}


def desa_choices(report: Report) -> dict[str, str]:
    """The desa of the report's kecamatan: a cached table, or the one empty table (never a new dict, since
    `templating._options` remembers a table's options by its identity)."""
    return directory.desa(report.kecamatan_code) if report.kecamatan_code else _NO_DESA

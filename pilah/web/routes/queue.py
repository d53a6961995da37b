"""The verifikator's queue (`/antrian`) and one report's page with its actions.

Handlers parse the form, call `triage.queue`, commit, and redirect; the version check and the
audit event happen in the library. A VersionConflict re-renders the report as it now is (409).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session

from pilah.queries import web as queries
from pilah.schema import CHANNELS, Report, ReportStatus, User
from pilah.web import actions, directory
from pilah.web.bulk import BULK_ACTIONS, apply_bulk, bulk_selection
from pilah.web.deps import closing, current_user, flash, get_db, now, redirect_to
from pilah.web.directory import UNCLEAR_REASONS
from pilah.web.errors import NotFound
from pilah.web.forms import FieldErrors, parse_version, queue_filter
from pilah.web.i18n import N_, gettext
from pilah.web.templating import render
from pilah.web.views import opd_names, report_view
from triage import queue as triage_queue
from triage.multi_issue import may_split
from triage.rerouting import RETURNED

router = APIRouter(prefix="/antrian")


@router.get("", name="queue.list")
async def queue_list(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    """On the event loop (see `deps.on_loop`): nothing here awaits."""
    with closing(db):
        errors = FieldErrors()
        wanted = queue_filter(dict(request.query_params), request.app.state.settings.zone, errors, say_reversed=True)
        page = queries.queue_page(db, wanted, now=now(request), page_size=request.app.state.settings.web.page_size)
        choices = queries.page_choices(db)
        context = {"page": page, "wanted": wanted, "errors": errors.errors, "statuses": list(ReportStatus),
                   "channels": CHANNELS, "flags": choices.flag_codes, "opds": choices.opds,
                   "opd_names": opd_names(db, choices.opds, _suggested_opds(page, choices)),
                   "query": request.query_params, "now": now(request)}
        return render(request, "queue/list.html", context, status_code=400 if errors else 200)


def _suggested_opds(page: queries.QueuePage, choices: queries.PageChoices) -> list[str]:
    """The OPDs the rows' and the flag filter's "suggested OPD" flags name, deactivated ones too: triage's
    flag stays on a report after an admin deactivates the office it suggested."""
    return directory.suggested_opds((*choices.flag_codes, *(code for row in page.rows for code in row.flags)))


@router.get("/{report_id}", name="queue.report")
async def report_page(request: Request, report_id: int, db: Session = Depends(get_db),
                      user: User = Depends(current_user)):
    """On the event loop (see `deps.on_loop`): nothing here awaits."""
    with closing(db):
        found = queries.report_page(db, report_id)
        if found is None:
            raise NotFound()
        return render_report(request, db, user, found.report, found.post, present=found)


def render_report(request: Request, db: Session, user: User, report, post, *, errors: dict | None = None,
                  status_code: int = 200, template: str = "queue/report.html",
                  present: queries.ReportPage | None = None):
    choices = queries.page_choices(db)
    view = report_view(db, user, report, post, present)
    refused = frozenset(d.opd_code for d in view.dispositions if d.delivery_state == RETURNED)
    suggested = actions.suggested_opd(report, choices, refused)
    named = opd_names(db, choices.opds, (report.opd_code, suggested, *(d.opd_code for d in view.dispositions),
                                         *directory.history_opds(view.history)))
    context = {"view": view, "errors": errors or {}, "opds": choices.opds, "opd_names": named,
               "suggested_opd": suggested, "reject_reason": actions.suggested_reject_reason(report),
               "desa": actions.desa_choices(report),
               "may_reopen": report.status in triage_queue.REOPENABLE,
               "may_split_issue": may_split(report)}
    return render(request, template, context, status_code=status_code)


def _checked(request, db, user, report_id, version: str, check=None):
    """The expected version, or the re-rendered page with field errors (400)."""
    errors = FieldErrors()
    expected = parse_version(version, errors)
    if check:
        check(errors)
    if errors:
        return None, actions.form_error(request, db, user, report_id, errors.errors)
    return expected, None


@router.post("/{report_id}/verifikasi", name="queue.report:verify")
def verify(request: Request, report_id: int, version: str = Form(""), category: str = Form(""),
           kecamatan_code: str = Form(""), desa_code: str = Form(""), db: Session = Depends(get_db),
           user: User = Depends(current_user)):
    settings = request.app.state.settings
    expected, error = _checked(request, db, user, report_id, version,
                               lambda e: check_location(e, settings, category, kecamatan_code, desa_code))
    if error:
        return error
    if not category and _retired_category(db, settings, report_id):
        return actions.form_error(request, db, user, report_id, {"category": gettext(N_(
            "Kategori laporan ini tidak ada lagi di taksonomi; pilih kategorinya."))})
    return actions.perform(request, db, user, report_id, lambda r: triage_queue.verify(
        db, r, actor=user.username, taxonomy_version=actions.taxonomy_version(request), category=category or None,
        kecamatan_code=kecamatan_code or None, desa_code=desa_code or None, expected_version=expected,
        at=now(request)),
        done=N_("Laporan diverifikasi."))


def _retired_category(db: Session, settings, report_id: int) -> bool:
    """Whether the report carries a category the taxonomy no longer has: verifying it unchanged would
    confirm a category nobody can choose, and training skips its label."""
    report = db.get(Report, report_id)
    return bool(report and report.category and report.category not in directory.categories(settings.data_dir))


@router.post("/{report_id}/disposisi", name="queue.report:disposition")
def dispose(request: Request, report_id: int, version: str = Form(""), opd_code: str = Form(""),
            note: str = Form(""), db: Session = Depends(get_db), user: User = Depends(current_user)):
    expected, error = _checked(request, db, user, report_id, version,
                               lambda e: None if opd_code else e.add("opd_code", N_("Pilih OPD tujuan.")))
    if error:
        return error
    return actions.perform(request, db, user, report_id, lambda r: triage_queue.disposition(
        db, r, opd_code, actor=user.username, calendar=actions.working_calendar(request), now=now(request),
        note=note.strip()[:500] or None, expected_version=expected), done=N_("Laporan didisposisikan."))


@router.post("/{report_id}/tolak", name="queue.report:reject")
def reject(request: Request, report_id: int, version: str = Form(""), reason: str = Form(""),
           note: str = Form(""), db: Session = Depends(get_db), user: User = Depends(current_user)):
    expected, error = _checked(request, db, user, report_id, version, lambda e: None if reason in UNCLEAR_REASONS
                               else e.add("reason", N_("Pilih alasan penolakan.")))
    if error:
        return error
    why = f"{reason}: {note.strip()[:500]}" if note.strip() else reason
    return actions.perform(request, db, user, report_id, lambda r: triage_queue.reject(
        db, r, actor=user.username, reason=why, expected_version=expected, at=now(request)),
        done=N_("Laporan ditolak."))


@router.post("/{report_id}/tunda", name="queue.report:pending")
def pending(request: Request, report_id: int, version: str = Form(""), message: str = Form(""),
            db: Session = Depends(get_db), user: User = Depends(current_user)):
    expected, error = _checked(request, db, user, report_id, version, lambda e: None if message.strip()
                               else e.add("message", N_("Tulis pertanyaan untuk pelapor.")))
    if error:
        return error
    return actions.perform(request, db, user, report_id, lambda r: triage_queue.set_pending(
        db, r, actor=user.username, message=message.strip()[:1000], expected_version=expected, at=now(request)),
        done=N_("Laporan ditunda; pertanyaan menunggu dikirim ke pelapor."))


@router.post("/{report_id}/lanjutkan", name="queue.report:resume")
def resume(request: Request, report_id: int, version: str = Form(""), note: str = Form(""),
           db: Session = Depends(get_db), user: User = Depends(current_user)):
    """Back to verification from tertunda once the reporter has answered (the clock runs on from where it stopped)."""
    expected, error = _checked(request, db, user, report_id, version)
    if error:
        return error
    return actions.perform(request, db, user, report_id, lambda r: triage_queue.resume(
        db, r, actor=user.username, calendar=actions.working_calendar(request), now=now(request),
        reason=note.strip()[:500] or None, expected_version=expected),
        done=N_("Laporan kembali ke antrian verifikasi."))


@router.post("/{report_id}/buka-kembali", name="queue.report:reopen")
def reopen(request: Request, report_id: int, version: str = Form(""), reason: str = Form(""),
           db: Session = Depends(get_db), user: User = Depends(current_user)):
    """Back to perlu_verifikasi from ditolak or terverifikasi, saying why the earlier decision was wrong."""
    expected, error = _checked(request, db, user, report_id, version, lambda e: None if reason.strip()
                               else e.add("reopen_reason", N_("Tulis alasan membuka kembali laporan ini.")))
    if error:
        return error
    return actions.perform(request, db, user, report_id, lambda r: triage_queue.reopen(
        db, r, actor=user.username, reason=reason.strip()[:500], expected_version=expected, at=now(request)),
        done=N_("Laporan dibuka kembali dan menunggu verifikasi ulang."))


def check_location(errors: FieldErrors, settings, category: str, kecamatan_code: str, desa_code: str) -> None:
    if category and category not in directory.categories(settings.data_dir):
        errors.add("category", N_("Kategori tidak dikenal."))
    if kecamatan_code and kecamatan_code not in directory.kecamatan(settings.kabupaten):
        errors.add("kecamatan_code", N_("Kecamatan tidak dikenal di kabupaten ini."))
    if desa_code and (not kecamatan_code or desa_code not in directory.desa(kecamatan_code)):
        errors.add("desa_code", N_("Kode desa tidak berada di kecamatan yang dipilih."))


@router.post("/massal", name="queue.bulk")
def bulk(request: Request, ids: list[str] = Form(default_factory=list), action: str = Form(""),
         reason: str = Form(""), opd_code: str = Form(""), db: Session = Depends(get_db),
         user: User = Depends(current_user)):
    """Apply one action to each selected report (id:version); each succeeds or is counted as skipped."""
    selected = bulk_selection(ids)
    if action not in BULK_ACTIONS or not selected or (action == "reject" and reason not in UNCLEAR_REASONS):
        flash(request, gettext(N_("Pilih laporan, tindakan, dan alasan penolakan bila menolak.")), "error")
        return redirect_to(request, "queue.list")
    done, skipped = apply_bulk(db, selected, action, actor=user.username, at=now(request), reason=reason,
                               opd_code=opd_code or None, calendar=actions.working_calendar(request),
                               taxonomy_version=actions.taxonomy_version(request))
    message = gettext(N_("Berhasil: {done}, dilewati: {skipped}.")).format(done=done, skipped=len(skipped))
    why = list(skipped.values())
    if len(why) > SKIPPED_SHOWN:
        why = [*why[:SKIPPED_SHOWN], gettext(N_("dan {n} lainnya.")).format(n=len(why) - SKIPPED_SHOWN)]
    flash(request, " ".join([message, *why]), "ok" if not skipped else "error")
    return redirect_to(request, "queue.list")


#: Skipped reports a bulk action names with their reason; the rest are counted.
SKIPPED_SHOWN = 10

"""The OPD liaison's view (`/opd`): reports dispositioned to their OPD and the follow-up actions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session

from pilah.queries import web as queries
from pilah.schema import User
from pilah.web import actions
from pilah.web.deps import current_user, get_db, local_path, now
from pilah.web.forms import FieldErrors, parse_version, queue_filter
from pilah.web.i18n import N_, gettext
from pilah.web.roles import OPD_VISIBLE_STATUSES
from pilah.web.routes.queue import render_report
from pilah.web.templating import render
from triage import queue as triage_queue
from triage.rerouting import return_not_our_authority

router = APIRouter(prefix="/opd")
TEMPLATE = "opd/report.html"


@router.get("", name="opd.list")
def opd_list(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    params = dict(request.query_params)
    params.setdefault("status", "semua")
    errors = FieldErrors()
    wanted = queue_filter(params, request.app.state.settings.zone, errors, say_reversed=True)
    if wanted.status not in ("semua", *OPD_VISIBLE_STATUSES):
        wanted = queue_filter({**params, "status": "semua"}, request.app.state.settings.zone, errors,
                              say_reversed=True)
    page = queries.queue_page(db, wanted, now=now(request), page_size=request.app.state.settings.web.page_size,
                              opd_code=user.opd_code or "", statuses=OPD_VISIBLE_STATUSES)
    context = {"page": page, "rows": page.rows, "wanted": wanted, "query": request.query_params,
               "now": now(request), "opd_names": own_opd_name(db, user)}
    return render(request, "opd/list.html", context)


def own_opd_name(db: Session, user: User) -> dict[str, str]:
    """The liaison's OPD by its full name for the page's heading (code → name, as `directory.opd_label` takes
    it): a liaison knows their office as "Dinas Pekerjaan Umum dan Penataan Ruang", not as "dpupr"."""
    opd = queries.opd_by_code(db, user.opd_code) if user.opd_code else None
    return {opd.code: opd.name} if opd else {}


@router.get("/laporan/{report_id}", name="opd.report")
def opd_report(request: Request, report_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    report, post = actions.load_in_scope(db, user, report_id)
    return render_report(request, db, user, report, post, template=TEMPLATE)


def _version_or_error(request, db, user, report_id, version: str):
    errors = FieldErrors()
    expected = parse_version(version, errors)
    if errors:
        return None, actions.form_error(request, db, user, report_id, errors.errors, template=TEMPLATE)
    return expected, None


@router.post("/laporan/{report_id}/mulai", name="opd.report:start")
def opd_start(request: Request, report_id: int, version: str = Form(""), note: str = Form(""),
              db: Session = Depends(get_db), user: User = Depends(current_user)):
    expected, error = _version_or_error(request, db, user, report_id, version)
    if error:
        return error
    return actions.perform(
        request, db, user, report_id,
        lambda r: triage_queue.start_follow_up(db, r, actor=user.username, expected_version=expected,
                                               note=note.strip()[:2000] or gettext(N_("Mulai ditindaklanjuti.")),
                                               at=now(request)),
        done=N_("Laporan ditandai sedang ditindaklanjuti."), back="opd.report", template=TEMPLATE)


@router.post("/laporan/{report_id}/selesai", name="opd.report:followup")
def opd_followup(request: Request, report_id: int, version: str = Form(""), note: str = Form(""),
                 db: Session = Depends(get_db), user: User = Depends(current_user)):
    expected, error = _version_or_error(request, db, user, report_id, version)
    if error:
        return error
    if not note.strip():
        errors = {"note": gettext(N_("Catatan tindak lanjut wajib diisi."))}
        return actions.form_error(request, db, user, report_id, errors, template=TEMPLATE)
    return actions.perform(
        request, db, user, report_id,
        lambda r: triage_queue.complete(db, r, actor=user.username, expected_version=expected,
                                        note=note.strip()[:2000], at=now(request)),
        done=N_("Tindak lanjut selesai dicatat."), back="opd.report", template=TEMPLATE)


@router.post("/laporan/{report_id}/kembalikan", name="opd.report:return")
def opd_return(request: Request, report_id: int, version: str = Form(""), reason: str = Form(""),
               db: Session = Depends(get_db), user: User = Depends(current_user)):
    expected, error = _version_or_error(request, db, user, report_id, version)
    if error:
        return error
    if not reason.strip():
        return actions.form_error(request, db, user, report_id,
                                  {"reason": gettext(N_("Alasan 'bukan wewenang' wajib diisi."))}, template=TEMPLATE)
    return actions.perform(
        request, db, user, report_id,
        lambda r: return_not_our_authority(db, r, actor=user.username, reason=reason.strip()[:1000],
                                           calendar=actions.working_calendar(request), now=now(request),
                                           expected_version=expected),
        done=N_("Laporan dikembalikan ke verifikator."), back_url=local_path(request, "opd.list"), template=TEMPLATE)

"""A multi-issue post on the report page: "pisahkan menjadi laporan kedua" with the second category.

`triage.multi_issue.split_issue` creates the linked report (with its audit events) and refuses a
stale version or an unsplittable report; this module checks the form and reports the new number.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session

from pilah.schema import Report, User
from pilah.web import actions, directory
from pilah.web.deps import current_user, get_db, now
from pilah.web.forms import FieldErrors, clean_note, parse_version
from pilah.web.i18n import N_
from triage.multi_issue import split_issue

router = APIRouter(prefix="/antrian")


@router.post("/{report_id}/pisah-laporan", name="queue.report:split_issue")
def split_second_issue(request: Request, report_id: int, version: str = Form(""), category: str = Form(""),
                       note: str = Form(""), db: Session = Depends(get_db), user: User = Depends(current_user)):
    errors = FieldErrors()
    expected = parse_version(version, errors)
    report, _ = actions.load_in_scope(db, user, report_id)
    if category not in directory.categories(request.app.state.settings.data_dir):
        errors.add("split_category", N_("Pilih kategori pengaduan kedua."))
    elif category == report.category:
        errors.add("split_category", N_("Pengaduan kedua harus berkategori lain dari laporan ini."))
    if errors:
        return actions.form_error(request, db, user, report_id, errors.errors)

    def act(current: Report):
        return split_issue(db, current.id, category, actor=user.username, calendar=actions.working_calendar(request),
                           now=now(request), note=clean_note(note), expected_version=expected)
    return actions.perform(request, db, user, report_id, act,
                           done=N_("Laporan kedua #{number} dibuat dan menunggu verifikasi."),
                           done_values=lambda split: {"number": split.report_id})

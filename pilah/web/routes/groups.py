"""Duplicate groups on the report page: mark as duplicate of, split out of a group, merge two groups.

The work is `triage.groups` (which writes the audit events and the group flags); this module checks
the form, the version the person saw, and that the other report exists, then goes through
`actions.perform` like every report action (409 with the current state on a stale version).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from pilah.queries import web as queries
from pilah.schema import Report, User
from pilah.web import actions
from pilah.web.deps import current_user, get_db, now
from pilah.web.forms import FieldErrors, clean_note, parse_report_id, parse_version
from pilah.web.i18n import N_
from triage import groups
from triage.errors import VersionConflict

router = APIRouter(prefix="/antrian")


def group_of(report: Report) -> int:
    """The id of the group's head (a report outside any group heads its own)."""
    return report.duplicate_of_id or report.id


def _expect(report: Report, expected: int | None) -> None:
    if expected is not None and report.version != expected:
        raise VersionConflict(report.id, expected, report.version)


def _checked(request: Request, db: Session, user: User, report_id: int, version: str, other_id: str, *,
             same_group_message: str):
    """(expected version, other report) or the page re-rendered with field errors (400)."""
    errors = FieldErrors()
    expected = parse_version(version, errors)
    target_id = parse_report_id(other_id, "other_id", errors)
    report, _ = actions.load_in_scope(db, user, report_id)
    other = queries.report_with_post(db, target_id) if target_id else None
    if target_id and other is None:
        errors.add("other_id", N_("Laporan dengan nomor itu tidak ada."))
    elif other is not None and target_id == report.id:
        errors.add("other_id", N_("Pilih laporan lain, bukan laporan ini sendiri."))
    elif other is not None and group_of(other[0]) == group_of(report):
        errors.add("other_id", same_group_message)
    if errors:
        return None, None, actions.form_error(request, db, user, report_id, errors.errors)
    return expected, other[0], None


@router.post("/{report_id}/duplikat", name="queue.report:duplicate")
def mark_duplicate(request: Request, report_id: int, version: str = Form(""), other_id: str = Form(""),
                   note: str = Form(""), db: Session = Depends(get_db), user: User = Depends(current_user)):
    """This report (with any reports grouped under it) joins the other report's group.

    A report that is a member of another group leaves that group first, so only it moves.
    """
    expected, other, error = _checked(request, db, user, report_id, version, other_id,
                                      same_group_message=N_("Laporan ini sudah satu grup dengan laporan itu."))
    if error:
        return error
    reason = clean_note(note) or f"ditandai duplikat dari laporan #{other.id}"

    def act(report: Report) -> None:
        _expect(report, expected)
        at = now(request)
        try:
            if report.duplicate_of_id is not None:
                groups.split_from_group(db, report, actor=user.username, reason=reason, at=at)
            groups.merge_groups(db, other, report, actor=user.username, reason=reason, at=at)
        except StaleDataError as exc:
            raise VersionConflict(report.id, expected, None) from exc
    return actions.perform(request, db, user, report_id, act, done=N_("Laporan ditandai sebagai duplikat."))


@router.post("/{report_id}/gabung-grup", name="queue.report:merge")
def merge(request: Request, report_id: int, version: str = Form(""), other_id: str = Form(""),
          note: str = Form(""), db: Session = Depends(get_db), user: User = Depends(current_user)):
    """The other report's whole group folds into this report's group."""
    expected, other, error = _checked(request, db, user, report_id, version, other_id,
                                      same_group_message=N_("Kedua laporan sudah berada dalam grup yang sama."))
    if error:
        return error
    reason = clean_note(note) or f"grup laporan #{group_of(other)} digabung petugas"

    def act(report: Report) -> None:
        _expect(report, expected)
        try:
            groups.merge_groups(db, report, other, actor=user.username, reason=reason, at=now(request))
        except StaleDataError as exc:
            raise VersionConflict(report.id, expected, None) from exc
    return actions.perform(request, db, user, report_id, act, done=N_("Grup duplikat digabungkan."))


@router.post("/{report_id}/pisah-grup", name="queue.report:split")
def split(request: Request, report_id: int, version: str = Form(""), note: str = Form(""),
          db: Session = Depends(get_db), user: User = Depends(current_user)):
    """Take this report out of its group; a group head hands the group to its earliest member."""
    errors = FieldErrors()
    expected = parse_version(version, errors)
    report, _ = actions.load_in_scope(db, user, report_id)
    if len(queries.group_members(db, report)) <= 1:
        errors.add("split", N_("Laporan ini tidak berada dalam grup duplikat."))
    if errors:
        return actions.form_error(request, db, user, report_id, errors.errors)
    reason = clean_note(note) or "dipisah petugas dari grup duplikat"

    def act(report: Report) -> None:
        _expect(report, expected)
        try:
            groups.split_from_group(db, report, actor=user.username, reason=reason, at=now(request))
        except StaleDataError as exc:
            raise VersionConflict(report.id, expected, None) from exc
    return actions.perform(request, db, user, report_id, act, done=N_("Laporan dipisahkan dari grup duplikat."))

"""`/api/v1`: reports for integrations (Bearer token), and one status change through triage.queue."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from pilah.queries import web as queries
from pilah.schema import User
from pilah.web import actions
from pilah.web.deps import current_user, get_db, now
from pilah.web.errors import BadRequest, NotFound
from pilah.web.forms import FieldErrors, queue_filter
from pilah.web.serialize import report_detail, report_summary
from triage import queue as triage_queue
from triage.errors import IllegalTransition, TriageError, VersionConflict

router = APIRouter(prefix="/api/v1", tags=["reports"])


class StatusChange(BaseModel):
    """A move in the lifecycle; `version` is the report version the caller last read."""

    status: Literal["terverifikasi", "ditolak", "tertunda", "perlu_verifikasi"]
    version: int
    reason: str = Field("", max_length=1000)


@router.get("/openapi.json", name="api.openapi", include_in_schema=False)
def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/reports", name="api.reports")
def list_reports(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)) -> dict:
    """Reports with the queue's filters (status, category, kecamatan, channel, flag, opd, from, to, page)."""
    errors = FieldErrors()
    wanted = queue_filter(dict(request.query_params), request.app.state.settings.zone, errors)
    if errors:
        raise BadRequest("; ".join(f"{k}: {v}" for k, v in errors.errors.items()))
    page = queries.queue_page(db, wanted, now=now(request), page_size=request.app.state.settings.web.page_size)
    return {"page": page.page, "has_next": page.has_next, "reports": [report_summary(row) for row in page.rows]}


@router.get("/reports/{report_id}", name="api.report")
def get_report(report_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)) -> dict:
    found = queries.report_with_post(db, report_id)
    if found is None:
        raise NotFound()
    return report_detail(user, *found)


@router.post("/reports/{report_id}/status", name="api.report:status")
def change_status(request: Request, report_id: int, change: StatusChange, db: Session = Depends(get_db),
                  user: User = Depends(current_user)):
    found = queries.report_with_post(db, report_id)
    if found is None:
        raise NotFound()
    try:
        _apply(db, found[0], change, user.username, now(request), actions.working_calendar(request),
               taxonomy_version=actions.taxonomy_version(request))
        db.commit()
    except VersionConflict as exc:
        db.rollback()
        return JSONResponse({"error": {"code": exc.code, "message": str(exc)}}, status_code=409)
    except (IllegalTransition, TriageError, ValueError) as exc:
        db.rollback()
        return JSONResponse({"error": {"code": getattr(exc, "code", "invalid"), "message": str(exc)}},
                            status_code=422)
    return report_detail(user, *queries.report_with_post(db, report_id))


def _apply(db: Session, report, change: StatusChange, actor: str, at, calendar, *, taxonomy_version: str) -> None:
    if change.status == "perlu_verifikasi" and report.status == "tertunda":  # the reporter answered
        triage_queue.resume(db, report, actor=actor, calendar=calendar, now=at, reason=change.reason or None,
                            expected_version=change.version)
    elif change.status == "terverifikasi":
        triage_queue.verify(db, report, actor=actor, taxonomy_version=taxonomy_version, reason=change.reason or None,
                            expected_version=change.version, at=at)
    elif change.status == "ditolak":
        triage_queue.reject(db, report, actor=actor, reason=change.reason, expected_version=change.version, at=at)
    elif change.status == "tertunda":
        triage_queue.set_pending(db, report, actor=actor, message=change.reason, expected_version=change.version,
                                 at=at)
    else:
        triage_queue.reopen(db, report, actor=actor, reason=change.reason, expected_version=change.version, at=at)

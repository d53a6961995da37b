"""Open311 GeoReport v2, read subset: categories are services, selesai/ditolak are closed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from classify.pii import mask_pii
from pilah.queries import web as queries
from pilah.schema import ReportStatus, User
from pilah.web import directory
from pilah.web.deps import current_user, get_db, now
from pilah.web.errors import BadRequest, NotFound
from pilah.web.forms import FieldErrors, queue_filter
from pilah.web.serialize import open311_request, open311_service

router = APIRouter(prefix="/open311/v2", tags=["open311"])


@router.get("/services.json", name="open311.services")
def services(request: Request, user: User = Depends(current_user)) -> list[dict]:
    categories = directory.categories(request.app.state.settings.data_dir)
    return [open311_service(slug, category) for slug, category in categories.items()]


@router.get("/requests.json", name="open311.requests")
def requests_list(request: Request, service_code: str = "", status: str = "", start_date: str = "",
                  end_date: str = "", page: int = 1, db: Session = Depends(get_db),
                  user: User = Depends(current_user)) -> list[dict]:
    """GeoReport `status=open|closed` maps onto the lifecycle; dates are YYYY-MM-DD (a subset of the spec)."""
    if status not in ("", "open", "closed"):
        raise BadRequest("status must be open or closed")
    errors = FieldErrors()
    params = {"category": service_code, "status": "semua", "from": start_date[:10], "to": end_date[:10],
              "sort": "terbaru", "page": str(page)}
    wanted = queue_filter(params, request.app.state.settings.zone, errors)
    if errors:
        raise BadRequest("; ".join(errors.errors.values()))
    closed = {"open": False, "closed": True}.get(status)
    statuses = None if closed is None else [s for s in ReportStatus if (s in queries.CLOSED_STATUSES) == closed]
    rows = queries.queue_page(db, wanted, now=now(request), page_size=request.app.state.settings.web.page_size,
                              statuses=statuses).rows
    categories = directory.categories(request.app.state.settings.data_dir)
    return [open311_request(row, categories) for row in rows]


@router.get("/requests/{request_id}.json", name="open311.request")
def request_one(request: Request, request_id: int, db: Session = Depends(get_db),
                user: User = Depends(current_user)) -> list[dict]:
    found = queries.report_with_post(db, request_id)
    if found is None:
        raise NotFound()
    report, post = found
    row = queries.QueueRow(report, post.channel, post.created_at, report.masked_text or mask_pii(post.text))
    return [open311_request(row, directory.categories(request.app.state.settings.data_dir))]

"""The analyst's models page: the active model, candidates with metrics, labels since training."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from pilah.queries import web as queries
from pilah.schema import User
from pilah.web.deps import current_user, get_db
from pilah.web.templating import render

router = APIRouter(prefix="/model")


@router.get("", name="models.list")
def models_page(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    versions = queries.model_versions(db)
    active = next((v for v in versions if v.status == "active"), None)
    since = active.promoted_at or active.created_at if active else None
    context = {"versions": versions, "active": active, "new_labels": queries.labels_since(db, since),
               "label_counts": queries.label_counts_by_category(db, since)}
    return render(request, "models/list.html", context)

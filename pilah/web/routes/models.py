"""The analyst's models page: versions in models/ with their metrics, labels since the active one was
trained, and promote/rollback through `classify.registry` — the same macro-F1 gate as `pilah models`.

When the two cards were evaluated on different data (every model retrained from new data), the gate scores
both on the staff's labels (`pilah.learning`), as `pilah models promote --on-labels` does. Each form carries
the active version the person saw: when someone promoted or rolled back in between,
nothing changes and the page says so (409). Only admin may force a promotion past the gate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session

from classify.errors import ClassifyError
from classify.registry import (
    CARD_FILE,
    PROMOTION_TOLERANCE,
    ModelVersion,
    active_version,
    get_version,
    list_versions,
    promote,
    rollback,
    same_evaluation,
)
from pilah.learning import PromotionScores, promotion_scores
from pilah.queries import audit
from pilah.queries import web as queries
from pilah.schema import User
from pilah.web import directory, roles
from pilah.web.deps import current_user, flash, get_db, now, redirect_to
from pilah.web.forms import clean_note
from pilah.web.i18n import N_, gettext
from pilah.web.templating import render

router = APIRouter(prefix="/model")


def _root(request: Request) -> Path:
    return Path(request.app.state.settings.models_dir)


def _slugs(request: Request) -> list[str]:
    """The categories staff choose from in this process (see `directory.taxonomy`)."""
    return directory.taxonomy(request.app.state.settings.data_dir).slugs()


def _trained_at(version: ModelVersion | None) -> datetime | None:
    """When the version was trained, from its card's ISO `created_at` (UTC): the page shows it in the office's
    time zone like every other time, and counts the labels made since. A time without a zone is UTC, as
    `classify.train` writes it."""
    try:
        trained = datetime.fromisoformat(version.card["created_at"]) if version else None
    except (KeyError, TypeError, ValueError):
        return None
    return trained.replace(tzinfo=UTC) if trained and trained.tzinfo is None else trained


def threshold_level(confidence: list[dict], abstain_below: float) -> float | None:
    """The row of a version's confidence table an office's threshold falls in: its own level, or the
    nearest below it that the table has."""
    levels = [row["at_least"] for row in confidence if isinstance(row, dict) and isinstance(row.get("at_least"),
                                                                                          (int, float))]
    return max((level for level in levels if level <= abstain_below + 1e-9), default=None)


def _page(request: Request, db: Session, user: User, *, errors: dict | None = None, status: int = 200):
    try:
        versions, problem = list(reversed(list_versions(_root(request)))), None
    except ClassifyError as exc:
        versions, problem = [], exc.message
    active = next((v for v in versions if v.active), None)
    # A model trained on the seed corpus or an export learned no label, however recent it is.
    since = _trained_at(active) if active is not None and active.labels_learned else None
    abstain_below = request.app.state.settings.abstain_below
    context = {"versions": versions, "active": active, "new_labels": queries.labels_since(db, since),
               "label_counts": queries.label_counts_by_category(db, since), "errors": errors or {},
               "registry_problem": problem, "may_force": roles.may_force_promotion(user),
               "tolerance": PROMOTION_TOLERANCE, "can_rollback": (_root(request) / "HISTORY").is_file(),
               "trained_at": {v.name: _trained_at(v) for v in versions},
               "abstain_below": abstain_below,
               "threshold_levels": {v.name: threshold_level((v.card.get("metrics") or {}).get("confidence") or [],
                                                            abstain_below) for v in versions}}
    return render(request, "models/list.html", context, status_code=status)


@router.get("", name="models.list")
def models_page(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return _page(request, db, user)


def _stale(request: Request, active_seen: str) -> bool:
    return (active_version(_root(request)) or "") != active_seen


def _conflict(request: Request, db: Session, user: User):
    message = gettext(N_("Model aktif baru saja diubah oleh orang lain. Periksa keadaan terkini di bawah lalu "
                         "ulangi tindakan Anda."))
    return _page(request, db, user, errors={"conflict": message}, status=409)


@router.post("/promosi", name="models.promote")
def models_promote(request: Request, version: str = Form(""), active_seen: str = Form(""), force: str = Form(""),
                   note: str = Form(""), db: Session = Depends(get_db), user: User = Depends(current_user)):
    forced = force in ("1", "on", "true")
    try:
        names = {v.name for v in list_versions(_root(request))} if _root(request).is_dir() else set()
    except ClassifyError:
        return _page(request, db, user, status=400)  # it names the registry's problem
    if version not in names:
        return _page(request, db, user, errors={"version": gettext(N_("Pilih versi model yang ada."))}, status=400)
    if forced and not roles.may_force_promotion(user):
        return _page(request, db, user, errors={"force": gettext(N_("Hanya admin yang boleh memaksa promosi."))},
                     status=403)
    if _stale(request, active_seen):
        return _conflict(request, db, user)
    try:
        measured = None if forced else _measured_on_labels(request, db, version)
        previous = promote(_root(request), version, force=forced, scores=measured.scores if measured else None,
                           taxonomy_slugs=_slugs(request))
    except ClassifyError as exc:
        refusal = gettext(N_("Promosi ditolak: {problem}")).format(problem=exc.message)
        return _page(request, db, user, errors={"promote": refusal}, status=400)
    details = {"previous": previous, "forced": forced}
    if measured is not None:
        details["staff_labels"] = {"rows": measured.rows, "candidate": measured.scores[0],
                                   "active": measured.scores[1]}
    if previous != version:
        audit.record(db, "model", version, "promote", user.username, now(request), clean_note(note), details)
    db.commit()
    flash(request, gettext(N_("Model {version} sekarang aktif.")).format(version=version))
    return redirect_to(request, "models.list")


def _measured_on_labels(request: Request, db: Session, version: str) -> PromotionScores | None:
    """The gate's common ground when the two cards were evaluated on different data (every retrained model):
    the staff's labels, each model scored on those it did not learn from. None when the cards compare."""
    root, current = _root(request), active_version(_root(request))
    if current is None or current == version or not (root / current / CARD_FILE).is_file():
        return None  # nothing to compare with: promote() lets the missing active model be replaced
    if same_evaluation(get_version(root, version), get_version(root, current)):
        return None
    return promotion_scores(db, root, request.app.state.settings.data_dir, version)


@router.post("/rollback", name="models.rollback")
def models_rollback(request: Request, active_seen: str = Form(""), note: str = Form(""),
                    db: Session = Depends(get_db), user: User = Depends(current_user)):
    if _stale(request, active_seen):
        return _conflict(request, db, user)
    try:
        restored = rollback(_root(request), taxonomy_slugs=_slugs(request))
    except ClassifyError as exc:
        return _page(request, db, user, errors={"rollback": exc.message}, status=400)
    audit.record(db, "model", restored, "rollback", user.username, now(request), clean_note(note),
                 {"previous": active_seen or None})
    db.commit()
    flash(request, gettext(N_("Model {version} aktif kembali.")).format(version=restored))
    return redirect_to(request, "models.list")

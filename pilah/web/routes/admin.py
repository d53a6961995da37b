"""The admin's directory pages: OPDs, routing rules (every edit kept) and the taxonomy (read-only).

The taxonomy is configuration as data (data/taxonomy.toml, then retrain), so its page only shows
it and says where to change it. OPD and rule edits go through `pilah.queries.admin`, which records
the RoutingRuleChange and AuditEvent rows.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session

from pilah.queries import admin as q
from pilah.schema import Opd, User
from pilah.web import directory
from pilah.web.deps import current_user, flash, get_db, now, redirect_to
from pilah.web.errors import NotFound
from pilah.web.forms import FieldErrors, clean_note
from pilah.web.i18n import N_, gettext
from pilah.web.templating import render
from pilah.web.views import opd_names
from triage.directory import DEFAULT_CATEGORY

router = APIRouter(prefix="/admin")
OPD_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


# --- OPDs -------------------------------------------------------------------------------

def _opds_page(request: Request, db: Session, *, form: dict | None = None, errors: dict | None = None,
               status: int = 200):
    context = {"opds": q.all_opds(db), "kinds": q.OPD_KINDS, "form": form or {"kind": "dinas"},
               "errors": errors or {}}
    return render(request, "admin/opds.html", context, status_code=status)


@router.get("/opd", name="admin.opds")
def opds_page(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return _opds_page(request, db)


@router.post("/opd", name="admin.opds:create")
def opds_create(request: Request, code: str = Form(""), name: str = Form(""), short_name: str = Form(""),
                kind: str = Form(""), kecamatan: str = Form(""), db: Session = Depends(get_db),
                user: User = Depends(current_user)):
    errors = FieldErrors()
    code = code.strip().lower()
    if not OPD_CODE.match(code):
        errors.add("code", N_("Kode OPD: 2–40 huruf kecil, angka atau tanda hubung."))
    elif db.get(Opd, code) is not None:
        errors.add("code", N_("Kode OPD ini sudah dipakai."))
    fields = _opd_fields(request, name, short_name, kind, kecamatan, errors)
    if errors:
        form = {"code": code, "name": name, "short_name": short_name, "kind": kind, "kecamatan": kecamatan}
        return _opds_page(request, db, form=form, errors=errors.errors, status=400)
    q.create_opd(db, code, fields, editor=user.username, at=now(request))
    db.commit()
    flash(request, gettext(N_("OPD ditambahkan.")))
    return redirect_to(request, "admin.opds")


def _opd_page(request: Request, db: Session, opd, *, form: dict | None = None, errors: dict | None = None,
              status: int = 200):
    form = form or {"name": opd.name, "short_name": opd.short_name, "kind": opd.kind,
                    "kecamatan": ", ".join(opd.kecamatan or [])}
    context = {"opd": opd, "kinds": q.OPD_KINDS, "form": form, "errors": errors or {},
               "is_default_route": _default_route_opd(db) == opd.code}
    return render(request, "admin/opd.html", context, status_code=status)


def _opd_or_404(db: Session, code: str):
    opd = db.get(Opd, code)
    if opd is None:
        raise NotFound()
    return opd


@router.get("/opd/{code}", name="admin.opd")
def opd_page(request: Request, code: str, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return _opd_page(request, db, _opd_or_404(db, code))


@router.post("/opd/{code}", name="admin.opd:update")
def opd_update(request: Request, code: str, name: str = Form(""), short_name: str = Form(""), kind: str = Form(""),
               kecamatan: str = Form(""), note: str = Form(""), db: Session = Depends(get_db),
               user: User = Depends(current_user)):
    opd = _opd_or_404(db, code)
    errors = FieldErrors()
    fields = _opd_fields(request, name, short_name, kind, kecamatan, errors)
    if errors:
        form = {"name": name, "short_name": short_name, "kind": kind, "kecamatan": kecamatan, "note": note}
        return _opd_page(request, db, opd, form=form, errors=errors.errors, status=400)
    q.update_opd(db, opd, fields, editor=user.username, at=now(request), note=clean_note(note))
    db.commit()
    flash(request, gettext(N_("OPD diperbarui.")))
    return redirect_to(request, "admin.opd", code=code)


@router.post("/opd/{code}/aktif", name="admin.opd:toggle")
def opd_toggle(request: Request, code: str, note: str = Form(""), db: Session = Depends(get_db),
               user: User = Depends(current_user)):
    """Deactivate or reactivate; the OPD of the default route cannot be deactivated (routing needs it)."""
    opd = _opd_or_404(db, code)
    if opd.active and _default_route_opd(db) == opd.code:
        errors = {"form": gettext(N_("OPD ini menerima rute bawaan; pindahkan rute bawaan dulu sebelum "
                                     "menonaktifkannya."))}
        return _opd_page(request, db, opd, errors=errors, status=400)
    q.set_opd_active(db, opd, not opd.active, editor=user.username, at=now(request), note=clean_note(note))
    db.commit()
    flash(request, gettext(N_("OPD diaktifkan.") if opd.active else N_("OPD dinonaktifkan.")))
    return redirect_to(request, "admin.opd", code=code)


def _opd_fields(request: Request, name: str, short_name: str, kind: str, kecamatan: str,
                errors: FieldErrors) -> q.OpdFields:
    known = directory.kecamatan(request.app.state.settings.kabupaten)
    codes = [part for part in re.split(r"[\s,]+", kecamatan.strip()) if part]
    if not name.strip():
        errors.add("name", N_("Nama OPD wajib diisi."))
    if kind not in q.OPD_KINDS:
        errors.add("kind", N_("Jenis OPD tidak dikenal."))
    if any(c not in known for c in codes):
        errors.add("kecamatan", N_("Kode kecamatan tidak dikenal di kabupaten ini."))
    return q.OpdFields(name=name.strip()[:200], short_name=(short_name.strip() or name.strip())[:60], kind=kind,
                       kecamatan=codes)


def _default_route_opd(db: Session) -> str | None:
    default = q.rule_for_key(db, DEFAULT_CATEGORY, None)
    return default.opd_code if default is not None else None


# --- routing rules ----------------------------------------------------------------------

def _rules_page(request: Request, db: Session, *, form: dict | None = None, errors: dict | None = None,
                status: int = 200):
    opds = q.all_opds(db)  # deactivated ones too: a rule may still name one
    context = {"rules": q.all_rules(db), "opds": opds, "opd_names": opd_names(db, opds, ()), "form": form or {},
               "errors": errors or {}, "DEFAULT_CATEGORY": DEFAULT_CATEGORY}
    return render(request, "admin/rules.html", context, status_code=status)


@router.get("/aturan", name="admin.rules")
def rules_page(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return _rules_page(request, db)


@router.post("/aturan", name="admin.rules:create")
def rules_create(request: Request, category: str = Form(""), kecamatan_code: str = Form(""),
                 opd_code: str = Form(""), note: str = Form(""), db: Session = Depends(get_db),
                 user: User = Depends(current_user)):
    errors = FieldErrors()
    settings = request.app.state.settings
    if category not in directory.categories(settings.data_dir):
        errors.add("category", N_("Kategori tidak dikenal."))
    if kecamatan_code and kecamatan_code not in directory.kecamatan(settings.kabupaten):
        errors.add("kecamatan_code", N_("Kecamatan tidak dikenal di kabupaten ini."))
    _check_opd(db, opd_code, errors)
    if not note.strip():
        errors.add("note", N_("Tulis alasan aturan ini."))
    if not errors and q.rule_for_key(db, category, kecamatan_code or None) is not None:
        errors.add("form", N_("Sudah ada aturan untuk kategori dan kecamatan ini; ubah aturan itu."))
    if errors:
        form = {"category": category, "kecamatan_code": kecamatan_code, "opd_code": opd_code, "note": note}
        return _rules_page(request, db, form=form, errors=errors.errors, status=400)
    created = q.create_rule(db, q.RuleFields(category, kecamatan_code or None, opd_code, clean_note(note)),
                            editor=user.username, at=now(request))
    db.commit()
    flash(request, gettext(N_("Aturan disposisi ditambahkan.")))
    return redirect_to(request, "admin.rule", rule_id=created.id)


def _rule_page(request: Request, db: Session, rule, *, form: dict | None = None, errors: dict | None = None,
               status: int = 200):
    form = form or {"opd_code": rule.opd_code, "note": rule.note or "", "active": rule.active}
    opds = q.all_opds(db)
    context = {"rule": rule, "opds": opds, "opd_names": opd_names(db, opds, ()), "changes": q.rule_changes(db, rule.id),
               "form": form, "errors": errors or {}, "DEFAULT_CATEGORY": DEFAULT_CATEGORY}
    return render(request, "admin/rule.html", context, status_code=status)


def _rule_or_404(db: Session, rule_id: int):
    found = q.rule(db, rule_id)
    if found is None:
        raise NotFound()
    return found


@router.get("/aturan/{rule_id}", name="admin.rule")
def rule_page(request: Request, rule_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return _rule_page(request, db, _rule_or_404(db, rule_id))


@router.post("/aturan/{rule_id}", name="admin.rule:update")
def rule_update(request: Request, rule_id: int, opd_code: str = Form(""), note: str = Form(""),
                active: str = Form(""), change_note: str = Form(""), db: Session = Depends(get_db),
                user: User = Depends(current_user)):
    """Every edit needs a note saying why; the default route ("*") cannot be switched off."""
    found = _rule_or_404(db, rule_id)
    errors = FieldErrors()
    keep_active = active in ("1", "on", "true") or found.category == DEFAULT_CATEGORY
    # The rule's own OPD, deactivated since, may stay only on a rule that is switched off: an active rule
    # must route to an OPD that takes reports.
    _check_opd(db, opd_code, errors, kept=None if keep_active else found.opd_code)
    if not change_note.strip():
        errors.add("change_note", N_("Tulis alasan perubahan."))
    if errors:
        form = {"opd_code": opd_code, "note": note, "active": keep_active, "change_note": change_note}
        return _rule_page(request, db, found, form=form, errors=errors.errors, status=400)
    fields = q.RuleFields(found.category, found.kecamatan_code, opd_code, clean_note(note), keep_active)
    q.update_rule(db, found, fields, editor=user.username, at=now(request), note=clean_note(change_note))
    db.commit()
    flash(request, gettext(N_("Aturan disposisi diperbarui.")))
    return redirect_to(request, "admin.rule", rule_id=rule_id)


def _check_opd(db: Session, opd_code: str, errors: FieldErrors, kept: str | None = None) -> None:
    """An active OPD, or the one the rule already names (``kept``): a rule whose OPD was deactivated
    may be switched off or given a note without being moved to another office."""
    opd = db.get(Opd, opd_code) if opd_code else None
    if opd is None or not (opd.active or opd_code == kept):
        errors.add("opd_code", N_("Pilih OPD yang aktif."))


# --- taxonomy ---------------------------------------------------------------------------

@router.get("/taksonomi", name="admin.taxonomy")
def taxonomy_page(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    data_dir = request.app.state.settings.data_dir
    # The taxonomy in effect (the reading staff choose categories from and labels take their version from),
    # all of it from that one reading; an edit of the file since then is named, not shown half-applied.
    in_effect = directory.taxonomy(data_dir)
    opds = {opd.code: opd for opd in q.all_opds(db)}
    context = {"taxonomy": in_effect.categories, "taxonomy_version": in_effect.version, "opd_names": opds,
               "path": "data/taxonomy.toml", "changes": in_effect.changes,
               "edited_since_start": _file_digest(data_dir / "taxonomy.toml") != in_effect.digest}
    return render(request, "admin/taxonomy.html", context)


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None

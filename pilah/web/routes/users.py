"""The admin's user page: list accounts, add one (same rules as `pilah users add`), (de)activate."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session

from pilah.auth.accounts import NewUser, create_user, set_active
from pilah.auth.errors import AccountError
from pilah.queries import web as queries
from pilah.schema import ROLES, User
from pilah.web.deps import current_user, flash, get_db, redirect_to
from pilah.web.i18n import gettext
from pilah.web.templating import render

router = APIRouter(prefix="/pengguna")


def _page(request: Request, db: Session, *, form: dict | None = None, errors: dict | None = None, status: int = 200):
    context = {"users": queries.all_users(db), "roles": ROLES, "opds": queries.active_opds(db),
               "form": form or {}, "errors": errors or {}}
    return render(request, "users/list.html", context, status_code=status)


@router.get("", name="users.list")
def users_page(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return _page(request, db)


@router.post("", name="users.create")
def users_create(request: Request, username: str = Form(""), display_name: str = Form(""), role: str = Form(""),
                 opd_code: str = Form(""), password: str = Form(""), db: Session = Depends(get_db),
                 user: User = Depends(current_user)):
    new = NewUser(username=username.strip().lower(), display_name=display_name.strip(), role=role,
                  password=password, opd_code=opd_code or None)
    try:
        create_user(db, new, actor=user.username)
    except AccountError as exc:
        db.rollback()
        form = {"username": username, "display_name": display_name, "role": role, "opd_code": opd_code}
        return _page(request, db, form=form, errors={exc.field or "form": exc.message}, status=400)
    db.commit()
    flash(request, gettext("Pengguna ditambahkan."))
    return redirect_to(request, "users.list")


@router.post("/{username}/aktif", name="users.toggle")
def users_toggle(request: Request, username: str, db: Session = Depends(get_db), user: User = Depends(current_user)):
    target = queries.user_by_username(db, username)
    if target is None or target.id == user.id:
        return _page(request, db, errors={"form": gettext("Tidak dapat mengubah pengguna ini.")}, status=400)
    try:
        set_active(db, username, not target.active, actor=user.username)
    except AccountError as exc:
        return _page(request, db, errors={"form": exc.message}, status=400)
    db.commit()
    return redirect_to(request, "users.list")

"""The admin's user page: list accounts, add one (same rules as `pilah users add`), (de)activate."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session

from pilah.auth.accounts import NewUser, create_user, set_active
from pilah.auth.errors import AccountError
from pilah.queries import web as queries
from pilah.schema import ROLES, User
from pilah.web.deps import current_user, flash, get_db, redirect_to
from pilah.web.i18n import current_language, gettext
from pilah.web.templating import render
from pilah.web.views import opd_names

router = APIRouter(prefix="/pengguna")

#: A command-line option named in an account message, e.g. "(--opd)": on the web the field beside it says it.
_CLI_OPTION = re.compile(r"\s*\(--[\w-]+\)")


def account_message(error: AccountError) -> str:
    """An account error as the form shows it. `pilah.auth` writes one message for the CLI, "Indonesian /
    English" with the option to fix ("(--opd)"); a form speaks the reader's language alone and points at
    its field (`error.field`), not at an option nobody can type here."""
    indonesian, _, english = error.message.partition(" / ")
    text = _CLI_OPTION.sub("", english if current_language() == "en" and english else indonesian).strip()
    return text[:1].upper() + text[1:]


def _page(request: Request, db: Session, *, form: dict | None = None, errors: dict | None = None, status: int = 200):
    opds, users = queries.active_opds(db), queries.all_users(db)
    context = {"users": users, "roles": ROLES, "opds": opds, "form": form or {}, "errors": errors or {},
               "opd_names": opd_names(db, opds, (u.opd_code for u in users))}
    return render(request, "users/list.html", context, status_code=status)


@router.get("", name="users.list")
def users_page(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return _page(request, db)


@router.post("", name="users.create")
def users_create(request: Request, username: str = Form(""), display_name: str = Form(""), role: str = Form(""),
                 opd_code: str = Form(""), password: str = Form(""), db: Session = Depends(get_db),
                 user: User = Depends(current_user)):
    new = NewUser(username=username, display_name=display_name.strip(), role=role,
                  password=password, opd_code=opd_code or None)
    try:
        create_user(db, new, actor=user.username)
    except AccountError as exc:
        db.rollback()
        form = {"username": username, "display_name": display_name, "role": role, "opd_code": opd_code}
        return _page(request, db, form=form, errors={exc.field or "form": account_message(exc)}, status=400)
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
        return _page(request, db, errors={"form": account_message(exc)}, status=400)
    db.commit()
    return redirect_to(request, "users.list")

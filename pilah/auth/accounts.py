"""Creating and changing staff accounts, with the rules the CLI and the admin page share."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from pilah.auth.errors import AccountError, ActorUnknown
from pilah.auth.passwords import MIN_LENGTH, hash_password
from pilah.queries import audit
from pilah.queries import web as queries
from pilah.schema import ROLES, User, utcnow

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")


def canonical_username(typed: str) -> str:
    """The account name as stored: people type "Rina " on a phone and "rina" at a desk."""
    return typed.strip().lower()


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    role: str
    password: str
    opd_code: str | None = None


def validate_new_user(session: Session, new: NewUser) -> None:
    """Raise AccountError naming the first field that is wrong."""
    validate_account(session, new)
    if len(new.password) < MIN_LENGTH:
        raise AccountError(f"Kata sandi minimal {MIN_LENGTH} karakter / password too short", field="password")


def validate_account(session: Session, new: NewUser) -> None:
    """Every rule but the password's, so that the CLI refuses a taken name or an unknown OPD before it asks
    for a password twice."""
    if not _USERNAME.match(new.username):
        raise AccountError("Nama pengguna 3–60 huruf kecil/angka/._- / username must be 3-60 of a-z 0-9 . _ -",
                           field="username")
    if queries.user_by_username(session, new.username) is not None:
        raise AccountError(f"Nama pengguna '{new.username}' sudah ada / username already exists", field="username")
    if new.role not in ROLES:
        raise AccountError(f"Peran harus salah satu dari {', '.join(ROLES)} / unknown role", field="role")
    _check_opd(session, new)


def _check_opd(session: Session, new: NewUser) -> None:
    if new.role == "opd" and not new.opd_code:
        raise AccountError("Peran opd memerlukan kode OPD (--opd) / role opd needs an OPD code", field="opd_code")
    if new.role != "opd" and new.opd_code:
        raise AccountError("Hanya peran opd yang memiliki OPD / only role opd has an OPD", field="opd_code")
    if new.opd_code and queries.opd_by_code(session, new.opd_code) is None:
        raise AccountError(f"OPD '{new.opd_code}' tidak dikenal / unknown OPD", field="opd_code",
                           hint="muat direktori OPD dulu (data/opd.toml, `pilah batch`) / load the OPD directory first")


def create_user(session: Session, new: NewUser, *, actor: str) -> User:
    new = replace(new, username=canonical_username(new.username))
    validate_new_user(session, new)
    user = User(username=new.username, display_name=new.display_name or new.username, role=new.role,
                opd_code=new.opd_code, password_hash=hash_password(new.password), active=True)
    session.add(user)
    session.flush()
    audit.record(session, "user", user.username, "create", actor, utcnow(),
                 details={"role": user.role, "opd_code": user.opd_code})
    return user


def set_password(session: Session, username: str, password: str, *, actor: str) -> User:
    user = existing_user(session, username)
    if len(password) < MIN_LENGTH:
        raise AccountError(f"Kata sandi minimal {MIN_LENGTH} karakter / password too short", field="password")
    user.password_hash = hash_password(password)
    end_sessions(user)
    audit.record(session, "user", user.username, "password", actor, utcnow())
    return user


def end_sessions(user: User) -> None:
    """Every browser session of the user started before now is refused from its next request on.

    The session cookie is signed, not stored, so clearing one browser's copy would leave a copied
    cookie valid until it ages out; the epoch it was issued under is checked instead.
    """
    user.session_epoch += 1


def may_sign_in(session: Session, user: User | None) -> bool:
    """An active account, and for an OPD liaison an active OPD: a deactivated OPD's liaisons are out too."""
    if user is None or not user.active:
        return False
    if user.opd_code is None:
        return True
    opd = queries.opd_by_code(session, user.opd_code)
    return opd is not None and opd.active


def acting_user(session: Session, username: str, roles: frozenset[str]) -> User:
    """The account a command is run in the name of: it must exist, be able to sign in and hold one of `roles`."""
    user = queries.user_by_username(session, canonical_username(username))
    if user is None or not may_sign_in(session, user) or user.role not in roles:
        raise ActorUnknown(
            f"'{username}' bukan pengguna aktif dengan peran {'/'.join(sorted(roles))} / "
            f"'{username}' is no active user with role {'/'.join(sorted(roles))}",
            hint="lihat `pilah users list`, atau tambah dengan `pilah users add NAMA --role verifikator`")
    return user


def set_active(session: Session, username: str, active: bool, *, actor: str) -> User:
    """Deactivating also ends the user's sessions, so that reactivating later revives no old cookie.
    Asking for the state the account is already in changes (and records) nothing."""
    user = existing_user(session, username)
    if user.active == active:
        return user
    user.active = active
    if not active:
        end_sessions(user)
    audit.record(session, "user", user.username, "activate" if active else "deactivate", actor, utcnow())
    return user


def existing_user(session: Session, username: str) -> User:
    """The account however its name is typed, or AccountError naming it."""
    user = queries.user_by_username(session, canonical_username(username))
    if user is None:
        raise AccountError(f"Pengguna '{username}' tidak ada / no such user", field="username")
    return user

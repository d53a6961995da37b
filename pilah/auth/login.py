"""Checking a login, refusing it after repeated failures; every try is recorded in the database
so the limit holds across server processes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from pilah.auth.accounts import canonical_username, may_sign_in
from pilah.auth.errors import LoginFailed, LoginThrottled
from pilah.auth.passwords import hash_password, needs_rehash, verify_password
from pilah.queries import web as queries
from pilah.schema import LoginAttempt, User


def authenticate(session: Session, username: str, password: str, *, client: str | None, now: datetime,
                 max_failures: int, lockout: timedelta, max_client_failures: int = 0,
                 trusted_device: Callable[[User], bool] = lambda user: False) -> User:
    """The active user with these credentials; LoginThrottled before any check once locked out: a
    username after `max_failures` failures (except from a browser `trusted_device` says signed in as
    that account before: :mod:`pilah.auth.devices`), a client address after `max_client_failures`
    (0: never)."""
    username = canonical_username(username)[:60]
    user = queries.user_by_username(session, username)
    username_locked = not (user is not None and trusted_device(user)) and (
        queries.recent_login_failures(session, username, since=now - lockout) >= max_failures)
    if username_locked or _client_locked(session, client, now - lockout, max_client_failures):
        session.add(LoginAttempt(username=username, client=client, success=False, at=now))
        raise LoginThrottled("Terlalu banyak percobaan masuk / too many failed logins",
                             minutes=int(lockout.total_seconds() // 60))
    ok = verify_password(user.password_hash if user else None, password)
    allowed = ok and may_sign_in(session, user)
    session.add(LoginAttempt(username=username, client=client, success=allowed, at=now))
    if not allowed:
        raise LoginFailed("Nama pengguna atau kata sandi salah / wrong username or password")
    _refresh(user, password, now)
    return user


def _client_locked(session: Session, client: str | None, since: datetime, limit: int) -> bool:
    return bool(client and limit and queries.recent_client_failures(session, client, since=since) >= limit)


def _refresh(user: User, password: str, now: datetime) -> None:
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)

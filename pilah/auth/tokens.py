"""API tokens for integrations: shown once at creation, stored only as a SHA-256 hash.

A token is 32 random bytes, so a fast hash is enough (no guessing to slow down)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from pilah.auth.accounts import may_sign_in
from pilah.auth.errors import AccountError
from pilah.queries import audit
from pilah.queries import web as queries
from pilah.schema import ApiToken, User, utcnow

PREFIX = "pilah_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, name: str, *, actor: str) -> str:
    """Create a token for the user and return its plain text (the only time it is visible)."""
    if not name.strip():
        raise AccountError("Nama token wajib diisi / token name required", field="name")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name.strip()[:100], token_hash=token_hash(token), user_id=user.id)
    session.add(row)
    session.flush()
    audit.record(session, "api_token", str(row.id), "issue", actor, utcnow(),
                 details={"user": user.username, "name": row.name})
    return token


def user_for_token(session: Session, token: str, *, now: datetime) -> User | None:
    """The user behind an unrevoked token, if still allowed in (`may_sign_in`), marking the token as used."""
    row = queries.api_token_by_hash(session, token_hash(token))
    if row is None or row.revoked_at is not None:
        return None
    user = queries.user_by_id(session, row.user_id)
    if not may_sign_in(session, user):
        return None
    row.last_used_at = now
    return user


def revoke_token(session: Session, token_id: int, *, now: datetime, actor: str) -> ApiToken:
    """Revoke a token; one already revoked keeps the moment it was."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise AccountError(f"Token {token_id} tidak ada / no such token", field="id")
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, "api_token", str(row.id), "revoke", actor, now, details={"name": row.name})
    return row

"""Device cookies: a browser that has signed in as a user before keeps its way in while that
username is locked out.

A lockout per username stops password guessing, but it also lets anyone who knows a username
(``admin``) keep that person out for as long as they keep guessing. A browser that signed in
successfully carries a signed cookie naming the account; for that account, it is held only to the
per-address limit, not to the username's lockout. The cookie opens nothing by itself: the password
is still checked. It names up to :data:`DEVICE_ACCOUNTS` accounts (a shared office computer), each by
keyed hashes of the username and of the password hash, so it lists no names to whoever reads it and
stops counting the day the password changes.
"""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, URLSafeTimedSerializer

from pilah.schema import User

DEVICE_COOKIE = "pilah_perangkat"
DEVICE_MAX_AGE_DAYS = 180
DEVICE_ACCOUNTS = 5
_SALT = "pilah-device-cookie"


def device_cookie(secret: str, user: User, previous: str | None = None) -> str:
    """The cookie value for a browser that has just signed in as `user`, keeping the other accounts it knew."""
    own = _entry(secret, user)
    others = [entry for entry in _entries(secret, previous) if entry[0] != own[0]]
    return _serializer(secret).dumps([own, *others][:DEVICE_ACCOUNTS])


def is_trusted_device(secret: str, cookie: str | None, user: User) -> bool:
    """Whether `cookie` is a genuine, unexpired device cookie of `user` with its current password."""
    return _entry(secret, user) in _entries(secret, cookie)


def _entries(secret: str, cookie: str | None) -> list[list[str]]:
    if not cookie:
        return []
    try:
        value = _serializer(secret).loads(cookie, max_age=DEVICE_MAX_AGE_DAYS * 86400)
    except BadSignature:
        return []
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, list) and len(entry) == 2]


def _entry(secret: str, user: User) -> list[str]:
    return [_keyed(secret, "account", user.username), _keyed(secret, "password", user.password_hash)]


def _keyed(secret: str, purpose: str, value: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()[:24]


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)

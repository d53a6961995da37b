"""Device cookies: a browser that has signed in as a user before keeps its way in while that
username is locked out.

A lockout per username stops password guessing, but it also lets anyone who knows a username
(``admin``) keep that person out for as long as they keep guessing. A browser that once signed in
successfully carries a signed cookie naming the username; for that username, it is held only to
the per-address limit, not to the username's lockout. The cookie opens nothing by itself: the
password is still checked, and a user's cookie says nothing for another username.
"""

from __future__ import annotations

import hashlib
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

DEVICE_COOKIE = "pilah_perangkat"
DEVICE_MAX_AGE_DAYS = 180
_SALT = "pilah-device-cookie"


def device_cookie(secret: str, username: str) -> str:
    """A new cookie value for a browser that has just signed in as `username`."""
    return _serializer(secret).dumps({"u": _key(username), "n": secrets.token_urlsafe(8)})


def is_trusted_device(secret: str, cookie: str | None, username: str) -> bool:
    """Whether `cookie` is a genuine, unexpired device cookie of `username`."""
    if not cookie:
        return False
    try:
        value = _serializer(secret).loads(cookie, max_age=DEVICE_MAX_AGE_DAYS * 86400)
    except BadSignature:
        return False
    return isinstance(value, dict) and value.get("u") == _key(username)


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def _key(username: str) -> str:
    """The username as the cookie holds it: hashed, so a shared computer's cookie store lists no names."""
    return hashlib.sha256(username.strip().lower()[:60].encode()).hexdigest()[:32]

"""Sender numbers: stored raw in posts.author_id (roles that must call back need them), shown masked or hashed."""

from __future__ import annotations

import hashlib
import hmac
import re

_DIGITS = re.compile(r"\D+")


def normalise_number(number: str) -> str:
    """+62 812-0000-0001, 0812 0000 0001 and 62812000000001 are one sender."""
    digits = _DIGITS.sub("", number)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return "+" + digits if digits else ""


def masked_number(number: str) -> str:
    """For screens and exports: the operator prefix and the last three digits, e.g. +62812*****001."""
    full = normalise_number(number)
    if len(full) < 9:
        return "*" * len(full)
    return full[:6] + "*" * (len(full) - 9) + full[-3:]


def sender_key(number: str, pepper: bytes) -> str:
    """A stable pseudonym that links one sender's messages without showing the number.

    Keyed (HMAC) because phone numbers are few enough to brute-force a plain hash.
    """
    digest = hmac.new(pepper, normalise_number(number).encode(), hashlib.sha256).hexdigest()
    return f"sms-{digest[:12]}"

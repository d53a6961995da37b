"""Account errors: a stable code and a message in Indonesian with English after the slash."""

from __future__ import annotations

from pilah.errors import PilahError


class AccountError(PilahError):
    """A user could not be created or changed as asked."""

    code = "account_invalid"
    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field


class LoginFailed(PilahError):
    """Wrong username or password (deliberately not saying which)."""

    code = "login_failed"


class LoginThrottled(PilahError):
    """Too many failed logins for this username; tries are refused until the lockout ends."""

    code = "login_throttled"

    def __init__(self, message: str, *, minutes: int) -> None:
        super().__init__(message)
        self.minutes = minutes


class ActorUnknown(PilahError):
    """A command run in a person's name names no active account allowed to do it: the audit must name real staff."""

    code = "actor_unknown"
    exit_code = 2

"""Who may do what: every route's allowed roles, the OPD scope and who sees personal data.

This is the one place the rules live. `create_app` refuses to start when a route has no rule,
and `tests/web/test_authorisation.py` walks every route × every role from this table.

Personal data (PII): admin and verifikator see post text and author as received, because they
contact reporters (tertunda asks for details). Everyone else sees `Report.masked_text`
(NIK, KK, phone, e-mail, plates masked), no author handle and no link to the original post (its
address names the account): an OPD liaison sees the author's display name only; analis and pimpinan
see no author at all. CSV/XLSX downloads follow the same rule. In a duplicate group a liaison reads
only the members dispositioned to their own OPD; the others are counted, not shown.

Forcing a model promotion past the macro-F1 gate is a field, not a route: `may_force_promotion`.
"""

from __future__ import annotations

from pilah.schema import ROLES, Report, User

PUBLIC: frozenset[str] = frozenset({"*public*"})
STAFF = frozenset(ROLES)
REVIEWERS = frozenset({"admin", "verifikator"})
OPD = frozenset({"opd"})
READERS = frozenset({"admin", "verifikator", "analis", "pimpinan"})
MODELLERS = frozenset({"admin", "analis"})
ADMIN = frozenset({"admin"})
#: Roles that can call the JSON API with a token (integrations act as a verifikator or a reader).
API = frozenset({"admin", "verifikator", "analis", "pimpinan"})

RULES: dict[str, frozenset[str]] = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.login:submit": PUBLIC,
    "i18n.switch": PUBLIC,
    "home": STAFF,
    "auth.logout": STAFF,
    "queue.list": REVIEWERS,
    "queue.bulk": REVIEWERS,
    "queue.report": REVIEWERS,
    "queue.report:verify": REVIEWERS,
    "queue.report:reject": REVIEWERS,
    "queue.report:reopen": REVIEWERS,
    "queue.report:resume": REVIEWERS,
    "queue.report:pending": REVIEWERS,
    "queue.report:disposition": REVIEWERS,
    "queue.report:duplicate": REVIEWERS,
    "queue.report:merge": REVIEWERS,
    "queue.report:split": REVIEWERS,
    "queue.report:split_issue": REVIEWERS,
    "opd.list": OPD,
    "opd.report": OPD,
    "opd.report:start": OPD,
    "opd.report:followup": OPD,
    "opd.report:return": OPD,
    "dashboard.show": READERS,
    "dashboard.download": READERS,
    "users.list": ADMIN,
    "users.create": ADMIN,
    "users.toggle": ADMIN,
    "models.list": MODELLERS,
    "models.promote": MODELLERS,
    "models.rollback": MODELLERS,
    "admin.opds": ADMIN,
    "admin.opds:create": ADMIN,
    "admin.opd": ADMIN,
    "admin.opd:update": ADMIN,
    "admin.opd:toggle": ADMIN,
    "admin.rules": ADMIN,
    "admin.rules:create": ADMIN,
    "admin.rule": ADMIN,
    "admin.rule:update": ADMIN,
    "admin.taxonomy": ADMIN,
    "api.openapi": API,
    "api.reports": API,
    "api.report": API,
    "api.report:status": REVIEWERS,
    "open311.services": API,
    "open311.requests": API,
    "open311.request": API,
}

#: Who may promote a model past the macro-F1 gate (the CLI's --force): a decision beyond the analyst's.
FORCE_PROMOTE_ROLES = ADMIN
PII_ROLES = frozenset({"admin", "verifikator"})
AUTHOR_NAME_ROLES = frozenset({"admin", "verifikator", "opd"})
OPD_VISIBLE_STATUSES = ("terdisposisi", "ditindaklanjuti", "selesai")
LANDING = {"admin": "queue.list", "verifikator": "queue.list", "opd": "opd.list",
           "analis": "models.list", "pimpinan": "dashboard.show"}


def allowed(route_name: str, role: str | None) -> bool:
    roles = RULES[route_name]
    return roles is PUBLIC or (role is not None and role in roles)


def sees_pii(user: User) -> bool:
    return user.role in PII_ROLES


def sees_author_name(user: User) -> bool:
    return user.role in AUTHOR_NAME_ROLES


def may_force_promotion(user: User) -> bool:
    return user.role in FORCE_PROMOTE_ROLES


def in_opd_scope(user: User, report: Report) -> bool:
    """An OPD liaison reaches only reports dispositioned to their own OPD; others answer 404."""
    return (user.role == "opd" and user.opd_code is not None and report.opd_code == user.opd_code
            and report.status in OPD_VISIBLE_STATUSES)


def missing_rules(route_names: list[str]) -> list[str]:
    return sorted(name for name in route_names if name not in RULES)

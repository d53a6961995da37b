"""The admin's directory edits: OPDs and routing rules, each edit kept with editor, time and note.

Routing rules keep their own history (`RoutingRuleChange`, the same record `pilah directory sync`
writes); OPD edits and every rule edit also write an `AuditEvent`, like every other state change.
data/opd.toml and data/routing.toml seed these tables; a later sync overwrites a seeded OPD's
names or a seeded rule's OPD with what the files say (recorded as a change by "system").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pilah.queries import audit
from pilah.schema import Opd, RoutingRule, RoutingRuleChange, User
from triage.directory import rule_snapshot

OPD_KINDS = ("dinas", "badan", "bagian", "kecamatan", "lainnya")


@dataclass(frozen=True)
class OpdFields:
    """What the OPD form edits (the code is the key and never changes)."""

    name: str
    short_name: str
    kind: str
    kecamatan: list[str]


@dataclass(frozen=True)
class RuleFields:
    category: str
    kecamatan_code: str | None
    opd_code: str
    note: str | None
    active: bool = True


def all_opds(session: Session) -> Sequence[Opd]:
    """Every OPD, active first, then by kind and name."""
    return session.scalars(select(Opd).order_by(Opd.active.desc(), Opd.kind, Opd.name)).all()


def all_rules(session: Session) -> Sequence[RoutingRule]:
    return session.scalars(
        select(RoutingRule).order_by(RoutingRule.category, RoutingRule.kecamatan_code.is_not(None),
                                     RoutingRule.kecamatan_code)
    ).all()


def rule(session: Session, rule_id: int) -> RoutingRule | None:
    return session.get(RoutingRule, rule_id)


def rule_for_key(session: Session, category: str, kecamatan_code: str | None) -> RoutingRule | None:
    column = RoutingRule.kecamatan_code
    key = column.is_(None) if kecamatan_code is None else column == kecamatan_code
    return session.scalar(select(RoutingRule).where(RoutingRule.category == category, key))


def rule_changes(session: Session, rule_id: int) -> Sequence[RoutingRuleChange]:
    """A rule's edits, latest first (by id: edits are appended, whatever clock stamped them)."""
    return session.scalars(
        select(RoutingRuleChange).where(RoutingRuleChange.rule_id == rule_id)
        .order_by(RoutingRuleChange.id.desc())
    ).all()


def create_opd(session: Session, code: str, fields: OpdFields, *, editor: str, at: datetime) -> Opd:
    opd = Opd(code=code, active=True, **_opd_values(fields))
    session.add(opd)
    audit.record(session, "opd", code, "create", editor, at, None, {"after": _opd_snapshot(opd)})
    session.flush()
    return opd


def update_opd(session: Session, opd: Opd, fields: OpdFields, *, editor: str, at: datetime, note: str | None) -> None:
    """Save the form's fields; a form saved unchanged records nothing."""
    before = _opd_snapshot(opd)
    for name, value in _opd_values(fields).items():
        setattr(opd, name, value)
    after = _opd_snapshot(opd)
    if after != before:
        audit.record(session, "opd", opd.code, "update", editor, at, note, {"before": before, "after": after})
    session.flush()


def set_opd_active(session: Session, opd: Opd, active: bool, *, editor: str, at: datetime, note: str | None) -> None:
    """Deactivating keeps the OPD (old dispositions name it); routing skips its rules from now on, and
    its liaisons' sessions end (reactivating the OPD later revives no old cookie)."""
    opd.active = active
    if not active:
        session.execute(update(User).where(User.opd_code == opd.code).values(session_epoch=User.session_epoch + 1))
    audit.record(session, "opd", opd.code, "activate" if active else "deactivate", editor, at, note, {})
    session.flush()


def create_rule(session: Session, fields: RuleFields, *, editor: str, at: datetime) -> RoutingRule:
    rule_row = RoutingRule(category=fields.category, kecamatan_code=fields.kecamatan_code, opd_code=fields.opd_code,
                           note=fields.note, active=fields.active, updated_by=editor, updated_at=at)
    session.add(rule_row)
    session.flush()
    _record_rule(session, rule_row, "create", None, editor, at, fields.note)
    return rule_row


def update_rule(session: Session, rule_row: RoutingRule, fields: RuleFields, *, editor: str, at: datetime,
                note: str | None) -> None:
    """Change a rule's OPD, note or active flag (its category and kecamatan are its key); a form saved
    unchanged changes and records nothing."""
    before = rule_snapshot(rule_row)
    if (rule_row.opd_code, rule_row.note, rule_row.active) == (fields.opd_code, fields.note, fields.active):
        return
    rule_row.opd_code, rule_row.note, rule_row.active = fields.opd_code, fields.note, fields.active
    rule_row.updated_by, rule_row.updated_at = editor, at
    _record_rule(session, rule_row, "update", before, editor, at, note)


def _record_rule(session: Session, rule_row: RoutingRule, action: str, before: dict[str, Any] | None, editor: str,
                 at: datetime, note: str | None) -> None:
    after = rule_snapshot(rule_row)
    session.add(RoutingRuleChange(rule_id=rule_row.id, action=action, before=before, after=after, editor=editor,
                                  note=note, at=at))
    audit.record(session, "routing_rule", str(rule_row.id), action, editor, at, note,
                 {"before": before, "after": after})
    session.flush()


def _opd_values(fields: OpdFields) -> dict[str, Any]:
    return {"name": fields.name, "short_name": fields.short_name, "kind": fields.kind, "kecamatan": fields.kecamatan}


def _opd_snapshot(opd: Opd) -> dict[str, Any]:
    return {"name": opd.name, "short_name": opd.short_name, "kind": opd.kind, "kecamatan": list(opd.kecamatan or []),
            "active": opd.active}


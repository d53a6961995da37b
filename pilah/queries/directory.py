"""Queries over who receives reports: OPDs, routing rules and the record of their edits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pilah.schema import Opd, RoutingRule, RoutingRuleChange


def opds_by_code(session: Session) -> dict[str, Opd]:
    return {opd.code: opd for opd in session.scalars(select(Opd))}


def directory_loaded(session: Session) -> bool:
    """Whether data/opd.toml was ever loaded (the first batch or triage run loads it)."""
    return session.scalar(select(Opd.code).limit(1)) is not None


def opd(session: Session, code: str) -> Opd | None:
    return session.get(Opd, code)


def rules_by_key(session: Session) -> dict[tuple[str, str | None], RoutingRule]:
    """(category, kecamatan code or None) → rule, active or not."""
    return {(rule.category, rule.kecamatan_code): rule for rule in session.scalars(select(RoutingRule))}


def active_rules(session: Session) -> list[RoutingRule]:
    return list(session.scalars(select(RoutingRule).where(RoutingRule.active.is_(True)).order_by(RoutingRule.id)))


def rule_changes(session: Session, rule_id: int) -> list[RoutingRuleChange]:
    return list(session.scalars(
        select(RoutingRuleChange).where(RoutingRuleChange.rule_id == rule_id).order_by(RoutingRuleChange.id)
    ))

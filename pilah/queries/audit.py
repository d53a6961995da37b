"""The one writer of audit events for changes that are not a report's status (accounts, tokens, OPDs,
routing rules, model versions): who, when, what, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pilah.schema import AuditEvent


def record(session: Session, entity_type: str, entity_id: str, action: str, actor: str, at: datetime,
           reason: str | None = None, details: dict[str, Any] | None = None) -> None:
    session.add(AuditEvent(at=at, actor=actor, entity_type=entity_type, entity_id=entity_id, action=action,
                           reason=reason, details=details or {}))

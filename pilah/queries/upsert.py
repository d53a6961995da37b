"""INSERT ... ON CONFLICT DO NOTHING for both backends: the primitive behind idempotent ingest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_conflicts(session: Session, table: Table, rows: Sequence[dict[str, Any]],
                              conflict_columns: Sequence[str]) -> None:
    """Insert rows; rows whose unique key already exists are left untouched."""
    if not rows:
        return
    session.execute(_insert(session, table).on_conflict_do_nothing(index_elements=list(conflict_columns)),
                    list(rows))


def _insert(session: Session, table: Table) -> Insert:
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)

"""INSERT ... ON CONFLICT DO NOTHING for both backends: the primitive behind idempotent ingest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_conflicts(session: Session, table: Table, rows: Sequence[dict[str, Any]],
                              conflict_columns: Sequence[str]) -> int:
    """Insert rows; rows whose unique key already exists are left untouched. Returns how many were inserted.

    The count is the driver's executemany rowcount (sqlite3 and psycopg 3 both sum it over the
    batch); without RETURNING, psycopg sends the batch in pipeline mode, several times faster than
    one huge multi-VALUES statement it would have to parse (bench/bench_ingest.py).
    """
    if not rows:
        return 0
    statement = (_insert(session, table).on_conflict_do_nothing(index_elements=list(conflict_columns))
                 .execution_options(preserve_rowcount=True))
    return max(session.execute(statement, list(rows)).rowcount, 0)


def _insert(session: Session, table: Table) -> Insert:
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


def insert_returning_new(session: Session, table: Table, rows: Sequence[dict[str, Any]],
                         conflict_columns: Sequence[str], returning: str) -> list[Any]:
    """Insert rows, skipping existing keys, and return `returning` of the rows actually inserted.

    One statement (batched by SQLAlchemy's insertmanyvalues) instead of a SELECT of what exists
    followed by an INSERT: the database's unique index answers "is it new?" once.
    """
    if not rows:
        return []
    statement = (_insert(session, table).on_conflict_do_nothing(index_elements=list(conflict_columns))
                 .returning(table.c[returning]))
    return list(session.scalars(statement, list(rows)))


def upsert(session: Session, table: Table, values: dict[str, Any], conflict_columns: Sequence[str],
           update_columns: Sequence[str]) -> None:
    """INSERT ... ON CONFLICT (key) DO UPDATE: one statement where a SELECT then INSERT/UPDATE took two."""
    statement = _insert(session, table).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=list(conflict_columns),
        set_={column: statement.excluded[column] for column in update_columns},
    )
    session.execute(statement)

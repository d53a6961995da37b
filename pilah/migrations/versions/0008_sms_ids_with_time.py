"""SMS source ids carry the receiving time: a gateway numbering again from 1 must not look like a repeat

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 16:00:00

`gateway:number` becomes `gateway:number@YYYYMMDDTHHMMSSZ` (the post's created_at in UTC), as
`ingest.sms.payload.sms_source_id` now writes it, so an export read again after the upgrade still
finds its messages stored. A split report's post keeps its `#pisah-N` after the new id. The column
stays 100 characters: gateway numbers are short, and an id longer than the column is quarantined
(`field_too_long`), not lost. Downgrade strips the suffix, except where two messages would then
share an id (a gateway that numbered again from 1): those keep it.
"""

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SPLIT = "#pisah-"
_TIME = re.compile(r"@\d{8}T\d{6}Z$")
_POSTS = sa.table("posts", sa.column("id", sa.Integer), sa.column("channel", sa.String),
                  sa.column("source_id", sa.String), sa.column("created_at", sa.DateTime))


def upgrade() -> None:
    _rewrite(_with_time)


def downgrade() -> None:
    _rewrite(_without_time)


def _rewrite(change: Callable[[str, datetime | str], str | None]) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_POSTS.c.id, _POSTS.c.source_id, _POSTS.c.created_at)
                              .where(_POSTS.c.channel == "sms").order_by(_POSTS.c.created_at, _POSTS.c.id)).all()
    wanted = [(row, change(row.source_id, row.created_at)) for row in rows]
    used = {row.source_id for row, new_id in wanted if new_id is None}
    changed = []
    for row, new_id in wanted:
        if new_id is None:
            continue
        if new_id in used:
            used.add(row.source_id)
            continue
        used.add(new_id)
        changed.append({"row_id": row.id, "new_id": new_id})
    if changed:
        statement = _POSTS.update().where(_POSTS.c.id == sa.bindparam("row_id")).values(
            source_id=sa.bindparam("new_id"))
        connection.execute(statement, changed)


def _with_time(source_id: str, created_at: datetime | str) -> str | None:
    base, split, number = source_id.partition(_SPLIT)
    if _TIME.search(base):
        return None
    return f"{base}@{_utc(created_at):%Y%m%dT%H%M%SZ}{split}{number}"


def _without_time(source_id: str, created_at: datetime | str) -> str | None:
    base, split, number = source_id.partition(_SPLIT)
    if not _TIME.search(base):
        return None
    return f"{_TIME.sub('', base)}{split}{number}"


def _utc(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

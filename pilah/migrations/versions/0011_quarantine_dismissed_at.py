"""quarantine.dismissed_at: a person's decision that an item needs no reading

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 03:00:00

`pilah quarantine dismiss` takes an item off the list without pretending a later read took it in
(`resolved_at`): a dismissed item stays counted among what was collected, so a published report of
a past month does not change when someone tidies the list.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_column("dismissed_at")

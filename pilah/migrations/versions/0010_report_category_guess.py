"""reports.category_guess: the model's best category, kept for unclear posts too

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 02:00:00

An unclear post's `category` stays empty, so that it is neither routed nor counted under a
category, but a verifikator who finds a real complaint behind the flag needs the model's guess
to start from. Reports tagged before this revision keep NULL until they are tagged again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category_guess", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("category_guess")

"""report split links and the indexed running deadline

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("split_from_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_reports_split_from_id"), ["split_from_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_next_due_at"), ["next_due_at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_split_from_id_reports"), "reports", ["split_from_id"], ["id"]
        )
    op.execute(
        "UPDATE reports SET next_due_at = CASE"
        " WHEN status = 'terdisposisi' THEN followup_due"
        " WHEN status IN ('perlu_verifikasi', 'terverifikasi') THEN verify_due END"
    )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reports_split_from_id_reports"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_reports_next_due_at"))
        batch_op.drop_index(batch_op.f("ix_reports_split_from_id"))
        batch_op.drop_column("next_due_at")
        batch_op.drop_column("split_from_id")

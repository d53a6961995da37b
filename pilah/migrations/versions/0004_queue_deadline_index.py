"""the queue's deadline index also holds id and status

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 22:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_due_queue", ["next_due_at", "id", "status"], unique=False)
        batch_op.drop_index(batch_op.f("ix_reports_next_due_at"))


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_next_due_at"), ["next_due_at"], unique=False)
        batch_op.drop_index("ix_reports_due_queue")

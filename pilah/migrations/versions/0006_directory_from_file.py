"""opds.from_file and routing_rules.from_file: what data/ said when last applied, so edits made in the web survive

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("opds", "routing_rules"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("from_file", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in ("opds", "routing_rules"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("from_file")

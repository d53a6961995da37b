"""labels.taxonomy_version: the taxonomy a label was written under, to compare with the taxonomy's changes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 20:00:00

A label of a category that a later taxonomy narrowed (2026.2 gave posts of `sosial`, `infrastruktur`
and `perhubungan` to five new categories) must not train the next model unchecked. Labels already
stored keep NULL: nothing says which taxonomy they were written under, so `pilah train --labels`
counts them as older than every change `data/taxonomy.toml` declares.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("taxonomy_version", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.drop_column("taxonomy_version")

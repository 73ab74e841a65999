"""Store each catalog entry's risk surface: a one-line summary and its structure.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("marketplace_catalog_entries") as batch:
        batch.add_column(sa.Column("risk_summary", sa.String(300), nullable=True))
        batch.add_column(sa.Column("risk", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("marketplace_catalog_entries") as batch:
        batch.drop_column("risk")
        batch.drop_column("risk_summary")

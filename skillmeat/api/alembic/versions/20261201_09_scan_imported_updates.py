"""Scan history says how many imported entries a scan found changed upstream.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("marketplace_scans") as batch:
        batch.add_column(sa.Column("imported_updates_count", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("marketplace_scans") as batch:
        batch.drop_column("imported_updates_count")

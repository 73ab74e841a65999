"""Add "not an artifact" exclusion fields to catalog entries.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("marketplace_catalog_entries") as batch:
        batch.add_column(sa.Column("excluded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("excluded_reason", sa.String(500), nullable=True))
        batch.create_index("ix_marketplace_catalog_entries_excluded_at", ["excluded_at"])


def downgrade() -> None:
    with op.batch_alter_table("marketplace_catalog_entries") as batch:
        batch.drop_index("ix_marketplace_catalog_entries_excluded_at")
        batch.drop_column("excluded_reason")
        batch.drop_column("excluded_at")

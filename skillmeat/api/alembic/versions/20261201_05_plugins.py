"""Plugins as catalog entries: each member's plugin, and a plugin's own facts.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("marketplace_catalog_entries") as batch:
        batch.add_column(sa.Column("plugin_id", sa.String(40), nullable=True))
        batch.add_column(sa.Column("plugin_name", sa.String(255), nullable=True))
        batch.add_column(sa.Column("plugin_meta", sa.JSON(), nullable=True))
        batch.create_index("ix_catalog_source_plugin",
                           ["source_id", "plugin_id", "confidence_score", "id"])


def downgrade() -> None:
    with op.batch_alter_table("marketplace_catalog_entries") as batch:
        batch.drop_index("ix_catalog_source_plugin")
        batch.drop_column("plugin_meta")
        batch.drop_column("plugin_name")
        batch.drop_column("plugin_id")

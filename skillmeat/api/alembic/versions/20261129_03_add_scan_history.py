"""Add scan history and the scan lease that keeps two scans of a source apart.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("marketplace_sources") as batch:
        batch.add_column(sa.Column("detector_version", sa.String(20)))
        batch.add_column(sa.Column("scan_lease_until", TS))
        batch.add_column(sa.Column("scan_lease_owner", sa.String(64)))
    op.create_table(
        "marketplace_scans",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(40), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("commit_sha", sa.String(64)),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("new_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("removed_count", sa.Integer(), nullable=False),
        sa.Column("unchanged_count", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer()),
        sa.Column("error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_marketplace_scans"),
        sa.ForeignKeyConstraint(
            ["source_id"], ["marketplace_sources.id"], ondelete="CASCADE",
            name="fk_marketplace_scans_source_id_marketplace_sources",
        ),
    )
    op.create_index("ix_scans_source_started", "marketplace_scans",
                    ["source_id", "started_at", "id"])


def downgrade() -> None:
    op.drop_table("marketplace_scans")
    with op.batch_alter_table("marketplace_sources") as batch:
        batch.drop_column("scan_lease_owner")
        batch.drop_column("scan_lease_until")
        batch.drop_column("detector_version")

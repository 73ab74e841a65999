"""Create marketplace sources and catalog entries (before exclusions existed).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "marketplace_sources",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("repo_url", sa.String(1000), nullable=False),
        sa.Column("owner", sa.String(200)),
        sa.Column("repo_name", sa.String(200), nullable=False),
        sa.Column("ref", sa.String(255), nullable=False),
        sa.Column("root_hint", sa.String(1000)),
        sa.Column("description", sa.String(500)),
        sa.Column("scan_status", sa.String(20), nullable=False),
        sa.Column("last_sync_at", TS),
        sa.Column("last_error", sa.Text()),
        sa.Column("last_scanned_sha", sa.String(64)),
        sa.Column("artifact_count", sa.Integer(), nullable=False),
        sa.Column("counts_by_type", sa.JSON(), nullable=False),
        sa.Column("catalog_counts", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_marketplace_sources"),
        sa.UniqueConstraint("repo_url", name="uq_marketplace_sources_repo_url"),
    )
    op.create_table(
        "marketplace_catalog_entries",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(40), nullable=False),
        sa.Column("artifact_type", sa.String(20), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("renamed", sa.Boolean(), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("upstream_url", sa.String(2000)),
        sa.Column("detected_sha", sa.String(64)),
        sa.Column("detected_version", sa.String(100)),
        sa.Column("confidence_score", sa.Integer(), nullable=False),
        sa.Column("score_breakdown", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("detected_at", TS, nullable=False),
        sa.Column("removed_at", TS),
        sa.Column("import_date", TS),
        sa.Column("import_id", sa.String(64)),
        sa.Column("imported_sha", sa.String(64)),
        sa.Column("title", sa.String(500)),
        sa.Column("description", sa.Text()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_marketplace_catalog_entries"),
        sa.ForeignKeyConstraint(
            ["source_id"], ["marketplace_sources.id"], ondelete="CASCADE",
            name="fk_marketplace_catalog_entries_source_id_marketplace_sources",
        ),
        sa.UniqueConstraint("source_id", "artifact_type", "path",
                            name="uq_catalog_source_type_path"),
    )
    indexes = {
        "ix_catalog_source_confidence": ["source_id", "confidence_score", "id"],
        "ix_catalog_source_type_confidence": ["source_id", "artifact_type", "confidence_score",
                                              "id"],
        "ix_catalog_source_status_confidence": ["source_id", "status", "confidence_score", "id"],
        "ix_catalog_source_name": ["source_id", "name", "id"],
        "ix_catalog_source_detected": ["source_id", "detected_at", "id"],
    }
    for name, columns in indexes.items():
        op.create_index(name, "marketplace_catalog_entries", columns)


def downgrade() -> None:
    op.drop_table("marketplace_catalog_entries")
    op.drop_table("marketplace_sources")

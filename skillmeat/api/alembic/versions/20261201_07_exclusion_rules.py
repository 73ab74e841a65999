"""Exclusion rules, which rule excluded an entry (and hand-made exceptions), exclusion events.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
ENTRIES = "marketplace_catalog_entries"


def upgrade() -> None:
    op.create_table(
        "marketplace_exclusion_rules",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(40), nullable=False),
        sa.Column("pattern", sa.String(1000), nullable=False),
        sa.Column("artifact_type", sa.String(20)),
        sa.Column("reason", sa.String(500)),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_marketplace_exclusion_rules"),
        sa.ForeignKeyConstraint(
            ["source_id"], ["marketplace_sources.id"], ondelete="CASCADE",
            name="fk_marketplace_exclusion_rules_source_id_marketplace_sources",
        ),
    )
    op.create_index("ix_exclusion_rules_source_created", "marketplace_exclusion_rules",
                    ["source_id", "created_at", "id"])
    op.create_table(
        "marketplace_exclusion_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(40), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("entry_id", sa.String(40)),
        sa.Column("rule_id", sa.String(40)),
        sa.Column("pattern", sa.String(1000)),
        sa.Column("reason", sa.String(500)),
        sa.PrimaryKeyConstraint("id", name="pk_marketplace_exclusion_events"),
        sa.ForeignKeyConstraint(
            ["source_id"], ["marketplace_sources.id"], ondelete="CASCADE",
            name="fk_marketplace_exclusion_events_source_id_marketplace_sources",
        ),
    )
    op.create_index("ix_exclusion_events_source", "marketplace_exclusion_events",
                    ["source_id", "id"])
    op.create_index("ix_exclusion_events_entry", "marketplace_exclusion_events",
                    ["entry_id", "id"])
    with op.batch_alter_table(ENTRIES) as batch:
        batch.add_column(sa.Column("excluded_by_rule", sa.String(40)))
        batch.add_column(sa.Column("rule_exception", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.create_foreign_key("fk_catalog_excluded_by_rule", "marketplace_exclusion_rules",
                                 ["excluded_by_rule"], ["id"])
    where = sa.text("excluded_by_rule IS NOT NULL")
    op.create_index("ix_catalog_excluded_by_rule", ENTRIES, ["excluded_by_rule"],
                    postgresql_where=where, sqlite_where=where)
    # Unused by any query (listings filter on status); one index fewer per excluded row.
    op.drop_index("ix_marketplace_catalog_entries_excluded_at", table_name=ENTRIES)


def downgrade() -> None:
    op.create_index("ix_marketplace_catalog_entries_excluded_at", ENTRIES, ["excluded_at"])
    op.drop_index("ix_catalog_excluded_by_rule", table_name=ENTRIES)
    with op.batch_alter_table(ENTRIES) as batch:
        batch.drop_constraint("fk_catalog_excluded_by_rule", type_="foreignkey")
        batch.drop_column("rule_exception")
        batch.drop_column("excluded_by_rule")
    op.drop_table("marketplace_exclusion_events")
    op.drop_table("marketplace_exclusion_rules")

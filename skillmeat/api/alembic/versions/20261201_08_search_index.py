"""Full-text search over every source: keywords text, the search index, copies by content.

Builds the index for the rows already there (FTS5 'rebuild' on SQLite; the generated column
computes itself on PostgreSQL).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from skillmeat.cache import search_index

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLE = "marketplace_catalog_entries"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("keywords", sa.Text(), nullable=True))
    op.create_index("ix_catalog_detected_sha", TABLE, ["detected_sha", "id"])
    dialect = op.get_bind().dialect.name
    for statement in search_index.create_statements(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in search_index.drop_statements(dialect):
        op.execute(statement)
    op.drop_index("ix_catalog_detected_sha", table_name=TABLE)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("keywords")

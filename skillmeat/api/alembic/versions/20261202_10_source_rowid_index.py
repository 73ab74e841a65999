"""SQLite: an index of each source's rowids, for searches inside one source.

A search inside one source asked FTS5 for a word's matches in every source (65,000 rowids
for a common word at a million entries) and read the source's page against them. With
(source_id, rowid), two index seeks give the source's rowid range and FTS5 hands back the
matches inside it only. PostgreSQL has no rowid and is unchanged.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from skillmeat.cache import search_index

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in search_index.create_statements(op.get_bind().dialect.name, version=2):
        op.execute(statement)


def downgrade() -> None:
    for statement in search_index.drop_statements(op.get_bind().dialect.name, version=2):
        op.execute(statement)

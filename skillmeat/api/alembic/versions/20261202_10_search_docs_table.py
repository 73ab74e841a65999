"""PostgreSQL's search index moves out of the entry row into a table of its own; SQLite's
gets an index of each source's rowids.

The generated tsvector column was computed again, and its GIN entries written again, by
every UPDATE of an entry, an exclusion included. The vectors move to
marketplace_search_docs (filled here from the rows already there, before the old column
goes), kept in step by triggers that fire only on inserts, deletes and text changes.
SQLite keeps its FTS5 index and gains (source_id, rowid), so a search inside one source asks
FTS5 for the matches in that source's rowid range only.

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
    dialect = op.get_bind().dialect.name
    statements = search_index.create_statements(dialect, version=2)
    if dialect == "postgresql":  # the new index is filled before the old one goes
        statements += search_index.drop_statements(dialect, version=1)
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = search_index.drop_statements(dialect, version=2)
    if dialect == "postgresql":
        statements = search_index.create_statements(dialect, version=1) + statements
    for statement in statements:
        op.execute(statement)

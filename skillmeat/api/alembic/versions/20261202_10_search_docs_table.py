"""PostgreSQL's search index moves out of the entry row into a table of its own.

The generated tsvector column was computed again, and its GIN entries written again, by
every UPDATE of an entry, an exclusion included. The vectors move to
marketplace_search_docs (filled here from the rows already there, before the old column
goes), kept in step by triggers that fire only on inserts, deletes and text changes.
SQLite's index (FTS5 over the entries table) is unchanged.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from skillmeat.cache import search_index

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _swap(old: int, new: int) -> None:
    dialect = op.get_bind().dialect.name
    if dialect != "postgresql":
        return
    # The new index is filled before the old one goes.
    for statement in (*search_index.create_statements(dialect, version=new),
                      *search_index.drop_statements(dialect, version=old)):
        op.execute(statement)


def upgrade() -> None:
    _swap(1, 2)


def downgrade() -> None:
    _swap(2, 1)

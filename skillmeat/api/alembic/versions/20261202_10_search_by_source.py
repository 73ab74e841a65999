"""The search index, second version: SQLite's holds each entry's source id; PostgreSQL's
moves out of the entry row into a table of its own.

SQLite: a search inside one source intersects the word's postings with the source's in
FTS5 instead of collecting the word's matches in every source. The FTS5 table is rebuilt
(its content is the entries table, so 'rebuild' re-reads the rows).

PostgreSQL: the generated tsvector column was computed again, and its GIN entries written
again, by every UPDATE of an entry, an exclusion included. The vectors move to
marketplace_search_docs (filled here from the rows already there, in insertion order),
kept in step by triggers that fire only on inserts, deletes and text changes.

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
    if dialect == "postgresql":  # the new index is filled before the old one goes
        statements = (*search_index.create_statements(dialect, version=new),
                      *search_index.drop_statements(dialect, version=old))
    else:  # one FTS5 table name: the old one goes first
        statements = (*search_index.drop_statements(dialect, version=old),
                      *search_index.create_statements(dialect, version=new))
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _swap(1, 2)


def downgrade() -> None:
    _swap(2, 1)

"""SQLite's search index also holds each entry's source id, so a search inside one source
intersects postings in FTS5 instead of collecting a word's matches in every source.

Rebuilds the FTS5 table (its content is the entries table, so 'rebuild' re-reads the rows).
PostgreSQL is unchanged.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from skillmeat.cache import search_index

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _rebuild(version: int) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return
    for statement in search_index.drop_statements(dialect):
        op.execute(statement)
    for statement in search_index.create_statements(dialect, version=version):
        op.execute(statement)


def upgrade() -> None:
    _rebuild(2)


def downgrade() -> None:
    _rebuild(1)

"""The full-text index of catalog entries, as each database spells it.

Only text is indexed (name, title, description, path, keywords), keyed by the entry's row;
every filter (status, type, source, confidence, exclusion) is a column of the entry read by
join, so a status change writes nothing here. The database keeps the index in step with each
insert, update and delete of an entry inside the same transaction: SQLite by triggers on an
FTS5 table whose content is the entries table, PostgreSQL as a generated `tsvector` column
with a GIN index. SQLite inserts are the exception: entries are inserted only in batches by
repositories.insert_entries, which indexes each batch with one INSERT ... SELECT (a trigger
per row made FTS5 flush its buffer at every row: four times the cost of a merge); an entry
added through the ORM is indexed by an after-insert event there. Likewise the update trigger
fires only when the name changes (a rename, or a merge renaming); repositories.update_entries
re-indexes a merge's batch of other text changes with two statements.

Both tokenise the same way: lower case, words are runs of letters and digits. PostgreSQL's
words carry a one-letter field marker ("n" name, "t" title, ...) so that "pdf in the name"
is a lexeme of its own, with its own planner statistics, like an FTS5 column filter; each
word is also there once with the marker "a" (anywhere), so "in any field" is one lexeme too,
not an OR of five that the planner cannot estimate.
"""

from __future__ import annotations

ENTRIES = "marketplace_catalog_entries"
FTS = "marketplace_search"  # SQLite FTS5 table
VECTOR = "search_vector"  # PostgreSQL generated column
VECTOR_INDEX = "ix_catalog_search_vector"
# PostgreSQL's counterpart of SQLite's rowid: the order of hits inside a tier. It follows
# insertion, so an ordered scan reads the heap nearly in order (an id order reads it at random).
SEQ = "search_seq"
SEQ_INDEX = "ix_catalog_search_seq"
FIELDS = ("name", "title", "description", "path", "keywords")  # best match first
MARKERS = dict(zip(FIELDS, "ntdpk", strict=True))
ANYWHERE = "a"
TRIGGERS = ("marketplace_search_ad", "marketplace_search_au")

_COLS = ", ".join(FIELDS)
_NEW = ", ".join(f"new.{f}" for f in FIELDS)
_OLD = ", ".join(f"old.{f}" for f in FIELDS)


def _sqlite_create(options: str) -> tuple[str, ...]:
    return (
        f"CREATE VIRTUAL TABLE {FTS} USING fts5({_COLS}, content='{ENTRIES}',"
        f" tokenize='unicode61 remove_diacritics 0', prefix='2 3'{options})",
        f"CREATE TRIGGER {TRIGGERS[0]} AFTER DELETE ON {ENTRIES} BEGIN"
        f" INSERT INTO {FTS}({FTS}, rowid, {_COLS}) VALUES ('delete', old.rowid, {_OLD}); END",
        f"CREATE TRIGGER {TRIGGERS[1]} AFTER UPDATE OF name ON {ENTRIES} BEGIN"
        f" INSERT INTO {FTS}({FTS}, rowid, {_COLS}) VALUES ('delete', old.rowid, {_OLD});"
        f" INSERT INTO {FTS}(rowid, {_COLS}) VALUES (new.rowid, {_NEW}); END",
        f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",  # index the rows already there
    )


SQLITE_CREATE = _sqlite_create("")  # revision 0008: FTS5's default, every word's position
# Revision 0011: which fields hold a word, not where in them (detail=column). A search asks
# only "these words, in this field or in any": no phrase, no NEAR, no FTS5 snippet (the
# service cuts snippets itself). The index is 45% smaller and an AND of two common words
# reads its doclists in half the time.
SQLITE_CREATE_V3 = _sqlite_create(", detail=column")
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS {t}" for t in TRIGGERS) + (
    f"DROP TABLE IF EXISTS {FTS}",)
# SQLite, revision 0010: (source_id, rowid), so a search inside one source reads the source's
# rowid range in two index seeks and asks FTS5 for the matches inside it only (FTS5 seeks a
# rowid range in its doclists). Written once per insert: a source id never changes, so
# updates (a status, a rescan) never touch it. PostgreSQL has no rowid and does not get it.
SOURCE_ROWID_INDEX = "ix_catalog_source_rowid"
SQLITE_CREATE_V2 = (f"CREATE INDEX {SOURCE_ROWID_INDEX} ON {ENTRIES} (source_id)",)
SQLITE_DROP_V2 = (f"DROP INDEX IF EXISTS {SOURCE_ROWID_INDEX}",)


def _pg_words(text: str, marker: str) -> str:
    """SQL: the words of `text`, lower case, each with `marker` in front."""
    plain = f"regexp_replace(lower({text}), '[^[:alnum:]]+', ' ', 'g')"
    return f"regexp_replace({plain}, '([[:alnum:]]+)', '{marker}\\1', 'g')"


_ALL_TEXT = " || ' ' || ".join(f"coalesce({f}, '')" for f in FIELDS)
PG_VECTOR_SQL = "to_tsvector('simple'::regconfig, " + " || ' ' || ".join(
    [_pg_words(_ALL_TEXT, ANYWHERE)]
    + [_pg_words(f"coalesce({f}, '')", MARKERS[f]) for f in FIELDS]) + ")"
PG_CREATE = (
    f"ALTER TABLE {ENTRIES} ADD COLUMN {VECTOR} tsvector"
    f" GENERATED ALWAYS AS ({PG_VECTOR_SQL}) STORED,"
    f" ADD COLUMN {SEQ} bigint GENERATED ALWAYS AS IDENTITY",
    f"CREATE INDEX {VECTOR_INDEX} ON {ENTRIES} USING gin ({VECTOR})",
    f"CREATE INDEX {SEQ_INDEX} ON {ENTRIES} ({SEQ})",
)
PG_DROP = (f"DROP INDEX IF EXISTS {VECTOR_INDEX}", f"DROP INDEX IF EXISTS {SEQ_INDEX}",
           f"ALTER TABLE {ENTRIES} DROP COLUMN IF EXISTS {VECTOR},"
           f" DROP COLUMN IF EXISTS {SEQ}")


SQLITE_INDEX_NEW = (f"INSERT INTO {FTS}(rowid, {_COLS}) SELECT rowid, {_COLS} FROM {ENTRIES}"
                    " WHERE id IN :ids")
SQLITE_UNINDEX = (f"INSERT INTO {FTS}({FTS}, rowid, {_COLS}) SELECT 'delete', rowid, {_COLS}"
                  f" FROM {ENTRIES} WHERE id IN :ids")  # with the values still stored
SQLITE_CHECK = f"INSERT INTO {FTS}({FTS}, rank) VALUES ('integrity-check', 1)"


def create_statements(dialect: str, *, version: int = 1) -> tuple[str, ...]:
    """What revision 0008 built (`version` 1), what 0010 added (2: SQLite only), or what
    0011 rebuilt (3: SQLite's FTS5 table with detail=column, built again from the entries)."""
    if dialect == "postgresql":
        return PG_CREATE if version == 1 else ()
    if version == 3:
        return SQLITE_DROP + SQLITE_CREATE_V3
    return SQLITE_CREATE_V2 if version == 2 else SQLITE_CREATE


def drop_statements(dialect: str, *, version: int = 1) -> tuple[str, ...]:
    """Undo `create_statements` of the same version (3: back to 0008's FTS5 table)."""
    if dialect == "postgresql":
        return PG_DROP if version == 1 else ()
    if version == 3:
        return SQLITE_DROP + SQLITE_CREATE
    return SQLITE_DROP_V2 if version == 2 else SQLITE_DROP


def is_index_object(name: str | None) -> bool:
    """Whether a schema object is the index's own (made by its migration, not the models)."""
    return bool(name) and (name in (VECTOR, VECTOR_INDEX, SEQ, SEQ_INDEX, SOURCE_ROWID_INDEX)
                           or str(name).startswith(FTS))


def include_object(_obj: object, name: str | None, _type: str, _reflected: bool,
                   _compare_to: object) -> bool:
    """Alembic's filter: the models do not describe the index, so comparisons skip it."""
    return not is_index_object(name)

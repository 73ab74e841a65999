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

def _sqlite_create(columns: tuple[str, ...]) -> tuple[str, ...]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return (
        f"CREATE VIRTUAL TABLE {FTS} USING fts5({cols}, content='{ENTRIES}',"
        " tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
        f"CREATE TRIGGER {TRIGGERS[0]} AFTER DELETE ON {ENTRIES} BEGIN"
        f" INSERT INTO {FTS}({FTS}, rowid, {cols}) VALUES ('delete', old.rowid, {old}); END",
        f"CREATE TRIGGER {TRIGGERS[1]} AFTER UPDATE OF name ON {ENTRIES} BEGIN"
        f" INSERT INTO {FTS}({FTS}, rowid, {cols}) VALUES ('delete', old.rowid, {old});"
        f" INSERT INTO {FTS}(rowid, {cols}) VALUES (new.rowid, {new}); END",
        f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",  # index the rows already there
    )


SQLITE_CREATE = _sqlite_create(FIELDS)
# SQLite, revision 0010: (source_id, rowid), so a search inside one source reads the source's
# rowid range in two index seeks and asks FTS5 for the matches inside it only (FTS5 seeks a
# rowid range in its doclists). Written once per insert: a source id never changes, so
# updates (a status, a rescan) never touch it. PostgreSQL has no rowid and does not get it.
SOURCE_ROWID_INDEX = "ix_catalog_source_rowid"
SQLITE_CREATE_V2 = (f"CREATE INDEX {SOURCE_ROWID_INDEX} ON {ENTRIES} (source_id)",)
SQLITE_DROP_V2 = (f"DROP INDEX IF EXISTS {SOURCE_ROWID_INDEX}",)
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS {t}" for t in TRIGGERS) + (
    f"DROP TABLE IF EXISTS {FTS}",)


def _pg_words(text: str, marker: str) -> str:
    """SQL: the words of `text`, lower case, each with `marker` in front."""
    plain = f"regexp_replace(lower({text}), '[^[:alnum:]]+', ' ', 'g')"
    return f"regexp_replace({plain}, '([[:alnum:]]+)', '{marker}\\1', 'g')"


def pg_vector_sql(row: str = "") -> str:
    """SQL: the `tsvector` of an entry's text; `row` qualifies the columns ("new.")."""
    fields = {f: f"coalesce({row}{f}, '')" for f in FIELDS}
    return "to_tsvector('simple'::regconfig, " + " || ' ' || ".join(
        [_pg_words(" || ' ' || ".join(fields.values()), ANYWHERE)]
        + [_pg_words(fields[f], MARKERS[f]) for f in FIELDS]) + ")"


PG_VECTOR_SQL = pg_vector_sql()
# Revision 0008's index, frozen for its migrations: a generated column on the entry row. Every
# UPDATE of the row computed it again and, the row being rewritten, gave the GIN index new
# entries: an exclusion of one entry paid for its whole text (revision 0010 moved it out).
PG_CREATE_V1 = (
    f"ALTER TABLE {ENTRIES} ADD COLUMN {VECTOR} tsvector"
    f" GENERATED ALWAYS AS ({PG_VECTOR_SQL}) STORED,"
    f" ADD COLUMN {SEQ} bigint GENERATED ALWAYS AS IDENTITY",
    f"CREATE INDEX {VECTOR_INDEX} ON {ENTRIES} USING gin ({VECTOR})",
    f"CREATE INDEX {SEQ_INDEX} ON {ENTRIES} ({SEQ})",
)
PG_DROP_V1 = (f"DROP INDEX IF EXISTS {VECTOR_INDEX}", f"DROP INDEX IF EXISTS {SEQ_INDEX}",
              f"ALTER TABLE {ENTRIES} DROP COLUMN IF EXISTS {VECTOR},"
              f" DROP COLUMN IF EXISTS {SEQ}")

# Revision 0010: the text index in a table of its own, one row per entry, written only when an
# entry is inserted, deleted or its text changes. A status change (exclusion, import, a
# rescan's removal) no longer touches it. Kept in step by triggers in the same statement:
# inserts and deletes once per statement from the transition table (set-based), text updates
# per changed row. No foreign key: its per-row check would cost every insert a lookup.
DOCS = "marketplace_search_docs"
DOCS_VECTOR_INDEX = "ix_search_docs_vector"
DOCS_SEQ_INDEX = "ix_search_docs_seq"
PG_FUNCTIONS = ("marketplace_search_docs_add", "marketplace_search_docs_drop",
                "marketplace_search_docs_text")
PG_TRIGGERS = ("marketplace_search_ai", "marketplace_search_ad", "marketplace_search_au")
_CHANGED = " OR ".join(f"old.{f} IS DISTINCT FROM new.{f}" for f in FIELDS)
PG_CREATE = (
    f"CREATE TABLE {DOCS} (entry_id varchar(40) PRIMARY KEY,"
    # The order of hits inside a tier: insertion order, so an ordered walk reads the heap in
    # order. bigint identity, as SQLite's rowid.
    f" seq bigint GENERATED ALWAYS AS IDENTITY, vector tsvector NOT NULL)",
    f"INSERT INTO {DOCS} (entry_id, vector) SELECT id, {PG_VECTOR_SQL} FROM {ENTRIES}"
    " ORDER BY created_at, id",
    f"CREATE INDEX {DOCS_VECTOR_INDEX} ON {DOCS} USING gin (vector)",
    f"CREATE UNIQUE INDEX {DOCS_SEQ_INDEX} ON {DOCS} (seq)",
    f"CREATE FUNCTION {PG_FUNCTIONS[0]}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    f" INSERT INTO {DOCS} (entry_id, vector) SELECT id, {PG_VECTOR_SQL} FROM added;"
    " RETURN NULL; END $$",
    f"CREATE FUNCTION {PG_FUNCTIONS[1]}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    f" DELETE FROM {DOCS} WHERE entry_id IN (SELECT id FROM dropped); RETURN NULL; END $$",
    f"CREATE FUNCTION {PG_FUNCTIONS[2]}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    f" UPDATE {DOCS} SET vector = {pg_vector_sql('new.')} WHERE entry_id = new.id;"
    " RETURN NULL; END $$",
    f"CREATE TRIGGER {PG_TRIGGERS[0]} AFTER INSERT ON {ENTRIES} REFERENCING NEW TABLE AS added"
    f" FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTIONS[0]}()",
    f"CREATE TRIGGER {PG_TRIGGERS[1]} AFTER DELETE ON {ENTRIES} REFERENCING OLD TABLE AS"
    f" dropped FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTIONS[1]}()",
    f"CREATE TRIGGER {PG_TRIGGERS[2]} AFTER UPDATE OF {', '.join(FIELDS)} ON {ENTRIES}"
    f" FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION {PG_FUNCTIONS[2]}()",
)
PG_DROP = tuple(f"DROP TRIGGER IF EXISTS {t} ON {ENTRIES}" for t in PG_TRIGGERS) + tuple(
    f"DROP FUNCTION IF EXISTS {f}()" for f in PG_FUNCTIONS) + (f"DROP TABLE IF EXISTS {DOCS}",)


_COLS = ", ".join(FIELDS)
SQLITE_INDEX_NEW = (f"INSERT INTO {FTS}(rowid, {_COLS}) SELECT rowid, {_COLS} FROM {ENTRIES}"
                    " WHERE id IN :ids")
SQLITE_UNINDEX = (f"INSERT INTO {FTS}({FTS}, rowid, {_COLS}) SELECT 'delete', rowid, {_COLS}"
                  f" FROM {ENTRIES} WHERE id IN :ids")  # with the values still stored
SQLITE_CHECK = f"INSERT INTO {FTS}({FTS}, rank) VALUES ('integrity-check', 1)"


def create_statements(dialect: str, *, version: int = 2) -> tuple[str, ...]:
    """The index as revision 0008 built it (`version` 1), or what 0010 changed (2): on
    PostgreSQL a whole new index, on SQLite one more index beside 0008's."""
    if dialect == "postgresql":
        return PG_CREATE_V1 if version == 1 else PG_CREATE
    return SQLITE_CREATE if version == 1 else SQLITE_CREATE_V2


def drop_statements(dialect: str, *, version: int = 2) -> tuple[str, ...]:
    if dialect == "postgresql":
        return PG_DROP_V1 if version == 1 else PG_DROP
    return SQLITE_DROP if version == 1 else SQLITE_DROP_V2


def is_index_object(name: str | None) -> bool:
    """Whether a schema object is the index's own (made by its migration, not the models)."""
    return bool(name) and (name in (VECTOR, VECTOR_INDEX, SEQ, SEQ_INDEX, DOCS,
                                    DOCS_VECTOR_INDEX, DOCS_SEQ_INDEX, SOURCE_ROWID_INDEX)
                           or str(name).startswith(FTS))


def include_object(_obj: object, name: str | None, _type: str, _reflected: bool,
                   _compare_to: object) -> bool:
    """Alembic's filter: the models do not describe the index, so comparisons skip it."""
    return not is_index_object(name)

"""Queries. Services decide; this module only knows how to ask the database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    Row,
    Select,
    Table,
    Text,
    bindparam,
    case,
    cast,
    delete,
    event,
    false,
    func,
    insert,
    literal,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from skillmeat.cache.models import MarketplaceCatalogEntry as Entry
from skillmeat.cache.models import MarketplaceScan, MarketplaceSource
from skillmeat.cache.search_index import FIELDS, SQLITE_INDEX_NEW, SQLITE_UNINDEX
from skillmeat.cache.search_queries import Words, text_condition, visibility

S = TypeVar("S", bound=Select[Any])


def keyset(stmt: S, key: Sequence[InstrumentedAttribute[Any]], after: Sequence[Any] | None,
           *, descending: bool = False, limit: int) -> S:
    """`stmt` ordered by `key` (unique: it ends in an id), cut to `limit` rows after `after`.

    One row-value comparison, not an OR of column comparisons: both databases then seek the
    index to the position instead of filtering every earlier row, so a deep page costs what
    the first one does.
    """
    if after is not None:
        row = tuple_(*key)
        position = tuple_(*(literal(v, c.type) for v, c in zip(after, key, strict=True)))
        stmt = stmt.where(row < position if descending else row > position)
    order = [c.desc() if descending else c.asc() for c in key]
    return stmt.order_by(*order).limit(limit)


def get_source(session: Session, source_id: str, *, lock: bool = False) -> MarketplaceSource | None:
    stmt = select(MarketplaceSource).where(MarketplaceSource.id == source_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def source_id_by_url(session: Session, repo_url: str) -> str | None:
    stmt = select(MarketplaceSource.id).where(MarketplaceSource.repo_url == repo_url)
    return session.scalars(stmt).first()


def source_page(session: Session, after: Sequence[Any] | None,
                limit: int) -> Sequence[MarketplaceSource]:
    """Sources newest first, after the (created_at, id) position `after`."""
    key = (MarketplaceSource.created_at, MarketplaceSource.id)
    stmt = keyset(select(MarketplaceSource), key, after, descending=True, limit=limit)
    return session.scalars(stmt).all()


def all_source_ids(session: Session) -> list[str]:
    return list(session.scalars(select(MarketplaceSource.id).order_by(MarketplaceSource.id)))


def delete_source(session: Session, source_id: str) -> None:
    # Entries and scans go by ON DELETE CASCADE in the database, not row by row in Python.
    session.execute(delete(MarketplaceSource).where(MarketplaceSource.id == source_id))


def get_entry(session: Session, source_id: str, entry_id: str, *,
              lock: bool = False) -> Entry | None:
    # Scoped by source: an entry is never read or changed through another source.
    stmt = select(Entry).where(Entry.id == entry_id, Entry.source_id == source_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def get_entries(session: Session, source_id: str, entry_ids: Sequence[str], *,
                lock: bool = False) -> list[Entry]:
    stmt = select(Entry).where(Entry.source_id == source_id, Entry.id.in_(list(entry_ids)))
    if lock:
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class EntryCriteria:
    """Column conditions of an entry listing; the service decides them from its rules."""

    artifact_type: str | None = None
    status: str | None = None
    hidden_status: str | None = None  # left out of the listing (unless `status` asks for it)
    min_confidence: int | None = None
    max_confidence: int | None = None
    text: Words | None = None  # words the search index must find in the entry
    plugin_id: str | None = None  # members of this plugin entry


def _conditions(session: Session, source_id: str,
                c: EntryCriteria) -> tuple[list[ColumnElement[bool]], bool]:
    conds = [Entry.source_id == source_id,
             *visibility(Entry, c.status, c.hidden_status, c.min_confidence)]
    if c.artifact_type:
        conds.append(Entry.artifact_type == c.artifact_type)
    if c.plugin_id:
        conds.append(Entry.plugin_id == c.plugin_id)
    if c.max_confidence is not None:
        conds.append(Entry.confidence_score <= c.max_confidence)
    if c.text is not None:
        if not c.text.words:
            return [*conds, false()], False
        cond, by_rowid = text_condition(session, c.text, source_id)
        if by_rowid:  # a few matches, looked up by rowid: no index of the source may be
            # walked instead (every one starts with source_id; SQLite's own pick, 10 to 30 ms)
            conds[0] = func.coalesce(Entry.source_id, "") == source_id
        return [*conds, cond], by_rowid
    return conds, False


def entry_page(session: Session, source_id: str, criteria: EntryCriteria, sort_field: str,
               descending: bool, after: Sequence[Any] | None, limit: int) -> list[Entry]:
    """Entries ordered by the column `sort_field`, then id (each order has its index)."""
    key = (getattr(Entry, sort_field), Entry.id)
    conds, _by_rowid = _conditions(session, source_id, criteria)
    stmt = select(Entry).where(*conds)
    return list(session.scalars(keyset(stmt, key, after, descending=descending, limit=limit)))


def catalog_count_rows(session: Session, source_id: str,
                       threshold: int) -> list[tuple[str, str, int, int]]:
    """(type, status, band, n) of a source's entries; band 1 is confidence >= threshold."""
    above = case((Entry.confidence_score >= threshold, 1), else_=0)
    stmt = (
        select(Entry.artifact_type, Entry.status, above, func.count())
        .where(Entry.source_id == source_id)
        .group_by(Entry.artifact_type, Entry.status, above)
    )
    return [(t, s, int(b), int(n)) for t, s, b, n in session.execute(stmt)]


# What a scan sets on an entry, in this order; the JSON ones a merge reads as their stored
# text: a merge compares 100,000s of rows and decoding each (most unchanged) cost more than
# the rest of the comparison. A merge compares these as one tuple, item by item only when
# that differs.
MERGE_SCAN_FIELDS = (
    "plugin_id", "plugin_name", "plugin_meta", "detected_sha", "confidence_score",
    "score_breakdown", "title", "description", "detected_version", "keywords", "upstream_url",
    "risk_summary", "risk",
)
MERGE_JSON_COLUMNS = frozenset({"score_breakdown", "plugin_meta", "risk"})
MERGE_COLUMNS: tuple[Any, ...] = (
    Entry.id, Entry.artifact_type, Entry.path, Entry.name, Entry.renamed, Entry.status,
    Entry.excluded_at, Entry.removed_at, Entry.imported_sha, Entry.import_date,
    *(cast(getattr(Entry, name), Text).label(name) if name in MERGE_JSON_COLUMNS
      else getattr(Entry, name) for name in MERGE_SCAN_FIELDS),
)
MERGE_SCAN_START = len(MERGE_COLUMNS) - len(MERGE_SCAN_FIELDS)


def plugin_ids(session: Session, source_id: str) -> dict[str, str]:
    """Path -> id of a source's plugin entries (the unique index serves it)."""
    stmt = select(Entry.path, Entry.id).where(Entry.source_id == source_id,
                                              Entry.artifact_type == "plugin")
    return {path: entry_id for path, entry_id in session.execute(stmt)}


def plugin_by_name(session: Session, source_id: str, name: str) -> Entry | None:
    """The first plugin entry with this name (by id); the (source, name) index serves it."""
    stmt = select(Entry).where(Entry.source_id == source_id, Entry.name == name,
                               Entry.artifact_type == "plugin").order_by(Entry.id).limit(1)
    return session.scalars(stmt).first()


def plugin_members(session: Session, source_id: str, plugin_id: str, *,
                   lock: bool = False) -> list[Entry]:
    """Every member of one plugin (served by the (source, plugin) index)."""
    stmt = select(Entry).where(Entry.source_id == source_id, Entry.plugin_id == plugin_id)
    if lock:
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt.order_by(Entry.id)))


def merge_snapshot(session: Session, source_id: str,
                   page: int = 2000) -> Iterator[list[Row[Any]]]:
    """Every entry of a source with the columns a merge compares (not whole ORM objects;
    MERGE_JSON_COLUMNS as text), a page at a time in (type, path) order: the unique index
    serves each page, and rows may be written between pages (a merge never changes type or
    path). Read through the Core connection: the ORM's row bookkeeping is waste here."""
    stmt = select(*MERGE_COLUMNS).where(Entry.source_id == source_id)
    return type_path_pages(session, stmt, page, core=True)


def type_path_pages(session: Session, stmt: Select[Any], page: int, *,
                    core: bool = False) -> Iterator[list[Row[Any]]]:
    """`stmt`'s rows (it selects artifact_type and path of one source's entries) a page at a
    time in (type, path) order, on the source's unique index (`core`: through the session's
    connection, for plain column rows)."""
    key = (Entry.artifact_type, Entry.path)
    after: tuple[str, str] | None = None
    run = session.connection().execute if core else session.execute
    while True:
        rows = list(run(keyset(stmt, key, after, limit=page)))
        if rows:
            yield rows
        if len(rows) < page:
            return
        after = (rows[-1].artifact_type, rows[-1].path)


ENTRIES: Table = Entry.__table__  # type: ignore[assignment]


def insert_entries(session: Session, rows: list[dict[str, Any]]) -> None:
    """Core executemany: a scan inserts up to 100,000s of rows, the ORM's bookkeeping is waste."""
    if rows:
        session.execute(insert(ENTRIES), rows)
        if session.get_bind().dialect.name == "sqlite":  # see search_index: one statement
            session.execute(_by_ids(SQLITE_INDEX_NEW), {"ids": [row["id"] for row in rows]})


@event.listens_for(Entry, "after_insert")
def _index_added_entry(_mapper: Any, connection: Connection, entry: Entry) -> None:
    """An entry added one at a time through the ORM is indexed like a batch of one."""
    if connection.dialect.name == "sqlite":
        connection.execute(_by_ids(SQLITE_INDEX_NEW), {"ids": [entry.id]})


def update_entries(session: Session, rows: list[dict[str, Any]]) -> None:
    """Bulk UPDATE by primary key; each dict carries `id` and the changed columns.

    Rows are grouped by which columns change, one executemany per group.
    """
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        columns = tuple(sorted(k for k in row if k != "id"))
        groups.setdefault(columns, []).append(
            {"_id": row["id"], **{k: row[k] for k in columns}})
    sqlite = session.get_bind().dialect.name == "sqlite"
    for columns, params in groups.items():
        stmt = (update(ENTRIES).where(ENTRIES.c.id == bindparam("_id"))
                .values({c: bindparam(c) for c in columns}))
        # SQLite's search index: a name change re-indexes by trigger; other text in batches.
        reindex = sqlite and "name" not in columns and bool(set(columns) & set(FIELDS))
        ids = {"ids": [p["_id"] for p in params]}
        if reindex:
            session.execute(_by_ids(SQLITE_UNINDEX), ids)
        session.execute(stmt, params)
        if reindex:
            session.execute(_by_ids(SQLITE_INDEX_NEW), ids)


def _by_ids(sql: str) -> Any:
    return text(sql).bindparams(bindparam("ids", expanding=True))


def add_scan(session: Session, scan: MarketplaceScan) -> None:
    session.add(scan)
    session.flush()


def get_scan(session: Session, scan_id: str) -> MarketplaceScan | None:
    return session.get(MarketplaceScan, scan_id)


def close_scans(session: Session, source_id: str, *, running: str, outcome: str,
                now: datetime, error: str) -> None:
    """Give the source's history rows still at outcome `running` this `outcome`."""
    session.execute(
        update(MarketplaceScan)
        .where(MarketplaceScan.source_id == source_id, MarketplaceScan.outcome == running)
        .values(outcome=outcome, finished_at=now, error=error)
    )


def recent_scans(session: Session, source_id: str, limit: int) -> Sequence[MarketplaceScan]:
    stmt = (
        select(MarketplaceScan)
        .where(MarketplaceScan.source_id == source_id)
        .order_by(MarketplaceScan.started_at.desc(), MarketplaceScan.id.desc())
        .limit(limit)
    )
    return session.scalars(stmt).all()


def prune_scans(session: Session, source_id: str, keep: int) -> None:
    """Drop a source's scan history beyond its newest `keep` rows."""
    cutoff = session.scalars(
        select(MarketplaceScan.started_at)
        .where(MarketplaceScan.source_id == source_id)
        .order_by(MarketplaceScan.started_at.desc())
        .offset(keep - 1).limit(1)
    ).first()
    if cutoff is not None:
        session.execute(delete(MarketplaceScan).where(
            MarketplaceScan.source_id == source_id, MarketplaceScan.started_at < cutoff))


def imported_entries(session: Session, artifact_types: Sequence[str]
                     ) -> list[tuple[Entry, MarketplaceSource]]:
    """Entries marked imported, with their sources, newest import first (read once, when a
    collection in the old layout is migrated)."""
    stmt = (select(Entry, MarketplaceSource)
            .join(MarketplaceSource, Entry.source_id == MarketplaceSource.id)
            .where(Entry.import_id.is_not(None), Entry.artifact_type.in_(list(artifact_types)))
            .order_by(Entry.import_date.desc(), Entry.id))
    return [(entry, source) for entry, source in session.execute(stmt)]


def entries_with_status(session: Session, source_ids: Sequence[str], status: str) -> list[Any]:
    """Entries of these sources with one status (the `(source_id, status, ...)` index), with
    content hash, risk summary and the commit their source was last scanned at; plain rows
    through the connection, without the ORM's per-row work."""
    stmt = (select(Entry.id, Entry.source_id, Entry.detected_sha, Entry.risk_summary,
                   MarketplaceSource.last_scanned_sha)
            .join(MarketplaceSource, Entry.source_id == MarketplaceSource.id)
            .where(Entry.source_id.in_(list(dict.fromkeys(source_ids))), Entry.status == status))
    return list(session.connection().execute(stmt).all())

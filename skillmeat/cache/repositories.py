"""Queries. Services decide; this module only knows how to ask the database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Row,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from skillmeat.cache.models import MarketplaceCatalogEntry as Entry
from skillmeat.cache.models import MarketplaceScan, MarketplaceSource
from skillmeat.core.marketplace.status import CONFIDENCE_THRESHOLD


def get_source(session: Session, source_id: str, *, lock: bool = False) -> MarketplaceSource | None:
    stmt = select(MarketplaceSource).where(MarketplaceSource.id == source_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def source_id_by_url(session: Session, repo_url: str) -> str | None:
    stmt = select(MarketplaceSource.id).where(MarketplaceSource.repo_url == repo_url)
    return session.scalars(stmt).first()


def source_page(session: Session, after: tuple[datetime, str] | None,
                limit: int) -> Sequence[MarketplaceSource]:
    stmt = select(MarketplaceSource)
    if after is not None:
        created, last_id = after
        stmt = stmt.where(
            or_(MarketplaceSource.created_at < created,
                (MarketplaceSource.created_at == created) & (MarketplaceSource.id < last_id))
        )
    stmt = stmt.order_by(MarketplaceSource.created_at.desc(), MarketplaceSource.id.desc())
    return session.scalars(stmt.limit(limit)).all()


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


SORT_COLUMNS = {
    "confidence": Entry.confidence_score,
    "name": Entry.name,
    "date": Entry.detected_at,
}


@dataclass(frozen=True)
class EntryFilter:
    artifact_type: str | None = None
    status: str | None = None
    min_confidence: int | None = None
    max_confidence: int | None = None
    search: str | None = None
    include_excluded: bool = False
    include_below_threshold: bool = False


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(source_id: str, f: EntryFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [Entry.source_id == source_id]
    if f.artifact_type:
        conds.append(Entry.artifact_type == f.artifact_type)
    if f.status:
        conds.append(Entry.status == f.status)
    elif not f.include_excluded:
        conds.append(Entry.status != "excluded")
    low = f.min_confidence
    if not f.include_below_threshold:
        low = max(low or 0, CONFIDENCE_THRESHOLD)
    if low is not None:
        conds.append(Entry.confidence_score >= low)
    if f.max_confidence is not None:
        conds.append(Entry.confidence_score <= f.max_confidence)
    if f.search:
        pattern = f"%{_escape_like(f.search.lower())}%"
        conds.append(or_(*(func.lower(col).like(pattern, escape="\\")
                           for col in (Entry.name, Entry.title, Entry.path))))
    return conds


def entry_page(session: Session, source_id: str, f: EntryFilter, sort_by: str, descending: bool,
               after: tuple[Any, str] | None, limit: int) -> list[Entry]:
    column = SORT_COLUMNS[sort_by]
    stmt = select(Entry).where(*_conditions(source_id, f))
    if after is not None:
        # One row-value comparison, not an OR: both databases then seek the index to the
        # position instead of filtering every earlier row (deep pages cost what page 1 does).
        value, last_id = after
        key = tuple_(column, Entry.id)
        position = tuple_(literal(value, column.type), literal(last_id))
        stmt = stmt.where(key < position if descending else key > position)
    order = (column.desc(), Entry.id.desc()) if descending else (column.asc(), Entry.id.asc())
    return list(session.scalars(stmt.order_by(*order).limit(limit)))


def catalog_count_rows(session: Session, source_id: str) -> list[tuple[str, str, int, int]]:
    above = case((Entry.confidence_score >= CONFIDENCE_THRESHOLD, 1), else_=0)
    stmt = (
        select(Entry.artifact_type, Entry.status, above, func.count())
        .where(Entry.source_id == source_id)
        .group_by(Entry.artifact_type, Entry.status, above)
    )
    return [(t, s, int(b), int(n)) for t, s, b, n in session.execute(stmt)]


MERGE_COLUMNS = (
    Entry.id, Entry.artifact_type, Entry.path, Entry.name, Entry.renamed, Entry.detected_sha,
    Entry.confidence_score, Entry.score_breakdown, Entry.title, Entry.description,
    Entry.detected_version, Entry.upstream_url, Entry.status, Entry.excluded_at,
    Entry.removed_at, Entry.imported_sha, Entry.import_date,
)


def merge_snapshot(session: Session, source_id: str,
                   page: int = 2000) -> Iterator[list[Row[Any]]]:
    """Every entry of a source with the columns a merge compares (not whole ORM objects),
    a page at a time in (type, path) order: the unique index serves each page, and rows
    may be written between pages (a merge never changes type or path)."""
    stmt = (select(*MERGE_COLUMNS).where(Entry.source_id == source_id)
            .order_by(Entry.artifact_type, Entry.path).limit(page))
    after: tuple[str, str] | None = None
    while True:
        query = stmt if after is None else stmt.where(
            tuple_(Entry.artifact_type, Entry.path) > tuple_(literal(after[0]), literal(after[1])))
        rows = list(session.execute(query))
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


def update_entries(session: Session, rows: list[dict[str, Any]]) -> None:
    """Bulk UPDATE by primary key; each dict carries `id` and the changed columns.

    Rows are grouped by which columns change, one executemany per group.
    """
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        columns = tuple(sorted(k for k in row if k != "id"))
        groups.setdefault(columns, []).append(
            {"_id": row["id"], **{k: row[k] for k in columns}})
    for columns, params in groups.items():
        stmt = (update(ENTRIES).where(ENTRIES.c.id == bindparam("_id"))
                .values({c: bindparam(c) for c in columns}))
        session.execute(stmt, params)


def add_scan(session: Session, scan: MarketplaceScan) -> None:
    session.add(scan)
    session.flush()


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

"""Search queries: the index's match syntax for each database, and the queries that use it.

The service hands over words it has already cut out of the person's text (letters and digits
only), so nothing a person types reaches FTS5 or tsquery syntax as an operator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    case,
    column,
    exists,
    false,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session, aliased

from skillmeat.cache.models import MarketplaceCatalogEntry as Entry
from skillmeat.cache.models import MarketplaceSource
from skillmeat.cache.search_index import ANYWHERE, ENTRIES, FIELDS, FTS, MARKERS, SEQ, VECTOR

SPREAD = len(FIELDS)  # the tier of hits whose words are spread over several fields
TIERS = tuple(range(SPREAD + 1))

_fts = table(FTS, column("rowid"))
_ENTRY_ROWID: ColumnElement[Any] = literal_column(f"{ENTRIES}.rowid")
_VECTOR: ColumnElement[Any] = literal_column(f"{ENTRIES}.{VECTOR}")
_SEQ: ColumnElement[Any] = literal_column(f"{ENTRIES}.{SEQ}")


@dataclass(frozen=True)
class Words:
    """Words that must all match; with `prefix`, the last one matches as a word's start."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class SearchCriteria:
    text: Words
    artifact_types: tuple[str, ...] = ()
    source_ids: tuple[str, ...] = ()
    status: str | None = None
    hidden_status: str | None = None
    min_confidence: int | None = None
    group: bool = False  # one hit per content hash: the copy with the smallest id


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- SQLite FTS5 -------------------------------------------------------------------------
def _fts_words(w: Words) -> str:
    last = len(w.words) - 1
    return " ".join(f'"{word}"*' if w.prefix and i == last else f'"{word}"'
                    for i, word in enumerate(w.words))


def fts_tier(w: Words, tier: int | None) -> str:
    """FTS5 match: all words in field `tier` and in no better one (None: anywhere)."""
    words = _fts_words(w)
    if tier is None:
        return words
    better = "".join(f" NOT ({{{f}}} : ({words}))" for f in FIELDS[:tier])
    head = f"({{{FIELDS[tier]}}} : ({words}))" if tier < SPREAD else f"({words})"
    return head + better


# --- PostgreSQL tsquery ------------------------------------------------------------------
def _ts_words(marker: str, w: Words) -> str:
    last = len(w.words) - 1
    return "(" + " & ".join(f"{marker}{word}" + (":*" if w.prefix and i == last else "")
                            for i, word in enumerate(w.words)) + ")"


def ts_tier(w: Words, tier: int | None) -> str:
    """tsquery with the same meaning as fts_tier."""
    if tier is None:
        return _ts_words(ANYWHERE, w)
    head = _ts_words(MARKERS[FIELDS[tier]] if tier < SPREAD else ANYWHERE, w)
    return head + "".join(f" & !{_ts_words(MARKERS[f], w)}" for f in FIELDS[:tier])


def _ts_match(query: str) -> ColumnElement[bool]:
    tsquery = func.to_tsquery(literal_column("'simple'::regconfig"),
                              bindparam("tsq", query, unique=True))
    return _VECTOR.op("@@")(tsquery)


FEW = 2000  # SQLite: matches few enough to look up one by one


def text_condition(session: Session, w: Words,
                   source_id: str) -> tuple[ColumnElement[bool], bool]:
    """Entries of `source_id` whose fields hold every word (for listings that filter by
    text), and whether they are few enough to be read by rowid rather than through the
    listing's index.

    SQLite: FTS5 is asked for the matches inside the source's rowid range only (two seeks of
    the (source_id, rowid) index find it; FTS5 seeks the range in its doclists), not for the
    word's matches in every source. When there are at most FEW, their rowids go in as a
    list, to be looked up one by one and sorted (reading the source's 100,000 entries in the
    listing's order against a short list cost 10 to 30 ms); none is a constant false; more,
    and the listing's index is read in order against the set of matches until the page is
    full."""
    if _postgres(session):
        return _ts_match(ts_tier(w, None)), False
    first, last = _rowid_range(session, source_id)
    if first is None:
        return false(), False
    matches = select(_fts.c.rowid).where(_fts_match(fts_tier(w, None)),
                                         _fts.c.rowid.between(first, last))
    # More than FEW? SQLite steps over them itself; fetching FEW + 1 rowids into Python to
    # count them cost 4 to 5 ms of a common word's search.
    if session.scalar(matches.limit(1).offset(FEW)) is not None:
        return _ENTRY_ROWID.in_(matches), False
    few = list(session.scalars(matches))
    if not few:
        return false(), False  # a constant: SQLite then reads no row at all
    return _ENTRY_ROWID.in_(few), True


def _rowid_range(session: Session, source_id: str) -> tuple[int | None, int | None]:
    """SQLite: the smallest and largest rowid of a source's entries (each one seek of the
    (source_id, rowid) index; min() and max() together would read the source's range)."""
    def end(order: Any) -> Any:
        return (select(_ENTRY_ROWID).select_from(Entry).where(Entry.source_id == source_id)
                .order_by(order).limit(1).scalar_subquery())
    first, last = session.execute(select(end(_ENTRY_ROWID), end(_ENTRY_ROWID.desc()))).one()
    return first, last


def _fts_match(query: str) -> ColumnElement[bool]:
    return literal_column(FTS).op("MATCH")(bindparam("m", query, unique=True))


def visibility(e: Any, status: str | None, hidden_status: str | None,
               min_confidence: int | None) -> list[ColumnElement[bool]]:
    """A status asked for, else every status but the hidden one; a confidence floor."""
    conds: list[ColumnElement[bool]] = []
    if status:
        conds.append(e.status == status)
    elif hidden_status:
        conds.append(e.status != hidden_status)
    if min_confidence is not None:
        conds.append(e.confidence_score >= min_confidence)
    return conds


def _filters(e: Any, c: SearchCriteria) -> list[ColumnElement[bool]]:
    conds = visibility(e, c.status, c.hidden_status, c.min_confidence)
    if c.artifact_types:
        conds.append(e.artifact_type.in_(c.artifact_types))
    if c.source_ids:
        conds.append(e.source_id.in_(c.source_ids))
    return conds


def _group_head(c: SearchCriteria) -> ColumnElement[bool]:
    other = aliased(Entry)
    return ~exists().where(other.detected_sha == Entry.detected_sha, other.id < Entry.id,
                           *_filters(other, c))


def hits_page(session: Session, c: SearchCriteria, after: tuple[int, Any] | None,
              limit: int) -> list[tuple[int, Any, Entry]]:
    """(tier, position, entry) of up to `limit` hits after `after`, in (tier, position) order.

    PostgreSQL first asks whether the query has few hits in every field together: then one
    read of the GIN index gives them all with their tier (a word in no entry costs that one
    read, not one per tier). Otherwise, and on SQLite, tier by tier."""
    if _postgres(session):
        few = _pg_all_tiers(session, c)
        if few is not None:
            keys = [tk for tk in few if after is None or tk > after][:limit]
            if not keys:
                return []
            stmt = select(_SEQ, Entry).where(_SEQ.in_([k for _t, k in keys]))
            found: dict[int, Entry] = {k: e for k, e in session.execute(stmt)}
            return [(t, k, found[k]) for t, k in keys if k in found]
    hits: list[tuple[int, Any, Entry]] = []
    first, key = after if after is not None else (0, None)
    for tier in TIERS[first:]:
        rows = tier_page(session, c, tier, key if tier == first else None, limit - len(hits))
        hits += [(tier, k, e) for k, e in rows]
        if len(hits) >= limit:
            break
    return hits


def tier_page(session: Session, c: SearchCriteria, tier: int, after: Any,
              limit: int) -> list[tuple[Any, Entry]]:
    """(position, entry) of up to `limit` hits of one tier after `after`, in insertion order
    (SQLite's rowid, PostgreSQL's search_seq): the order both indexes can give unsorted."""
    conds = _filters(Entry, c)
    if c.group:
        conds.append(_group_head(c))
    if _postgres(session):
        return _pg_tier_page(session, conds, ts_tier(c.text, tier), after or 0, limit)
    stmt = (select(_fts.c.rowid, Entry).select_from(_fts)
            .join(Entry, _ENTRY_ROWID == _fts.c.rowid)
            .where(_fts_match(fts_tier(c.text, tier)), *conds))
    if after is not None:
        stmt = stmt.where(_fts.c.rowid > after)
    stmt = stmt.order_by(_fts.c.rowid)
    return [(k, e) for k, e in session.execute(stmt.limit(limit))]


PG_FEW = 1000  # hits read through the GIN index at most, to be sorted by position
# The planner's estimate under which every tier's hits are first read at once. It guesses
# 0.1% to 0.2% of the table for a word its statistics do not list (a word in no entry
# included), so the bar sits well above that; a wrong guess costs one bitmap of at most
# about this many postings and PG_FEW rows.
PG_ALL_TIERS_ESTIMATE = 10_000
PG_ALL_TIERS_FEW = 5000  # hits of every tier read at once at most (two common words: 2,200)
PG_WALK_ROWS = 4000  # rows a walk in position order may expect to read to fill a page


def _pg_tier_page(session: Session, conds: list[ColumnElement[bool]], query: str, after: int,
                  limit: int) -> list[tuple[Any, Entry]]:
    """One tier's hits after position `after`, PostgreSQL.

    A common word's GIN bitmap costs what its postings cost (65,000 of them: 14 ms and more
    on the project's machine) before a row is read, while a walk in position order finds a
    page of it within a few hundred rows. So when the planner's statistics say the page
    should fill within PG_WALK_ROWS rows, the walk comes first, over a bounded range of
    positions (twice the expected rows): a wrong guess costs that range, never the table.
    Then, or else, the GIN index for the rest (_pg_few), and the unbounded walk only for a
    tier with PG_FEW hits or more, where it stops after about limit x table / hits rows."""
    conds = [*conds, _ts_match(query)]
    rows: list[tuple[Any, Entry]] = []
    expected = _pg_rows_to_fill(session, query, limit)
    if expected <= PG_WALK_ROWS:
        end = after + int(max(2 * expected, 2 * limit))
        stmt = (select(_SEQ, Entry).where(*conds, _SEQ > after, _SEQ <= end)
                .order_by(_SEQ).limit(limit))
        rows = [(k, e) for k, e in session.execute(stmt)]
        if len(rows) >= limit:
            return rows
        after, limit = end, limit - len(rows)
    conds.append(_SEQ > after)
    few = _pg_few(session, conds)
    if few is not None:
        keys = sorted(few)[:limit]
        if not keys:
            return rows
        conds = [_SEQ.in_(keys)]
    stmt = select(_SEQ, Entry).where(*conds).order_by(_SEQ).limit(limit)
    return rows + [(k, e) for k, e in session.execute(stmt)]


def _pg_estimate(session: Session, query: str) -> float:
    """The planner's estimate of the entries matching `query` (column statistics of the
    vector: its most common lexemes and their frequencies, from ANALYZE)."""
    plan = session.execute(
        text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {ENTRIES}"
             f" WHERE {VECTOR} @@ to_tsquery('simple'::regconfig, :q)"), {"q": query}).scalar()
    return float(plan[0]["Plan"]["Plan Rows"])  # type: ignore[index]


def _pg_rows_to_fill(session: Session, query: str, limit: int) -> float:
    """How many rows a walk in position order should read to find `limit` hits."""
    table_rows = session.info.get("search_table_rows")
    if table_rows is None:  # once per transaction
        table_rows = max(float(session.execute(text(
            f"SELECT reltuples FROM pg_class WHERE oid = '{ENTRIES}'::regclass")).scalar()
            or 0), 1.0)
        session.info["search_table_rows"] = table_rows
    return limit * table_rows / max(_pg_estimate(session, query), 1.0)


def _free(c: SearchCriteria) -> SearchCriteria:
    """`c` without its type and source filters: what facets count."""
    return SearchCriteria(c.text, (), (), c.status, c.hidden_status, c.min_confidence, c.group)


def _pg_all_tiers(session: Session, c: SearchCriteria) -> list[tuple[int, int]] | None:
    """(tier, position) of every hit, sorted, when the planner does not expect many in any
    field (PG_ALL_TIERS_ESTIMATE) and there are fewer than PG_ALL_TIERS_FEW: one read of
    the GIN index, the tier of each hit computed from its vector. None otherwise (a tier at
    a time is cheaper then).

    Without group=true the read leaves the type and source filters out and applies them
    here, so the facets of the same request count from it (facet_rows) instead of reading
    the hits a second time; a group's head depends on those filters, so grouped searches
    read with them."""
    if c.group:
        found = _pg_all_hits(session, c)
    else:
        found = _pg_all_hits(session, _free(c))
        if found is not None:
            found = [h for h in found if (not c.artifact_types or h[2] in c.artifact_types)
                     and (not c.source_ids or h[3] in c.source_ids)]
    return sorted((t, k) for t, k, _type, _source in found) if found is not None else None


_ALL_HITS = "search_all_hits"  # session.info: criteria -> what _pg_all_hits read


def _pg_all_hits(session: Session, c: SearchCriteria) -> list[tuple[int, int, str, str]] | None:
    """(tier, position, type, source id) of every hit of `c`, or None (see _pg_all_tiers);
    kept in the session, which serves one request's read transaction."""
    memo = session.info.setdefault(_ALL_HITS, {})
    if c not in memo:
        memo[c] = None
        anywhere = ts_tier(c.text, None)
        if _pg_estimate(session, anywhere) < PG_ALL_TIERS_ESTIMATE:
            conds = _filters(Entry, c)
            if c.group:
                conds.append(_group_head(c))
            tier = case(*((_ts_match(_ts_words(MARKERS[f], c.text)), i)
                          for i, f in enumerate(FIELDS)), else_=SPREAD)
            rows = _pg_bitmap(session, select(tier, _SEQ, Entry.artifact_type, Entry.source_id)
                              .where(*conds, _ts_match(anywhere)), PG_ALL_TIERS_FEW)
            if rows is not None:
                memo[c] = [(int(t), int(k), str(a), str(src)) for t, k, a, src in rows]
    found: list[tuple[int, int, str, str]] | None = memo[c]
    return found


def _pg_bitmap(session: Session, stmt: Select[Any], few: int | None = None,
               ) -> list[Any] | None:
    """`stmt`'s rows read through the GIN index only, when there are fewer than `few`
    (default PG_FEW, read at call time).

    Its bitmap costs what the postings cost and at most `few` rows are fetched. The planner
    would otherwise walk search_seq in order whenever it guesses a word common enough, and
    for a word it does not know it guesses 0.2% of the table: a word in no entry then read
    all 1,000,000 (8 s)."""
    cap = PG_FEW if few is None else few
    session.execute(text("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off"))
    try:
        found = list(session.execute(stmt.limit(cap)))
    finally:
        session.execute(text("SET LOCAL enable_seqscan = on; SET LOCAL enable_indexscan = on"))
    return found if len(found) < cap else None


def _pg_few(session: Session, conds: list[ColumnElement[bool]]) -> list[int] | None:
    """The positions of a tier's hits when it has fewer than PG_FEW, else None."""
    found = _pg_bitmap(session, select(_SEQ).where(*conds))
    return [int(k) for (k,) in found] if found is not None else None


def facet_rows(session: Session, c: SearchCriteria, cap: int) -> list[tuple[str, str, int]]:
    """(type, source id, hits) over at most `cap` hits, type and source filters left out
    (a facet shows what choosing another value would give)."""
    free = _free(c)
    if _postgres(session):  # every hit already read for this request's page: count those
        read = session.info.get(_ALL_HITS, {}).get(free)
        if read is not None:
            counts = Counter((kind, source) for _t, _k, kind, source in
                             sorted(read, key=lambda h: h[1])[:cap])
            return [(kind, source, n) for (kind, source), n in counts.items()]
    conds = _filters(Entry, free)
    if c.group:
        conds.append(_group_head(free))
    if _postgres(session):
        inner = select(Entry.artifact_type, Entry.source_id).where(
            _ts_match(ts_tier(c.text, None)), *conds)
    else:
        inner = (select(Entry.artifact_type, Entry.source_id).select_from(_fts)
                 .join(Entry, _ENTRY_ROWID == _fts.c.rowid)
                 .where(_fts_match(fts_tier(c.text, None)), *conds))
    hits = inner.limit(cap).subquery()
    stmt = select(hits.c.artifact_type, hits.c.source_id, func.count()).group_by(
        hits.c.artifact_type, hits.c.source_id)
    # The planner picks: a scan that stops at `cap` for a common word, the index for a rare
    # one (PostgreSQL estimates from the "anywhere" lexemes' statistics).
    return [(t, s, int(n)) for t, s, n in session.execute(stmt)]


def source_names(session: Session, source_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """id -> (repo_url, repo name) of the given sources."""
    if not source_ids:
        return {}
    stmt = select(MarketplaceSource.id, MarketplaceSource.repo_url, MarketplaceSource.repo_name
                  ).where(MarketplaceSource.id.in_(list(source_ids)))
    return {i: (u, n) for i, u, n in session.execute(stmt)}


def source_counts(session: Session, shas: Sequence[str]) -> dict[str, int]:
    """content hash -> number of sources holding an entry with it (one GROUP BY per page)."""
    if not shas:
        return {}
    stmt = (select(Entry.detected_sha, func.count(Entry.source_id.distinct()))
            .where(Entry.detected_sha.in_(list(shas))).group_by(Entry.detected_sha))
    return {str(sha): int(n) for sha, n in session.execute(stmt)}


def copies(session: Session, entry: Entry, limit: int) -> list[tuple[Entry, str]]:
    """(entry, repo_url) of other sources' entries with the same content hash, by id."""
    if not entry.detected_sha:
        return []
    stmt = (select(Entry, MarketplaceSource.repo_url)
            .join(MarketplaceSource, MarketplaceSource.id == Entry.source_id)
            .where(Entry.detected_sha == entry.detected_sha, Entry.source_id != entry.source_id)
            .order_by(Entry.id).limit(limit))
    return [(e, url) for e, url in session.execute(stmt)]

"""Exclusions of many entries at once, and the audit trail every exclusion change writes.

A bulk change is one transaction under the source's lock: one INSERT ... SELECT writes an
event per entry that changes, one UPDATE changes them, and the count matrix moves by a
GROUP BY of just those rows (never a recount of the whole source).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from skillmeat.cache import exclusions as q
from skillmeat.cache.models import ExclusionEvent, MarketplaceSource, utcnow
from skillmeat.core import errors
from skillmeat.core.cursor import CursorCodec, query_scope
from skillmeat.core.marketplace import counts
from skillmeat.core.marketplace.catalog import MAX_REASON, clean_text, refresh_counts, set_counts
from skillmeat.core.marketplace.listing import EntryFilter
from skillmeat.core.marketplace.sources import ID_PATTERN, get_source
from skillmeat.core.marketplace.vocabulary import (
    CONFIDENCE_THRESHOLD,
    CatalogStatus,
    ExclusionAction,
)
from skillmeat.core.pagination import Page, keyset_page

MAX_BULK_IDS = 1000  # entry ids one bulk request may name
STATUS_NAMES = q.StatusNames(
    excluded=CatalogStatus.EXCLUDED, removed=CatalogStatus.REMOVED,
    imported=CatalogStatus.IMPORTED, updated=CatalogStatus.UPDATED, new=CatalogStatus.NEW)


@dataclass(frozen=True)
class Selection:
    """Which entries a bulk change is about: ids, or a catalog listing filter."""

    entry_ids: Sequence[str] | None = None
    filter: EntryFilter | None = None


@dataclass(frozen=True)
class BulkResult:
    changed: int
    already: int


def reason_text(reason: str | None) -> str | None:
    return clean_text(reason, "reason", MAX_REASON) or None if reason is not None else None


def _conditions(session: Session, source_id: str, sel: Selection) -> q.Conditions:
    if (sel.entry_ids is None) == (sel.filter is None):
        raise errors.InvalidInput("give either entry_ids or filter")
    if sel.filter is not None:
        sel.filter.check()
        # Excluded entries are part of a selection: excluding them again counts as "already".
        f = EntryFilter(**{**asdict(sel.filter), "include_excluded": True})
        return q.selection(session, source_id, criteria=f.criteria())
    ids = list(dict.fromkeys(sel.entry_ids or ()))
    if not ids:
        raise errors.InvalidInput("entry_ids must not be empty", field="entry_ids")
    if len(ids) > MAX_BULK_IDS:
        raise errors.InvalidInput(f"at most {MAX_BULK_IDS} entry_ids per request",
                                  field="entry_ids")
    found = q.existing_ids(session, source_id, [i for i in ids if ID_PATTERN.match(i)])
    missing = [i for i in ids if i not in found]
    if missing:
        shown = ", ".join(repr(i) for i in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise errors.NotFound(f"entries not found in source {source_id!r}: {shown}{more}")
    return q.selection(session, source_id, ids=ids)


def bulk_exclude(session: Session, source_id: str, sel: Selection, reason: str | None, *,
                 actor: str) -> BulkResult:
    reason = reason_text(reason)
    source = get_source(session, source_id, lock=True)
    conds = _conditions(session, source_id, sel)
    selected = q.count(session, conds)
    facts = q.EventFacts(at=utcnow(), actor=actor, action=ExclusionAction.BULK_EXCLUDE,
                         reason=reason)
    changed = exclude_where(session, source, conds, facts)
    return BulkResult(changed, selected - changed)


def bulk_restore(session: Session, source_id: str, sel: Selection, *,
                 actor: str) -> BulkResult:
    source = get_source(session, source_id, lock=True)
    conds = _conditions(session, source_id, sel)
    selected = q.count(session, conds)
    facts = q.EventFacts(at=utcnow(), actor=actor, action=ExclusionAction.BULK_RESTORE)
    changed = restore_where(session, source, conds, facts, by_hand=True)
    return BulkResult(changed, selected - changed)


def exclude_where(session: Session, source: MarketplaceSource, conds: q.Conditions,
                  facts: q.EventFacts) -> int:
    """Exclude every not-yet-excluded entry matching `conds`, one event each. The caller
    holds the source's lock."""
    conds = [*conds, *q.excludable()]
    with q.roomy_cache(session):
        delta = q.moves(session, conds, CONFIDENCE_THRESHOLD, CatalogStatus.EXCLUDED)
        q.record_events(session, conds, facts)
        changed = q.exclude(session, conds, at=facts.at, reason=facts.reason,
                            rule_id=facts.rule_id, status=CatalogStatus.EXCLUDED)
    _move_counts(session, source, delta, changed)
    return changed


def restore_where(session: Session, source: MarketplaceSource, conds: q.Conditions,
                  facts: q.EventFacts, *, by_hand: bool) -> int:
    """Restore every excluded entry matching `conds`, one event each (naming the rule that
    had excluded it)."""
    conds = [*conds, *q.restorable()]
    with q.roomy_cache(session):
        delta = q.moves(session, conds, CONFIDENCE_THRESHOLD, q.restored_status(STATUS_NAMES))
        q.record_events(session, conds, facts, rule_column=facts.rule_id is None)
        changed = q.restore(session, conds, at=facts.at, names=STATUS_NAMES, by_hand=by_hand)
    _move_counts(session, source, delta, changed)
    return changed


def _move_counts(session: Session, source: MarketplaceSource,
                 delta: list[tuple[str, str, str, int, int]], changed: int) -> None:
    """Move the changed entries' cells in the source's count matrix. The delta was read under
    the source's lock (every status change takes it), so it counts exactly the rows the
    UPDATE changed; were it ever not so, the source is counted afresh rather than guessed."""
    if sum(n for *_cell, n in delta) != changed:
        refresh_counts(session, source)
        return
    matrix = dict(source.catalog_counts or {})
    for artifact_type, before, after, band, n in delta:
        matrix = counts.moved(matrix, f"{artifact_type}:{before}:{band}",
                              f"{artifact_type}:{after}:{band}", n)
    set_counts(source, matrix)


def list_events(session: Session, codec: CursorCodec, source_id: str, *,
                entry_id: str | None = None, limit: int = 50,
                cursor: str | None = None) -> Page[ExclusionEvent]:
    """A source's exclusion events (or one entry's), newest first."""
    get_source(session, source_id)
    return keyset_page(
        codec, query_scope(events=source_id, entry=entry_id), cursor, limit, key_types=(int,),
        fetch=lambda after, n: q.event_page(session, source_id, entry_id, after, n),
        key=lambda event: (event.id,),
    )

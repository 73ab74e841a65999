"""Catalog entries: reading one, renaming, "not an artifact" exclusions, marking imports."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from skillmeat.cache import exclusions
from skillmeat.cache import repositories as repo
from skillmeat.cache.models import MarketplaceCatalogEntry, MarketplaceSource, utcnow
from skillmeat.core import errors
from skillmeat.core.marketplace import counts, plugins
from skillmeat.core.marketplace.sources import ID_PATTERN, get_source
from skillmeat.core.marketplace.status import status_of
from skillmeat.core.marketplace.vocabulary import CONFIDENCE_THRESHOLD, Actor, ExclusionAction

MAX_REASON = 500
MAX_NAME = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def get_entry(session: Session, source_id: str, entry_id: str, *,
              lock: bool = False) -> MarketplaceCatalogEntry:
    entry = repo.get_entry(session, source_id, entry_id, lock=lock) \
        if ID_PATTERN.match(entry_id) else None
    if entry is None:
        raise errors.NotFound(f"entry {entry_id!r} not found in source {source_id!r}")
    return entry


def find_entry(session: Session, source_id: str, ident: str) -> MarketplaceCatalogEntry:
    """An entry by id, else the plugin with that name (what a person types)."""
    get_source(session, source_id)
    entry = repo.get_entry(session, source_id, ident) if ID_PATTERN.match(ident) else None
    entry = entry or repo.plugin_by_name(session, source_id, ident[:MAX_NAME])
    if entry is None:
        raise errors.NotFound(f"entry or plugin {ident!r} not found in source {source_id!r}")
    return entry


def counted_matrix(session: Session, source_id: str) -> dict[str, int]:
    """A source's count matrix counted afresh from its rows (one GROUP BY)."""
    return counts.from_rows(repo.catalog_count_rows(session, source_id, CONFIDENCE_THRESHOLD))


def refresh_counts(session: Session, source: MarketplaceSource) -> None:
    """Recount a source's catalog from its rows (after a merge, or to repair)."""
    set_counts(source, counted_matrix(session, source.id))


def set_counts(source: MarketplaceSource, matrix: dict[str, int]) -> None:
    source.catalog_counts = matrix
    source.counts_by_type = counts.by_type(matrix)
    source.artifact_count = sum(source.counts_by_type.values())


def _apply_status(source: MarketplaceSource, entry: MarketplaceCatalogEntry) -> None:
    """Store the derived status and move the entry's cell in the source's count matrix."""
    old = counts.key(entry.artifact_type, entry.status, entry.confidence_score)
    entry.status = status_of(entry)
    new = counts.key(entry.artifact_type, entry.status, entry.confidence_score)
    if old != new:
        set_counts(source, counts.moved(source.catalog_counts or {}, old, new))


def _locked(session: Session, source_id: str,
            entry_id: str) -> tuple[MarketplaceSource, MarketplaceCatalogEntry]:
    # Lock order is always source, then entry: a merge holds the source lock for its duration.
    source = get_source(session, source_id, lock=True)
    return source, get_entry(session, source_id, entry_id, lock=True)


def clean_text(value: str, what: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise errors.InvalidInput(f"{what} must be at most {limit} characters")
    if _CONTROL.search(value.replace("\n", "").replace("\t", "")):
        raise errors.InvalidInput(f"{what} must not contain control characters")
    return value


def exclude_entry(session: Session, source_id: str, entry_id: str,
                  reason: str | None = None, cascade: bool = False, *,
                  actor: str = Actor.API) -> MarketplaceCatalogEntry:
    """Mark an entry "not an artifact" by hand. Idempotent: the first excluded_at is kept;
    a new reason replaces the old one (an event either way, none when nothing changed).

    With `cascade` (plugins only) its members not yet excluded are excluded with it.
    """
    if reason is not None:
        reason = clean_text(reason, "reason", MAX_REASON) or None  # blank means no reason
    source, entry = _locked(session, source_id, entry_id)
    if cascade:
        plugins.require_plugin(entry)
    changed = True
    if entry.excluded_at is None:
        entry.excluded_at = utcnow()
        entry.excluded_reason = reason
        entry.excluded_by_rule = None
        entry.rule_exception = False
    elif reason is None or reason == entry.excluded_reason:
        changed = False
    else:
        entry.excluded_reason = reason
    if changed:
        _record(session, entry, actor, ExclusionAction.EXCLUDE, reason, None)
        _apply_status(source, entry)
    if cascade:  # every member it hides is a change of its own, with its own event
        for member in plugins.cascade_exclude(session, source, entry):
            _record(session, member, actor, ExclusionAction.EXCLUDE, member.excluded_reason,
                    None)
            _apply_status(source, member)
    session.flush()
    return entry


def restore_entry(session: Session, source_id: str, entry_id: str,
                  cascade: bool = False, *, actor: str = Actor.API) -> MarketplaceCatalogEntry:
    """Undo an exclusion; an entry that is not excluded is returned unchanged. Restoring an
    entry a rule excluded makes an exception: no rule excludes it again.

    With `cascade` (plugins only) the members its cascade excluded come back, no others.
    """
    source, entry = _locked(session, source_id, entry_id)
    if cascade:
        plugins.require_plugin(entry)
        for member in plugins.cascade_restore(session, source, entry):
            _record(session, member, actor, ExclusionAction.RESTORE, None, None)
            _apply_status(source, member)
    if entry.excluded_at is not None:
        _record(session, entry, actor, ExclusionAction.RESTORE, None, entry.excluded_by_rule)
        if entry.excluded_by_rule is not None:
            entry.rule_exception = True
        entry.excluded_at = None
        entry.excluded_reason = None
        entry.excluded_by_rule = None
        _apply_status(source, entry)
    session.flush()
    return entry


def _record(session: Session, entry: MarketplaceCatalogEntry, actor: str, action: str,
            reason: str | None, rule_id: str | None) -> None:
    facts = exclusions.EventFacts(at=utcnow(), actor=actor, action=action, reason=reason,
                                  rule_id=rule_id)
    exclusions.add_event(session, entry.source_id, facts, entry.id)


def rename_entry(session: Session, source_id: str, entry_id: str,
                 name: str) -> MarketplaceCatalogEntry:
    name = clean_text(name, "name", MAX_NAME)
    if not name:
        raise errors.InvalidInput("name must not be empty")
    _source, entry = _locked(session, source_id, entry_id)
    entry.name = name
    entry.renamed = True
    session.flush()
    return entry


def mark_imported(session: Session, source: MarketplaceSource, entry: MarketplaceCatalogEntry,
                  import_id: str, content_hash: str | None) -> None:
    """Record that an entry's content at `content_hash` is now in the local collection."""
    entry.import_id = import_id
    entry.import_date = utcnow()
    entry.imported_sha = content_hash
    _apply_status(source, entry)


def unmark_imported(source: MarketplaceSource, entry: MarketplaceCatalogEntry) -> None:
    """The entry's content left the collection: its status is derived afresh (new, updated
    or removed)."""
    entry.import_id = None
    entry.import_date = None
    entry.imported_sha = None
    _apply_status(source, entry)

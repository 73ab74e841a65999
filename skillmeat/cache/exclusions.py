"""Exclusion queries: set-based changes of many entries, their events, rules and their counts.

Every change is two statements over the same conditions, written while the caller holds the
source's lock: INSERT ... SELECT one event per entry that will change, then one UPDATE.
Nothing here loops over rows in Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    case,
    delete,
    false,
    func,
    insert,
    literal,
    null,
    select,
    text,
    true,
    tuple_,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from skillmeat.cache.models import ExclusionEvent as Event
from skillmeat.cache.models import ExclusionRule as Rule
from skillmeat.cache.models import MarketplaceCatalogEntry as Entry
from skillmeat.cache.repositories import (
    EntryCriteria,
    _conditions,
    keyset,
    type_path_pages,
)

Conditions = list[ColumnElement[bool]]


@dataclass(frozen=True)
class EventFacts:
    """What every event of one change shares."""

    at: datetime
    actor: str
    action: str
    reason: str | None = None
    rule_id: str | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class StatusNames:
    """The service's status words, so the data layer derives a restored status in SQL."""

    excluded: str
    removed: str
    imported: str
    updated: str
    new: str


def selection(session: Session, source_id: str, *, criteria: EntryCriteria | None = None,
              ids: Sequence[str] | None = None) -> Conditions:
    """Conditions of a bulk selection: the listing filter's, or a list of ids."""
    if criteria is not None:
        conds, _by_rowid = _conditions(session, source_id, criteria)
        return conds
    # The source check must not steer the planner to the source's index: that would read
    # all of the source's rows to find a few thousand ids (SQLite without statistics does).
    return [func.coalesce(Entry.source_id, "") == source_id, Entry.id.in_(list(ids or ()))]


def excludable() -> Conditions:
    return [Entry.excluded_at.is_(None)]


def restorable() -> Conditions:
    return [Entry.excluded_at.is_not(None)]


BULK_CACHE_KIB = 65536  # SQLite page cache while one statement rewrites 100,000s of rows


@contextmanager
def roomy_cache(session: Session) -> Iterator[None]:
    """On SQLite, a larger page cache for the duration of a bulk change (the default 2 MB
    makes a 100,000-row UPDATE re-read its index pages), then the default again: the
    memory is the connection's only while it changes many rows."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        session.execute(text(f"PRAGMA cache_size=-{BULK_CACHE_KIB}"))
    try:
        yield
    except BaseException:
        if sqlite:  # best effort: the failure itself is what the caller must see
            with suppress(SQLAlchemyError):
                session.execute(text("PRAGMA cache_size=-2000"))
        raise
    if sqlite:
        session.execute(text("PRAGMA cache_size=-2000"))


def moves(session: Session, conds: Conditions, threshold: int,
          target: ColumnElement[str] | str) -> list[tuple[str, str, str, int, int]]:
    """(type, status now, status after, band, n) of the entries a change will move: the
    count matrix's delta, from the changed rows only (never the whole source)."""
    band = case((Entry.confidence_score >= threshold, 1), else_=0)
    after = literal(target) if isinstance(target, str) else target
    stmt = (select(Entry.artifact_type, Entry.status, after, band, func.count())
            .where(*conds).group_by(Entry.artifact_type, Entry.status, after, band))
    return [(t, s, str(a), int(b), int(n)) for t, s, a, b, n in session.execute(stmt)]


def count(session: Session, conds: Conditions) -> int:
    return int(session.scalar(select(func.count()).select_from(Entry).where(*conds)) or 0)


def existing_ids(session: Session, source_id: str, ids: Sequence[str]) -> set[str]:
    stmt = select(Entry.id).where(Entry.source_id == source_id, Entry.id.in_(list(ids)))
    return set(session.scalars(stmt))


def record_events(session: Session, conds: Conditions, facts: EventFacts, *,
                  rule_column: bool = False) -> None:
    """One event per entry matching `conds` (INSERT ... SELECT). With `rule_column` the
    event names the rule that had excluded the entry."""
    rule = Entry.excluded_by_rule if rule_column else literal(facts.rule_id, Rule.id.type)
    rows = select(
        Entry.source_id, literal(facts.at, Event.at.type), literal(facts.actor),
        literal(facts.action), Entry.id, rule, literal(facts.pattern, Event.pattern.type),
        literal(facts.reason, Event.reason.type),
    ).where(*conds)
    columns = ["source_id", "at", "actor", "action", "entry_id", "rule_id", "pattern", "reason"]
    session.execute(insert(Event).from_select(columns, rows))


def add_event(session: Session, source_id: str, facts: EventFacts,
              entry_id: str | None = None) -> None:
    session.add(Event(source_id=source_id, at=facts.at, actor=facts.actor, action=facts.action,
                      entry_id=entry_id, rule_id=facts.rule_id, pattern=facts.pattern,
                      reason=facts.reason))


def exclude(session: Session, conds: Conditions, *, at: datetime, reason: str | None,
            rule_id: str | None, status: str) -> int:
    """Exclude the entries matching `conds`; the number changed."""
    # Only the columns that change: an indexed column in SET costs an index write per row
    # even when its value stays (excluded_by_rule is NULL on every entry not excluded).
    values: dict[str, Any] = {
        "excluded_at": at, "excluded_reason": reason, "status": status, "updated_at": at,
    }
    if rule_id is not None:
        values["excluded_by_rule"] = rule_id
    else:  # a person's exclusion ends an earlier exception
        values["rule_exception"] = false()
    stmt = update(Entry).where(*conds).values(values).execution_options(synchronize_session=False)
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def restore(session: Session, conds: Conditions, *, at: datetime, names: StatusNames,
            by_hand: bool) -> int:
    """Restore the entries matching `conds`; the number changed. By hand, an entry a rule
    had excluded keeps an exception so no rule excludes it again."""
    values: dict[str, Any] = {
        "excluded_at": null(), "excluded_reason": null(), "excluded_by_rule": null(),
        "status": restored_status(names), "updated_at": at,
    }
    if by_hand:
        values["rule_exception"] = case((Entry.excluded_by_rule.is_not(None), true()),
                                        else_=Entry.rule_exception)
    stmt = update(Entry).where(*conds).values(values).execution_options(synchronize_session=False)
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def restored_status(n: StatusNames) -> ColumnElement[str]:
    """status.derive_status for an entry that is not excluded, as SQL (a test keeps the two
    in step)."""
    return case(
        (Entry.removed_at.is_not(None), n.removed),
        (Entry.import_date.is_(None), n.new),
        (Entry.imported_sha.is_not_distinct_from(Entry.detected_sha), n.imported),
        else_=n.updated,
    )


def by_keys(source_id: str, keys: Sequence[tuple[str, str]]) -> Conditions:
    """Entries of a source named by (artifact type, path)."""
    return [Entry.source_id == source_id,
            tuple_(Entry.artifact_type, Entry.path).in_([tuple(k) for k in keys])]


def keys_found(session: Session, conds: Conditions) -> set[tuple[str, str]]:
    return {(t, p) for t, p in session.execute(select(Entry.artifact_type, Entry.path)
                                               .where(*conds))}


# --- rules -----------------------------------------------------------------------------------

def rules_of(session: Session, source_id: str) -> list[Rule]:
    stmt = select(Rule).where(Rule.source_id == source_id).order_by(Rule.created_at, Rule.id)
    return list(session.scalars(stmt))


def rule_counts(session: Session, source_id: str) -> dict[str, int]:
    """Entries each rule of a source excludes now."""
    stmt = (select(Entry.excluded_by_rule, func.count())
            .where(Entry.source_id == source_id, Entry.excluded_by_rule.is_not(None))
            .group_by(Entry.excluded_by_rule))
    return {str(rule_id): int(n) for rule_id, n in session.execute(stmt)}


def get_rule(session: Session, source_id: str, rule_id: str) -> Rule | None:
    return session.scalars(select(Rule).where(Rule.id == rule_id,
                                              Rule.source_id == source_id)).first()


def add_rule(session: Session, rule: Rule) -> None:
    session.add(rule)
    session.flush()


def delete_rule(session: Session, rule_id: str) -> None:
    # The entries' excluded_by_rule is cleared first (by restore), the SET NULL done in code.
    session.execute(delete(Rule).where(Rule.id == rule_id))


def by_rule(source_id: str, rule_id: str) -> Conditions:
    return [Entry.source_id == source_id, Entry.excluded_by_rule == rule_id]


CANDIDATE_COLUMNS: tuple[Any, ...] = (Entry.id, Entry.artifact_type, Entry.path, Entry.name)


def rule_candidates(session: Session, source_id: str, page: int, *,
                    path_prefix: str | None = None) -> Iterator[list[Row[Any]]]:
    """Entries a rule could exclude (not excluded, no exception), a page at a time in
    (type, path) order on the unique index. `path_prefix` narrows them in SQL first."""
    stmt = select(*CANDIDATE_COLUMNS).where(
        Entry.source_id == source_id, Entry.excluded_at.is_(None),
        Entry.rule_exception.is_(False))
    if path_prefix:
        stmt = stmt.where(Entry.path.like(escape_like(path_prefix) + "%", escape="\\"))
    return type_path_pages(session, stmt, page)


# --- events ----------------------------------------------------------------------------------

def event_page(session: Session, source_id: str, entry_id: str | None,
               after: Sequence[Any] | None, limit: int) -> list[Event]:
    """Events newest first (the id grows with every write)."""
    stmt = select(Event).where(Event.source_id == source_id)
    if entry_id is not None:
        stmt = stmt.where(Event.entry_id == entry_id)
    return list(session.scalars(keyset(stmt, (Event.id,), after, descending=True, limit=limit)))


# --- export ----------------------------------------------------------------------------------

EXPORT_COLUMNS: tuple[Any, ...] = (
    Entry.artifact_type, Entry.path, Entry.excluded_reason, Entry.excluded_at)


def hand_exclusions(session: Session, source_id: str,
                    page: int = 5000) -> Iterator[list[Row[Any]]]:
    """A source's exclusions made by hand (not by a rule), a page at a time."""
    stmt = select(*EXPORT_COLUMNS).where(
        Entry.source_id == source_id, Entry.excluded_at.is_not(None),
        Entry.excluded_by_rule.is_(None))
    return type_path_pages(session, stmt, page)


def escape_like(text: str) -> str:
    """`text` as a literal inside a LIKE pattern (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

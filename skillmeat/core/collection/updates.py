"""Keeping units current: which have upstream changes, a preview of one, the reviewed update,
and pins.

A unit's upstream is its catalog entry: the lock keeps the content hash it was imported at,
the entry the hash the last scan detected. The listing compares the two for every unit in one
query and reads no file. A preview reads the entry at the source's last scanned commit into
memory, laid out as the unit, and diffs it against the unit as the collection's HEAD has it.
An update stages the same files on disk and replaces the unit through the store's journaled
change, like an import.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from skillmeat.cache import repositories as repo
from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceSource
from skillmeat.config import Settings
from skillmeat.core.collection.manifest import PLUGINS, UnitRecord, lock_snapshot
from skillmeat.core.collection.service import (
    catalog_finisher,
    catalog_provenance,
    changed_files,
    unit_named,
)
from skillmeat.core.collection.store import Change, Store
from skillmeat.core.collection.units import MANIFEST, UnitKind
from skillmeat.core.errors import Conflict, InvalidInput
from skillmeat.core.marketplace.browsing import ReaderFactory, open_cached
from skillmeat.core.marketplace.collection import discard, path_problem
from skillmeat.core.marketplace.importing import (
    Plan,
    SourceInfo,
    Staged,
    check_size,
    plan_unit,
    read_plans,
    source_info,
    stage_file,
    unit_manifest,
    unit_record,
)
from skillmeat.core.marketplace.members import EntryRef, Member, scanned_source
from skillmeat.core.marketplace.parsing import OverBudget, load_json
from skillmeat.core.marketplace.readers.factory import open_reader
from skillmeat.core.marketplace.vocabulary import CatalogStatus
from skillmeat.core.review.preview import Preview, preview
from skillmeat.core.risk.difference import summary_difference

MAX_NAMED = 20  # edited files named in a refusal


class LocalEdits(StrEnum):
    """What an update does with files edited in the collection since the import."""

    REFUSE = "refuse"  # 409 naming them
    OVERWRITE = "overwrite"  # replaced; the edited copy is committed on a backup branch
    KEEP = "keep"  # left as they are (and on a backup branch too)


@dataclass(slots=True)
class UnitUpdate:
    """A unit whose upstream content changed since it was imported."""

    record: UnitRecord
    upstream_commit: str | None
    risk_now: str | None  # the entry's stored risk summary

    @property
    def risk_changed(self) -> bool:
        return (self.record.risk_summary or "") != (self.risk_now or "")

    @property
    def risk_difference(self) -> list[str]:
        return list(summary_difference(self.record.risk_summary, self.risk_now))


@dataclass(slots=True)
class Updates:
    items: list[UnitUpdate]
    pinned: list[UnitUpdate]  # changed upstream, but pinned: not offered


@dataclass(slots=True)
class UpdatePreview:
    record: UnitRecord
    upstream_commit: str
    review: Preview
    local_edits: list[str]


@dataclass(slots=True)
class UpdateResult:
    name: str
    old_commit: str | None
    new_commit: str
    version: str
    message: str
    backup_branch: str | None = None  # where the local edits were kept
    kept: list[str] = field(default_factory=list)  # edited files left as they were
    overwritten: list[str] = field(default_factory=list)


# The last answer, with the lock snapshot (held, so its identity is never reused) and rows
# it was computed from.
_LAST: list[tuple[dict[str, UnitRecord], tuple[tuple[object, ...], ...], Updates]] = []


def list_updates(db: Database, settings: Settings) -> Updates:
    """Every unit whose entry's detected content differs from what was imported, pinned ones
    apart; one read of the lock (cached while unchanged) and one indexed query, no file read.

    The catalog marks an imported entry `updated` when its detected hash moves away from the
    imported one (which is the hash the lock keeps), so only those rows are asked for. The
    answer is a function of the lock and those rows: while both are as last time, the last
    answer is returned (the same object, so callers may keep what they derived from it), and
    a listing of 1,000 units allocates little beyond the rows."""
    units = lock_snapshot(Store(settings).root)
    sources = {u.source_id for u in units.values() if u.source_id and u.entry_id}
    if not sources:
        return Updates([], [])
    with db.session(write=False) as session:
        rows = repo.entries_with_status(session, sorted(sources), CatalogStatus.UPDATED)
    key = tuple(tuple(r) for r in rows)
    last = _LAST[0] if _LAST else None
    if last is not None and last[0] is units and last[1] == key:
        return last[2]
    by_id = {r.id: r for r in rows}
    out = Updates([], [])
    for record in units.values():
        row = by_id.get(record.entry_id or "")
        if row is None or row.source_id != record.source_id \
                or row.detected_sha == record.content_hash:
            continue
        item = UnitUpdate(record, row.last_scanned_sha, row.risk_summary)
        (out.pinned if record.pinned else out.items).append(item)
    _LAST[:] = [(units, key, out)]
    return out


@dataclass(slots=True)
class _Upstream:
    source: MarketplaceSource
    commit: str
    ref: EntryRef
    info: SourceInfo


def _upstream(db: Database, record: UnitRecord) -> _Upstream:
    """The entry a unit came from, as the last scan saw it; 409 when there is nothing to
    update to."""
    name = record.name
    if record.pinned:
        raise Conflict(f"{name} is pinned at {(record.commit or '?')[:7]}; unpin it to update")
    if not record.source_id or not record.entry_id:
        raise Conflict(f"{name} has no known origin in the catalog; nothing to update from")
    with db.session(write=False) as session:
        if repo.get_source(session, record.source_id) is None:
            raise Conflict(f"{name} came from a source that is gone ({record.source_url}); "
                           "add it again and import to update")
        entry = repo.get_entry(session, record.source_id, record.entry_id)
        if entry is None:
            raise Conflict(f"{name}'s catalog entry is gone from its source; nothing to update "
                           "from")
        if entry.removed_at is not None:
            raise Conflict(f"{name} was removed upstream at the last scan; nothing to update to")
        if entry.detected_sha == record.content_hash:
            raise Conflict(f"{name} has no upstream change since "
                           f"{(record.commit or '?')[:7]}; rescan the source to look again")
        source, commit = scanned_source(session, record.source_id)
        info = source_info(session, source, commit, [entry.id])
        return _Upstream(source, commit, EntryRef.of(entry), info)


def _record(db: Database, settings: Settings, name: str) -> tuple[Store, UnitRecord]:
    store = Store(settings, catalog_provenance(db))
    return store, unit_named(store.units(), name)


def preview_update(db: Database, settings: Settings, name: str, *,
                   reader_factory: ReaderFactory = open_reader) -> UpdatePreview:
    """The unit as imported against the entry at its source's last scanned commit."""
    store, record = _record(db, settings, name)
    up = _upstream(db, record)
    new: dict[str, bytes] = {}
    new_exec: set[str] = set()
    reader = open_cached(up.source, settings, reader_factory)
    try:
        tree = reader.tree(up.commit)
        plan = plan_unit(None, tree, up.ref)

        def sink(p: Plan, m: Member, data: bytes) -> None:
            check_size(p, m, data)
            target = p.staged.layout.place(m.path)
            new[target] = p.staged.layout.rewrite(m.path, data)
            if m.entry.mode == "100755":
                new_exec.add(target)

        read_plans(reader, tree, [plan], sink)
    finally:
        reader.close()
    published = _manifest_of(new.get(MANIFEST)) \
        if plan.staged.layout.kind is UnitKind.PLUGIN else None
    _desc, _version, manifest = unit_manifest(up.info, plan.staged, name, published,
                                              record.version)
    if manifest is not None:
        new[MANIFEST] = manifest
    old = store.committed_files(record.folder)
    review = preview({p: d for p, (d, _x) in old.items()}, new,
                     old_executable={p for p, (_d, x) in old.items() if x},
                     new_executable=new_exec)
    return UpdatePreview(record, up.commit, review, changed_files(store.root, record))


def _manifest_of(data: bytes | None) -> dict[str, object]:
    try:
        doc = load_json(data or b"")
    except (OverBudget, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def update_unit(db: Database, settings: Settings, name: str,
                on_local_edits: str | None = None, *,
                reader_factory: ReaderFactory = open_reader) -> UpdateResult:
    """Replace a unit with its entry at the last scanned commit, in one journaled commit."""
    mode = _mode(on_local_edits)
    store, before = _record(db, settings, name)
    up = _upstream(db, before)
    store.files.sweep()
    stage: Staged | None = None
    try:
        reader = open_cached(up.source, settings, reader_factory)
        try:
            tree = reader.tree(up.commit)
            plan = plan_unit(store.files, tree, up.ref)
            stage = plan.staged
            read_plans(reader, tree, [plan],
                       lambda p, m, data: stage_file(store.files, p, m, data))
        finally:
            reader.close()
        record = unit_record(store, up.info, stage, name, before.version)
        return _replace(db, store, before, record, stage, mode)
    finally:
        if stage is not None:
            discard(stage.stage)
        store.files.tidy()


def _mode(value: str | None) -> LocalEdits:
    try:
        return LocalEdits(value or LocalEdits.REFUSE)
    except ValueError:
        raise InvalidInput("on_local_edits must be one of " + ", ".join(LocalEdits),
                           field="on_local_edits") from None


def _replace(db: Database, store: Store, before: UnitRecord, record: UnitRecord,
             stage: Staged, mode: LocalEdits) -> UpdateResult:
    finish = catalog_finisher(db)
    name = before.name
    with store.locked(finish):
        units = store.units()
        current = unit_named(units, name)
        if (current.commit, current.content_hash, current.pinned) != \
                (before.commit, before.content_hash, before.pinned):
            raise Conflict(f"{name} changed while the update was read; preview it again")
        edited = changed_files(store.root, current)
        if edited and mode is LocalEdits.REFUSE:
            shown = ", ".join(edited[:MAX_NAMED]) + \
                (f" and {len(edited) - MAX_NAMED} more" if len(edited) > MAX_NAMED else "")
            raise Conflict(f"{name} has local edits: {shown}; update with on_local_edits "
                           "'overwrite' (they are kept on a backup branch) or 'keep'")
        old, new = (before.commit or "unknown")[:7], record.commit[:7] if record.commit else "?"
        result = UpdateResult(name, before.commit, record.commit or "", record.version,
                              f"Update {name} {old} \u2192 {new}")
        if edited:
            # Both ways keep the edited copy in history: a crash mid-update rolls the folder
            # back to HEAD, so the branch is where the edits survive.
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            result.backup_branch = f"skillmeat/backup/{name}-{stamp}-{uuid.uuid4().hex[:6]}"
            store.backup([before.folder], result.backup_branch,
                         f"Local edits of {name} before its update to {new}")
            if mode is LocalEdits.KEEP:
                _keep(store, before, stage, edited)
                result.kept = edited
            else:
                result.overwritten = edited
        change = Change("update", result.message, [before.folder],
                        {"source_id": before.source_id,
                         "import_id": f"imp_{uuid.uuid4().hex[:20]}",
                         "entries": [[record.entry_id, record.content_hash]]})

        def place() -> dict[str, UnitRecord]:
            store.files.put(stage.unit, f"{PLUGINS}/{name}", replace=True)
            units[name] = record
            return units

        store.apply(change, place, finish)
    return result


def _keep(store: Store, before: UnitRecord, stage: Staged, edited: list[str]) -> None:
    """Put the collection's copy of each edited file into the staged unit (a file deleted
    locally stays deleted). The lock keeps upstream's hashes, so they still show as edits."""
    folder = store.root / before.folder
    for rel in edited:
        if path_problem(rel):  # a lock edited by hand names only paths inside the unit
            continue
        target = stage.unit / rel
        if os.path.lexists(target):
            target.unlink()
        local = folder / rel
        if local.is_file() and not local.is_symlink():
            store.files.write(stage.unit, rel, local.read_bytes(),
                              executable=os.access(local, os.X_OK))


def set_pin(db: Database, settings: Settings, name: str, pinned: bool) -> UnitRecord:
    """Pin (or unpin) a unit, recorded in the lock with its own commit."""
    store, _record_now = _record(db, settings, name)
    finish = catalog_finisher(db)
    with store.locked(finish):
        units = store.units()
        record = unit_named(units, name)
        if record.pinned == pinned:
            return record
        record.pinned = pinned
        at = (record.commit or "?")[:7]
        change = Change("pin", f"Pin {name} at {at}" if pinned else f"Unpin {name}", [], {})
        store.apply(change, lambda: units, finish)
    return record


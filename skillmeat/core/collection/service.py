"""Managing the collection: list, show, remove and verify units; keep the catalog in step."""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from skillmeat.cache import repositories as repo
from skillmeat.cache.db import Database
from skillmeat.config import Settings
from skillmeat.core.collection.manifest import (
    MARKETPLACE,
    PLUGINS,
    UnitRecord,
    hash_folder,
    read_marketplace,
)
from skillmeat.core.collection.migration import OLD_FOLDER
from skillmeat.core.collection.store import Change, Finisher, Store
from skillmeat.core.collection.units import KIND_OF_TYPE, is_unit_name
from skillmeat.core.cursor import CursorCodec, query_scope
from skillmeat.core.errors import NotFound
from skillmeat.core.marketplace.catalog import mark_imported, unmark_imported
from skillmeat.core.marketplace.collection import safe_name
from skillmeat.core.marketplace.plugins import members_to_mark
from skillmeat.core.marketplace.vocabulary import ArtifactType
from skillmeat.core.pagination import MAX_PAGE, Page, Position, keyset_page


@dataclass(slots=True)
class UnitView:
    record: UnitRecord
    local_edits: bool
    changed_files: list[str] = field(default_factory=list)  # edited, added or missing


@dataclass(slots=True)
class VerifyReport:
    units: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def catalog_finisher(db: Database) -> Finisher:
    """Tell the catalog about a committed change (run again by recovery: idempotent)."""

    def finish(change: Change) -> None:
        data = change.catalog
        with db.session() as session:
            for source_id, entry_id in data.get("unmark", []):
                _unmark(session, source_id, entry_id)
            imports = data.get("entries", [])
            if imports:
                _mark(session, data["source_id"], data["import_id"], imports)
    return finish


def _mark(session: Session, source_id: str, import_id: str,
          entries: list[list[str | None]]) -> None:
    source = repo.get_source(session, source_id, lock=True)
    if source is None:
        return  # deleted meanwhile: the files stay in the collection, no row to mark
    hashes = {str(entry_id): content_hash for entry_id, content_hash in entries}
    marked = repo.get_entries(session, source_id, list(hashes), lock=True)
    for entry in marked:
        mark_imported(session, source, entry, import_id, hashes[entry.id])
    # A whole plugin brings its members: marked with it, in this same transaction.
    plugins = [e.id for e in marked if e.artifact_type == ArtifactType.PLUGIN]
    for member in members_to_mark(session, source_id, plugins):
        mark_imported(session, source, member, import_id, member.detected_sha)
    session.flush()


def _unmark(session: Session, source_id: str, entry_id: str) -> None:
    source = repo.get_source(session, source_id, lock=True)
    if source is None:
        return
    for entry in repo.get_entries(session, source_id, [entry_id], lock=True):
        if entry.artifact_type == ArtifactType.PLUGIN and entry.import_id:
            # The members that came with this plugin leave with it; ones imported on their
            # own (another import) stay.
            for member in repo.plugin_members(session, source_id, entry.id, lock=True):
                if member.import_id == entry.import_id:
                    unmark_imported(source, member)
        unmark_imported(source, entry)
    session.flush()


def catalog_provenance(db: Database) -> Callable[[], dict[str, dict[str, Any]]]:
    """Where the old layout put each imported entry (`skills/<name>`, `commands/<name>.md`,
    ...) -> its origin, for a migration to keep in the lock."""

    def find() -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        with db.session(write=False) as session:
            for entry, source in repo.imported_entries(session, list(KIND_OF_TYPE)):
                folder = OLD_FOLDER.get(KIND_OF_TYPE[entry.artifact_type])
                name = safe_name(entry.name, fallback=entry.id)
                origin = {"source_id": source.id, "source_url": source.repo_url,
                          "ref": source.ref, "path": entry.path, "entry_id": entry.id,
                          "content_hash": entry.imported_sha}
                for rel in (f"{folder}/{name}", f"{folder}/{name}.md"):
                    out.setdefault(rel, origin)  # newest import first: it wins
        return out
    return find


def changed_files(root: Path, record: UnitRecord) -> list[str]:
    """Files of a unit that differ from the lock: edited, added, or missing."""
    folder = root / record.folder
    if not folder.is_dir() or folder.is_symlink():
        return sorted(record.files)
    now = hash_folder(folder)
    return sorted(p for p in set(now) | set(record.files) if now.get(p) != record.files.get(p))


def view(root: Path, record: UnitRecord) -> UnitView:
    changed = changed_files(root, record)
    return UnitView(record, bool(changed), changed)


def list_units(settings: Settings, codec: CursorCodec, *, limit: int = MAX_PAGE,
               cursor: str | None = None) -> Page[UnitView]:
    """A page of units in name order; only the page's units are re-hashed."""
    store = Store(settings)
    records = store.units()
    names = list(records)  # the lock keeps them sorted

    def fetch(after: Position | None, n: int) -> list[UnitView]:
        start = bisect.bisect_right(names, after[0]) if after else 0
        return [view(store.root, records[name]) for name in names[start:start + n]]

    return keyset_page(codec, query_scope(listing="collection"), cursor, limit,
                       key_types=[str], fetch=fetch, key=lambda v: (v.record.name,))


def display_root(settings: Settings) -> str:
    """The collection folder as a person on this machine would type it; no other path."""
    root = Store(settings).root
    home = Path.home()
    if root.is_relative_to(home):
        return f"~/{root.relative_to(home).as_posix()}"
    return "$SKILLMEAT_COLLECTION_DIR"


def unit_named(units: dict[str, UnitRecord], name: str) -> UnitRecord:
    """The unit's record, or 404."""
    record = units.get(name)
    if record is None:
        raise NotFound(f"no unit named {name!r} in the collection")
    return record


def get_unit(settings: Settings, name: str) -> UnitView:
    store = Store(settings)
    return view(store.root, unit_named(store.units(), name))


def remove_unit(db: Database, settings: Settings, name: str) -> UnitRecord:
    """Delete a unit's folder and its records in one commit; its catalog entry goes back to
    new, updated or removed."""
    store = Store(settings, catalog_provenance(db))
    finish = catalog_finisher(db)
    with store.locked(finish):
        units = store.units()
        record = unit_named(units, name)
        unmark = [[record.source_id, record.entry_id]] if record.source_id and record.entry_id \
            else []
        change = Change("remove", f"Remove {name} (from {record.origin})", [record.folder],
                        {"unmark": unmark})

        def place() -> dict[str, UnitRecord]:
            aside = store.files.new_stage()
            target = store.files.inside(record.folder)
            if os.path.lexists(target):
                os.rename(target, aside / "old")
            del units[name]
            return units

        store.apply(change, place, finish)
        store.files.sweep()
        store.files.tidy()
    return record


def verify(settings: Settings, db: Database | None = None) -> VerifyReport:
    """Re-hash every file against the lock; check marketplace.json, lock and folders agree."""
    store = Store(settings, catalog_provenance(db) if db is not None else None)
    with store.locked(catalog_finisher(db) if db is not None else None):
        units = store.units()
        problems: list[str] = []
        listed = {str(p.get("name")): p for p in read_marketplace(store.root).get("plugins", [])
                  if isinstance(p, dict)}
        folders = {p.name for p in (store.root / PLUGINS).iterdir()} \
            if (store.root / PLUGINS).is_dir() else set()
        for name in sorted(set(listed) - set(units)):
            problems.append(f"{name}: in marketplace.json but not in the lock file")
        for name in sorted(folders - set(units)):
            problems.append(f"{name}: folder {PLUGINS}/{name} is in neither the lock file nor "
                            "marketplace.json")
        for name, record in units.items():
            if not is_unit_name(name):
                problems.append(f"{name}: not a safe unit name")
                continue
            entry = listed.get(name)
            if entry is None:
                problems.append(f"{name}: in the lock file but not in marketplace.json")
            elif entry.get("source") != f"./{record.folder}":
                problems.append(f"{name}: marketplace.json points to {entry.get('source')!r}")
            if name not in folders:
                problems.append(f"{name}: folder {record.folder} is missing")
                continue
            folder = store.root / record.folder
            for path in changed_files(store.root, record):
                if path not in record.files:
                    problems.append(f"{name}: {path} added (local edit)")
                elif os.path.lexists(folder / path):
                    problems.append(f"{name}: {path} edited (local edit)")
                else:
                    problems.append(f"{name}: {path} missing")
    return VerifyReport(len(units), problems)



def prepare(db: Database, settings: Settings) -> Path:
    """The collection's root, a git repository with no change left half-done (for serving)."""
    store = Store(settings, catalog_provenance(db))
    with store.locked(catalog_finisher(db)):
        store.pack()
        return store.root


def pack(settings: Settings) -> None:
    """Pack what the last changes left loose (after their answer: not part of their time)."""
    store = Store(settings)
    with store.locked():
        store.pack(at_least=1)


def marketplace_json(db: Database, settings: Settings) -> bytes:
    """The marketplace manifest as Claude Code reads it."""
    root = prepare(db, settings)
    return (root / MARKETPLACE).read_bytes()

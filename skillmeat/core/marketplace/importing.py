"""Import catalog entries into the local collection.

Four steps, like a scan never holding a transaction during I/O: validate every entry in one read
transaction (nothing is written unless all may be imported); read each artifact at the last
scanned commit into its own staging directory; move each staged artifact into place with one
rename; record the imports in one short write transaction. A failure while reading discards all
staging, so the collection and the catalog stay as they were.

Layout: skills/<name>/..., commands/<name>.md, agents/<name>.md, hooks/<name>/...,
mcp/<name>/... (the configuration file keeps its own name inside the folder), and
plugins/<name>/... (a whole plugin folder, manifests included, exactly as published; its
members are marked imported with it, see plugins.members_to_mark).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy.orm import Session

from skillmeat.cache import repositories as repo
from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceSource
from skillmeat.config import Settings
from skillmeat.core.errors import Conflict, InvalidInput, NotFound
from skillmeat.core.marketplace.browsing import ReaderFactory, open_cached
from skillmeat.core.marketplace.catalog import mark_imported
from skillmeat.core.marketplace.collection import Collection, discard, safe_name
from skillmeat.core.marketplace.members import (
    MAX_FILE_BYTES,
    EntryRef,
    Member,
    Totals,
    file_too_large,
    import_problem,
    locate,
    over_total,
    scanned_source,
    totals,
    walk,
)
from skillmeat.core.marketplace.plugins import is_remote, members_to_mark
from skillmeat.core.marketplace.readers.base import ListingReader
from skillmeat.core.marketplace.readers.errors import ReaderError
from skillmeat.core.marketplace.readers.factory import open_reader
from skillmeat.core.marketplace.tree import RepoTree
from skillmeat.core.marketplace.vocabulary import (
    ArtifactType,
    ConflictStrategy,
    ImportOutcome,
    one_of,
)

READ_BATCH = 64  # paths per read; the blobs come one at a time and go straight to disk
TYPE_DIRS: dict[str, str] = {
    ArtifactType.SKILL: "skills", ArtifactType.COMMAND: "commands", ArtifactType.AGENT: "agents",
    ArtifactType.HOOK: "hooks", ArtifactType.MCP_SERVER: "mcp", ArtifactType.PLUGIN: "plugins",
}
# A single file, placed as <dir>/<name><suffix>.
FILE_TYPES = (ArtifactType.COMMAND, ArtifactType.AGENT)
Progress = Callable[[str], None]


@dataclass(slots=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(slots=True)
class ImportedItem:
    entry_id: str
    name: str
    artifact_type: str
    outcome: ImportOutcome
    path: str  # relative to the collection directory
    file_count: int
    content_hash: str | None
    skipped_files: list[SkippedFile] = field(default_factory=list)


@dataclass(slots=True)
class ImportResult:
    import_id: str
    source_id: str
    commit: str
    collection_dir: Path
    items: list[ImportedItem]


@dataclass(slots=True)
class _Staged:
    ref: EntryRef
    stage: Path  # the staging directory, discarded at the end whatever happens
    payload: Path  # what moves into place: a folder, or the one file of a command/agent
    target: str
    file_count: int
    skipped: list[SkippedFile]


def validate(session: Session, source_id: str,
             entry_ids: Sequence[str]) -> tuple[MarketplaceSource, str, list[EntryRef]]:
    """Refuse the whole request when any entry is unknown, excluded or removed."""
    source, commit = scanned_source(session, source_id)
    rows = {e.id: e for e in repo.get_entries(session, source_id, entry_ids)}
    for entry_id in entry_ids:
        if entry_id not in rows:
            raise NotFound(f"entry {entry_id!r} not found in source {source_id!r}")
    for entry_id in entry_ids:
        entry = rows[entry_id]
        if entry.excluded_at is not None:
            raise Conflict(f"Entry {entry.id} ({entry.name}) is excluded as not an artifact; "
                           "restore it first")
    for entry_id in entry_ids:
        entry = rows[entry_id]
        if entry.removed_at is not None:
            raise Conflict(f"Entry {entry.id} ({entry.name}) was removed from the repository "
                           "at the last scan; there is nothing to import")
        if is_remote(entry):
            raise Conflict(f"Entry {entry.id} ({entry.name}) is a plugin in another repository "
                           f"({entry.upstream_url}); add it as a source to import it")
    return source, commit, [EntryRef.of(rows[i]) for i in entry_ids]


def import_entries(db: Database, settings: Settings, source_id: str, entry_ids: Sequence[str],
                   strategy: str = ConflictStrategy.SKIP, *,
                   reader_factory: ReaderFactory = open_reader,
                   progress: Progress | None = None) -> ImportResult:
    """Copy entries' files at the last scanned commit into the collection and record it."""
    conflicts = one_of(ConflictStrategy, strategy, "conflict_strategy")
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        raise InvalidInput("name at least one entry to import")
    with db.session(write=False) as session:
        source, commit, refs = validate(session, source_id, ids)
    collection = Collection(settings.resolved_collection_dir)
    collection.sweep()
    import_id = f"imp_{uuid.uuid4().hex[:20]}"
    staged: list[_Staged] = []
    try:
        reader = open_cached(source, settings, reader_factory)
        try:
            tree = reader.tree(commit)
            for ref in refs:
                staged.append(_stage(collection, reader, tree, ref))
                if progress is not None:
                    progress(ref.name)
        finally:
            reader.close()
        items = _place_all(db, collection, source_id, import_id, staged, conflicts)
    finally:
        for item in staged:
            discard(item.stage)
        collection.tidy()
    return ImportResult(import_id, source_id, commit, collection.root, items)


def _stage(collection: Collection, reader: ListingReader, tree: RepoTree,
           ref: EntryRef) -> _Staged:
    """Read one artifact into a fresh staging directory; on any failure it is removed."""
    span = locate(tree, ref)
    files = list(walk(tree, span))
    wanted = [m for m in files if m.problem is None]
    skipped = [SkippedFile(m.path, m.problem) for m in files if m.problem is not None]
    if not wanted:
        raise Conflict(f"{ref.label} has no files that can be imported")
    problem = import_problem(totals(tree, span))  # sizes the listing gives; reads check the rest
    if problem:
        raise InvalidInput(f"{ref.label} {problem}")
    stage = collection.new_stage()
    try:
        payload = stage / "artifact"
        payload.mkdir()
        _copy(collection, reader, tree.commit, span.full_path, wanted, payload, ref)
        type_dir = TYPE_DIRS.get(ref.artifact_type)
        if type_dir is None:
            raise InvalidInput(f"{ref.label} has unknown type {ref.artifact_type!r}")
        name = safe_name(ref.name, fallback=ref.id)
        if span.single is not None and ref.artifact_type in FILE_TYPES:
            suffix = PurePosixPath(wanted[0].path).suffix
            leaf = name if not suffix or name.endswith(suffix) else f"{name}{suffix}"
            payload, target = payload / wanted[0].path, f"{type_dir}/{leaf}"
        else:
            target = f"{type_dir}/{name}"
        return _Staged(ref, stage, payload, target, len(wanted), skipped)
    except BaseException:
        discard(stage)
        raise


def _copy(collection: Collection, reader: ListingReader, commit: str,
          full_path: Callable[[str], str], wanted: list[Member], payload: Path,
          ref: EntryRef) -> None:
    """Write each file as its blob arrives: one blob in memory at a time, each capped."""
    total = 0
    for start in range(0, len(wanted), READ_BATCH):
        batch = {full_path(m.path): m for m in wanted[start:start + READ_BATCH]}
        left = dict(batch)
        for full, data in reader.stream(commit, list(batch), MAX_FILE_BYTES + 1):
            m = left.pop(full)
            if len(data) > MAX_FILE_BYTES:  # sizes a git listing did not give
                raise InvalidInput(f"{ref.label} {file_too_large(m.path)}")
            total += len(data)
            too_big = over_total(Totals(bytes=total))
            if too_big:
                raise InvalidInput(f"{ref.label} {too_big}")
            collection.write(payload, m.path, data, executable=m.entry.mode == "100755")
        if left:
            raise ReaderError(f"could not read {next(iter(left))} at commit {commit[:12]}")


def _place_all(db: Database, collection: Collection, source_id: str, import_id: str,
               staged: list[_Staged], strategy: ConflictStrategy) -> list[ImportedItem]:
    items: list[ImportedItem] = []
    placed: list[EntryRef] = []
    written: set[str] = set()
    for s in staged:
        collection.inside(s.target)  # refuse before the first move, not half-way through
    try:
        for s in staged:
            outcome, where = collection.place(s.payload, s.target, strategy, written)
            if outcome != ImportOutcome.SKIPPED:
                written.add(where)
                placed.append(s.ref)
            items.append(ImportedItem(s.ref.id, s.ref.name, s.ref.artifact_type, outcome, where,
                                      s.file_count, s.ref.detected_sha, s.skipped))
    finally:
        # What reached the collection is recorded even if a later placement failed.
        if placed:
            with db.session() as session:
                record(session, source_id, import_id, placed)
    return items


def record(session: Session, source_id: str, import_id: str, refs: Sequence[EntryRef]) -> None:
    """Mark entries imported at the content hash they had when their files were read."""
    source = repo.get_source(session, source_id, lock=True)
    if source is None:
        return  # deleted meanwhile: the files stay in the collection, there is no row to mark
    rows = {e.id: e for e in repo.get_entries(session, source_id, [r.id for r in refs],
                                              lock=True)}
    for ref in refs:
        entry = rows.get(ref.id)
        if entry is not None:
            mark_imported(session, source, entry, import_id, ref.detected_sha)
    # A whole plugin brings its members: marked in this same transaction.
    plugin_ids = [r.id for r in refs if r.artifact_type == ArtifactType.PLUGIN and r.id in rows]
    for member in members_to_mark(session, source_id, plugin_ids):
        mark_imported(session, source, member, import_id, member.detected_sha)
    session.flush()

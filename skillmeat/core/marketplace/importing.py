"""Import catalog entries into the collection, a Claude Code plugin marketplace.

Like a scan, never holding a transaction during I/O: validate every entry in one read
transaction (nothing is written unless all may be imported); read each artifact at the last
scanned commit into its own staging directory, already in its unit's layout (see
collection.units); then, under the collection's write lock, settle names, move each unit into
`plugins/<name>/`, rewrite marketplace.json and the lock file, and commit, as one journaled
change (collection.store) that also marks the entries imported. A failure while reading
discards all staging, so the collection and the catalog stay as they were.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from skillmeat.cache import repositories as repo
from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceSource
from skillmeat.config import Settings
from skillmeat.core.collection.manifest import (
    PLUGINS,
    UnitRecord,
    hash_folder,
    json_bytes,
    tree_hash,
)
from skillmeat.core.collection.naming import Origin, Placement, settle_names
from skillmeat.core.collection.service import catalog_finisher, catalog_provenance
from skillmeat.core.collection.store import Change, Store
from skillmeat.core.collection.units import (
    MANIFEST,
    Layout,
    UnitKind,
    kind_of,
    plugin_manifest,
    shadow_warnings,
    unit_name,
)
from skillmeat.core.errors import Conflict, InvalidInput, NotFound
from skillmeat.core.marketplace.browsing import ReaderFactory, open_cached
from skillmeat.core.marketplace.collection import Collection, discard
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
from skillmeat.core.marketplace.parsing import OverBudget, load_json
from skillmeat.core.marketplace.plugins import is_remote
from skillmeat.core.marketplace.readers.base import ListingReader
from skillmeat.core.marketplace.readers.errors import ReaderError
from skillmeat.core.marketplace.readers.factory import open_reader
from skillmeat.core.marketplace.tree import RepoTree
from skillmeat.core.marketplace.vocabulary import ConflictStrategy, ImportOutcome, one_of

READ_BATCH = 1024  # paths per read; the blobs come one at a time and go straight to disk
MAX_DESCRIPTION = 300
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
    path: str  # the unit folder, relative to the collection directory
    file_count: int
    content_hash: str | None
    skipped_files: list[SkippedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ImportResult:
    import_id: str
    source_id: str
    commit: str
    collection_dir: Path
    items: list[ImportedItem]


@dataclass(slots=True)
class Staged:
    ref: EntryRef
    stage: Path  # the staging directory, discarded at the end whatever happens
    unit: Path  # the unit folder being built, moved into place whole
    layout: Layout
    file_count: int
    skipped: list[SkippedFile]
    commands: list[str]


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What the lock and the generated manifests say about where units came from."""

    id: str
    url: str
    ref: str
    commit: str
    label: str  # owner/repo
    author: str
    descriptions: dict[str, str]  # entry id -> description
    homepages: dict[str, str | None]
    risk_summaries: dict[str, str | None]  # what each could run when read (for updates)


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
                   strategy: str | None = None, *,
                   reader_factory: ReaderFactory = open_reader,
                   progress: Progress | None = None) -> ImportResult:
    """Copy entries' files at the last scanned commit into the collection and record it.

    `strategy` settles a name already taken in the collection; without one, a name taken by
    a unit of another origin is refused (409 naming both) and one of the same origin is kept.
    """
    conflicts = one_of(ConflictStrategy, strategy, "conflict_strategy") if strategy else None
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        raise InvalidInput("name at least one entry to import")
    with db.session(write=False) as session:
        source, commit, refs = validate(session, source_id, ids)
        info = source_info(session, source, commit, ids)
    store = Store(settings, catalog_provenance(db))
    collection = store.files
    collection.sweep()
    import_id = f"imp_{uuid.uuid4().hex[:20]}"
    staged: list[Staged] = []
    try:
        reader = open_cached(source, settings, reader_factory)
        try:
            _stage_all(collection, reader, reader.tree(commit), refs, staged, progress)
        finally:
            reader.close()
        items = _place_all(db, store, info, import_id, staged, conflicts)
    finally:
        for item in staged:
            discard(item.stage)
        collection.tidy()
    return ImportResult(import_id, source_id, commit, collection.root, items)


def source_info(session: Session, source: MarketplaceSource, commit: str,
                 ids: list[str]) -> SourceInfo:
    rows = repo.get_entries(session, source.id, ids)
    url = source.repo_url
    web = url if url.startswith(("http://", "https://")) else None
    if web is None and url.startswith("/"):
        web = Path(url).as_uri()
    label = f"{source.owner}/{source.repo_name}" if source.owner else source.repo_name
    return SourceInfo(
        source.id, url, source.ref, commit, label, source.owner or source.repo_name,
        {e.id: _one_line(e.description or e.title or "") for e in rows},
        {e.id: e.upstream_url if (e.upstream_url or "").startswith(("http://", "https://"))
         else web for e in rows},
        {e.id: e.risk_summary for e in rows})


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_DESCRIPTION else line[:MAX_DESCRIPTION - 1] + "\u2026"


@dataclass(slots=True)
class Plan:
    """One artifact being read: its staged unit and the files still to come."""

    staged: Staged
    full_path: Callable[[str], str]
    wanted: list[Member]
    written: int = 0
    bytes: int = 0


def plan_unit(collection: Collection | None, tree: RepoTree, ref: EntryRef) -> Plan:
    """Check one artifact's listing and give it a fresh staging directory (none without a
    collection: a preview reads into memory)."""
    span = locate(tree, ref)
    files = list(walk(tree, span))
    wanted = [m for m in files if m.problem is None]
    skipped = [SkippedFile(m.path, m.problem) for m in files if m.problem is not None]
    if not wanted:
        raise Conflict(f"{ref.label} has no files that can be imported")
    problem = import_problem(totals(tree, span))  # sizes the listing gives; reads check the rest
    if problem:
        raise InvalidInput(f"{ref.label} {problem}")
    layout = Layout(kind_of(ref.artifact_type), unit_name(ref.name, fallback=ref.id),
                    single=span.single is not None)
    stage = collection.new_stage() if collection is not None else Path()
    unit = stage / "unit"
    if collection is not None:
        unit.mkdir()
    commands = layout.commands([m.path for m in wanted])
    return Plan(Staged(ref, stage, unit, layout, len(wanted), skipped, commands),
                 span.full_path, wanted)


def _stage_all(collection: Collection, reader: ListingReader, tree: RepoTree,
               refs: list[EntryRef], staged: list[Staged],
               progress: Progress | None) -> None:
    """Read every artifact into its staging directory, laid out as its unit (appended to
    `staged`, which the caller discards). The files of all artifacts are read together, a
    batch at a time (one git round trip per batch, not per artifact); each is written as its
    blob arrives, so one blob at a time is in memory, each capped."""
    plans: list[Plan] = []
    for ref in refs:
        plan = plan_unit(collection, tree, ref)
        plans.append(plan)
        staged.append(plan.staged)

    def sink(plan: Plan, m: Member, data: bytes) -> None:
        stage_file(collection, plan, m, data)
        if plan.written == len(plan.wanted) and progress is not None:
            progress(plan.staged.ref.name)

    read_plans(reader, tree, plans, sink)


def read_plans(reader: ListingReader, tree: RepoTree, plans: list[Plan],
               sink: Callable[[Plan, Member, bytes], None]) -> None:
    """Stream the wanted files of every plan to `sink`, a batch of paths per read."""
    queue = [(p, m) for p in plans for m in p.wanted]
    for start in range(0, len(queue), READ_BATCH):
        batch: dict[str, list[tuple[Plan, Member]]] = {}
        for plan, m in queue[start:start + READ_BATCH]:
            batch.setdefault(plan.full_path(m.path), []).append((plan, m))
        left = set(batch)
        for full, data in reader.stream(tree.commit, list(batch), MAX_FILE_BYTES + 1):
            left.discard(full)
            for plan, m in batch[full]:
                sink(plan, m, data)
        if left:
            raise ReaderError(f"could not read {min(left)} at commit {tree.commit[:12]}")


def stage_file(collection: Collection, plan: Plan, m: Member, data: bytes) -> None:
    s = plan.staged
    check_size(plan, m, data)
    collection.write(s.unit, s.layout.place(m.path), s.layout.rewrite(m.path, data),
                     executable=m.entry.mode == "100755")
    plan.written += 1


def check_size(plan: Plan, m: Member, data: bytes) -> None:
    """A file or the artifact past the import limits (sizes a git listing did not give)."""
    label = plan.staged.ref.label
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"{label} {file_too_large(m.path)}")
    plan.bytes += len(data)
    too_big = over_total(Totals(bytes=plan.bytes))
    if too_big:
        raise InvalidInput(f"{label} {too_big}")


def _place_all(db: Database, store: Store, info: SourceInfo, import_id: str,
               staged: list[Staged], strategy: ConflictStrategy | None) -> list[ImportedItem]:
    """Settle names, then place every unit and record them in one journaled commit."""
    finish = catalog_finisher(db)
    with store.locked(finish):
        units = store.units()
        wants = [(s.layout.name, Origin(info.url, s.ref.path)) for s in staged]
        plan = settle_names(units, wants, strategy, lambda n: store.files.inside(
            f"{PLUGINS}/{n}").exists())
        placed = [(s, p) for s, p in zip(staged, plan, strict=True)
                  if p.outcome != ImportOutcome.SKIPPED]
        if placed:
            unmark = [[units[p.name].source_id, units[p.name].entry_id] for _s, p in placed
                      if p.name in units and units[p.name].entry_id
                      and units[p.name].entry_id not in {s.ref.id for s, _p in placed}]
            change = Change("import", _message(info, [p for _s, p in placed]),
                            [f"{PLUGINS}/{p.name}" for _s, p in placed],
                            {"source_id": info.id, "import_id": import_id, "unmark": unmark,
                             "entries": [[s.ref.id, s.ref.detected_sha] for s, _p in placed]})

            def place() -> dict[str, UnitRecord]:
                for s, p in placed:
                    units[p.name] = _finish_unit(store, info, s, p)
                return units

            store.apply(change, place, finish)
    return [ImportedItem(s.ref.id, s.ref.name, s.ref.artifact_type, p.outcome,
                         f"{PLUGINS}/{p.name}", s.file_count, s.ref.detected_sha, s.skipped,
                         shadow_warnings(s.commands))
            for s, p in zip(staged, plan, strict=True)]


def _finish_unit(store: Store, info: SourceInfo, s: Staged, p: Placement) -> UnitRecord:
    """Give a staged unit its manifest, hash it, and move it to plugins/<name>."""
    record = unit_record(store, info, s, p.name)
    store.files.put(s.unit, f"{PLUGINS}/{p.name}",
                    replace=p.outcome == ImportOutcome.OVERWRITTEN)
    return record


def unit_record(store: Store, info: SourceInfo, s: Staged, name: str,
                previous: str | None = None) -> UnitRecord:
    """Write a staged unit's manifest (ours, unless it is a published plugin) and describe
    it for the lock. `previous` is the version an update replaces (see unit_manifest)."""
    ref = s.ref
    published = _published_manifest(s.unit) if s.layout.kind is UnitKind.PLUGIN else None
    description, version, manifest = unit_manifest(info, s, name, published, previous)
    if manifest is not None:
        # Ours wins over any manifest a wrapped folder (an MCP server's) brought along.
        (s.unit / MANIFEST).unlink(missing_ok=True)
        store.files.write(s.unit, MANIFEST, manifest, executable=False)
    files = hash_folder(s.unit)
    return UnitRecord(
        name=name, kind=s.layout.kind.value, description=description, version=version,
        homepage=info.homepages.get(ref.id), source_id=info.id, source_url=info.url,
        ref=info.ref, commit=info.commit, path=ref.path, entry_id=ref.id,
        content_hash=ref.detected_sha, imported_at=datetime.now(UTC).isoformat(), files=files,
        tree_hash=tree_hash(files), risk_summary=info.risk_summaries.get(ref.id))


def unit_manifest(info: SourceInfo, s: Staged, name: str, published: dict[str, object] | None,
                  previous: str | None = None) -> tuple[str, str, bytes | None]:
    """(description, version, the plugin.json to write or None to keep the unit's own): a
    published plugin keeps its manifest and version, any other unit is versioned by the
    commit it came from. An update whose version would equal `previous` gets
    `<version>+<commit>` in the manifest too: Claude Code reads the version from plugin.json
    and installs nothing it thinks it has."""
    ref = s.ref
    version = info.commit[:7]
    description = info.descriptions.get(ref.id) or \
        f"{ref.artifact_type.replace('_', ' ')} {ref.name} from {info.label}"
    if published is not None:
        description = str(published.get("description") or description)
        version = str(published.get("version") or version)
    bumped = previous is not None and version == previous
    if bumped:
        version = f"{version}+{info.commit[:7]}"
    if published is not None:
        return description, version, json_bytes({**published, "version": version}) \
            if bumped else None
    manifest = plugin_manifest(name, description, version, info.homepages.get(ref.id),
                               info.author)
    return description, version, json_bytes(manifest)


def _published_manifest(unit: Path) -> dict[str, object]:
    try:
        doc = load_json((unit / MANIFEST).read_bytes())
    except (FileNotFoundError, OverBudget, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _message(info: SourceInfo, placed: list[Placement]) -> str:
    """`Import pdf from anthropics/skills@1a2b3c4` (`Update` when every unit replaces one;
    the first few names of a big import)."""
    names = [p.name for p in placed]
    verb = "Update" if all(p.outcome == ImportOutcome.OVERWRITTEN for p in placed) else "Import"
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{verb} {shown} from {info.label}@{info.commit[:7]}"

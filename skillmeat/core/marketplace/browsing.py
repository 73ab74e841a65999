"""Look inside a catalog entry: its files at the last scanned commit, and one file's text.

Like a scan, a browse reads the database in one short transaction, then reads the repository
with no transaction open. Reads go through the blob cache, so a second look costs no request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry, MarketplaceSource
from skillmeat.config import Settings
from skillmeat.core.errors import Conflict, NotFound
from skillmeat.core.marketplace.blob_cache import CachedReader, cache_for
from skillmeat.core.marketplace.catalog import get_entry
from skillmeat.core.marketplace.collection import safe_relpath
from skillmeat.core.marketplace.detection.frontmatter import read_frontmatter
from skillmeat.core.marketplace.readers.factory import open_reader
from skillmeat.core.marketplace.sources import get_source
from skillmeat.core.marketplace.tree import RepoReader, RepoTree, TreeEntry
from skillmeat.core.marketplace.vocabulary import FileKind

ReaderFactory = Callable[[MarketplaceSource, Settings], RepoReader]
MAX_VIEW_BYTES = 1_000_000
MAX_LISTED_SIZES = 1000  # files whose size a listing will read to learn
MAX_SIZED_BYTES = 10 * 1024 * 1024
_SNIFF = 8000
_MARKDOWN = (".md", ".markdown", ".mdx")


@dataclass(frozen=True, slots=True)
class EntryRef:
    """What reading an entry needs, copied out of its row so no session is held."""

    id: str
    name: str
    artifact_type: str
    path: str
    detected_sha: str | None

    @classmethod
    def of(cls, entry: MarketplaceCatalogEntry) -> EntryRef:
        return cls(entry.id, entry.name, entry.artifact_type, entry.path, entry.detected_sha)


@dataclass(frozen=True, slots=True)
class Member:
    """One path of an artifact, relative to its root, and why it cannot be taken (if so)."""

    path: str
    entry: TreeEntry
    problem: str | None

    @property
    def size(self) -> int | None:
        return self.entry.size

    @property
    def sha(self) -> str:
        return self.entry.sha

    @property
    def kind(self) -> FileKind:
        if self.entry.type == "commit":
            return FileKind.SUBMODULE
        return FileKind.SYMLINK if self.entry.is_symlink else FileKind.FILE


def scanned_source(session: Session, source_id: str) -> tuple[MarketplaceSource, str]:
    """A detached copy of the source (for a reader) and the commit of its last scan."""
    source = get_source(session, source_id)
    if not source.last_scanned_sha:
        raise Conflict(f"source {source_id!r} has not been scanned yet; scan the source first")
    copy = MarketplaceSource(id=source.id, repo_url=source.repo_url, ref=source.ref,
                             root_hint=source.root_hint, owner=source.owner,
                             repo_name=source.repo_name)
    return copy, source.last_scanned_sha


def open_cached(source: MarketplaceSource, settings: Settings,
                reader_factory: ReaderFactory = open_reader) -> CachedReader:
    return CachedReader(reader_factory(source, settings), cache_for(settings))


def members(tree: RepoTree, ref: EntryRef) -> tuple[str, list[Member]]:
    """The artifact's root folder and its files.

    A skill (or any entry whose path is a folder) is every file below that folder. A file
    entry is that one file, except a plugin's `hooks/hooks.json`: its folder holds the scripts
    the hooks run, so the whole `hooks/` folder comes along.
    """
    path = ref.path.strip("/")
    node = tree.get(path) if path else None
    if path and node is None:
        raise Conflict(f"{ref.path!r} is not in the repository at commit {tree.commit[:12]}; "
                       "rescan the source")
    folder, _, leaf = path.rpartition("/")
    if node is not None and node.type != "tree":
        hooks_dir = ref.artifact_type == "hook" and leaf == "hooks.json" \
            and folder.rpartition("/")[2] == "hooks"
        if not hooks_dir:
            return folder, [Member(leaf, node, _problem(leaf, node))]
        path = folder
    prefix = f"{path}/" if path else ""
    below = (tree.entry(i) for i in tree.span(path))
    found = [
        Member(e.path[len(prefix):], e, _problem(e.path[len(prefix):], e))
        for e in below
        if e.type != "tree"
    ]
    return path, sorted(found, key=lambda m: m.path)


def main_file(listing: Listing) -> str | None:
    """The file that describes the artifact: SKILL.md of a skill, else the entry's own file."""
    leaf = listing.entry.path.rpartition("/")[2]
    paths = [m.path for m in listing.files if m.problem is None]
    for path in paths:
        if path.lower() == "skill.md" or (path == leaf and leaf != ""):
            return path
    return None


def _problem(relative: str, entry: TreeEntry) -> str | None:
    if entry.type == "commit":
        return "submodule: its files are in another repository"
    if entry.is_symlink:
        return "symbolic link: never followed nor copied"
    if not safe_relpath(relative):
        return "unsafe path: separators, '..' or control characters"
    return None


@dataclass(slots=True)
class Listing:
    entry: EntryRef
    commit: str
    root: str
    files: list[Member]


@dataclass(slots=True)
class FileView:
    path: str
    size: int | None
    sha: str
    binary: bool = False
    too_large: bool = False
    content: str | None = None
    frontmatter: dict[str, Any] | None = None
    frontmatter_error: str | None = None
    body: str | None = None


def _load(db: Database, source_id: str,
          entry_id: str) -> tuple[MarketplaceSource, str, EntryRef]:
    with db.session(write=False) as session:
        source, commit = scanned_source(session, source_id)
        return source, commit, EntryRef.of(get_entry(session, source_id, entry_id))


def list_files(db: Database, settings: Settings, source_id: str, entry_id: str, *,
               reader_factory: ReaderFactory = open_reader) -> Listing:
    source, commit, ref = _load(db, source_id, entry_id)
    reader = open_cached(source, settings, reader_factory)
    try:
        root, files = members(reader.tree(commit), ref)
        files = _with_sizes(reader, commit, root, files)
    finally:
        reader.close()
    return Listing(ref, commit, root, files)


def _with_sizes(reader: RepoReader, commit: str, root: str,
                files: list[Member]) -> list[Member]:
    """Fill sizes a listing left out (git lists only fetched blobs) by reading those files."""
    unknown = {(f"{root}/{m.path}" if root else m.path): m for m in files
               if m.entry.size is None and m.problem is None}
    if not unknown or len(files) > MAX_LISTED_SIZES:
        return files
    # Capped: a file past the cap keeps size None rather than being held whole in memory.
    data = reader.read(commit, list(unknown), MAX_SIZED_BYTES + 1)
    sized = {m.path: replace(m.entry, size=len(data[full])) for full, m in unknown.items()
             if full in data and len(data[full]) <= MAX_SIZED_BYTES}
    return [Member(m.path, sized[m.path], m.problem) if m.path in sized else m for m in files]


def read_file(db: Database, settings: Settings, source_id: str, entry_id: str, file_path: str,
              *, reader_factory: ReaderFactory = open_reader) -> FileView:
    """One file's text (markdown split into frontmatter and body); binary or huge: flagged."""
    source, commit, ref = _load(db, source_id, entry_id)
    reader = open_cached(source, settings, reader_factory)
    try:
        root, files = members(reader.tree(commit), ref)
        # Only a listed, plain file of this artifact: no path arithmetic, so no way out of it.
        member = next((m for m in files if m.path == file_path and m.problem is None), None)
        if member is None:
            raise NotFound(f"no file {file_path!r} in entry {entry_id!r}")
        view = FileView(path=member.path, size=member.entry.size, sha=member.entry.sha)
        if view.size is not None and view.size > MAX_VIEW_BYTES:
            view.too_large = True
            return view
        full = f"{root}/{member.path}" if root else member.path
        data = reader.read(commit, [full], MAX_VIEW_BYTES + 1).get(full)
    finally:
        reader.close()
    if data is None:
        raise NotFound(f"file {file_path!r} could not be read from the repository")
    return _view(view, data)


def _view(view: FileView, data: bytes) -> FileView:
    if len(data) > MAX_VIEW_BYTES:
        view.too_large = True
        return view
    view.size = len(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\0" in text[:_SNIFF]:
        view.binary = True
        return view
    view.content = text
    if view.path.lower().endswith(_MARKDOWN):
        view.frontmatter, view.frontmatter_error, view.body = read_frontmatter(text)
    return view

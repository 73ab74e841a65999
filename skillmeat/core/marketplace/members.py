"""An entry's files in a repository tree: which paths are its, which may be taken, how big.

Browsing and importing ask the same questions of the same tree, so both ask here: where the
artifact's files are (`locate`), which of them may be shown or copied (`path_problem`, one
rule with the collection's writer), and whether the artifact is within the size limits.
Files are walked in the tree's own order straight from its sorted columns, so a page of a
huge folder costs a page, and no file is ever read to learn its size.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from skillmeat.cache.models import MarketplaceCatalogEntry, MarketplaceSource
from skillmeat.core.errors import Conflict
from skillmeat.core.marketplace.collection import path_problem
from skillmeat.core.marketplace.plugins import is_remote, plugin_root
from skillmeat.core.marketplace.sources import get_source
from skillmeat.core.marketplace.tree import RepoTree, TreeEntry
from skillmeat.core.marketplace.vocabulary import ArtifactType, FileKind

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ARTIFACT_BYTES = 100 * 1024 * 1024
MAX_FILES = 1000


@dataclass(frozen=True, slots=True)
class EntryRef:
    """What reading an entry needs, copied out of its row so no session is held."""

    id: str
    name: str
    artifact_type: str
    path: str
    detected_sha: str | None
    remote: bool = False  # a plugin whose files are in another repository

    @classmethod
    def of(cls, entry: MarketplaceCatalogEntry) -> EntryRef:
        return cls(entry.id, entry.name, entry.artifact_type, entry.path, entry.detected_sha,
                   is_remote(entry))

    @property
    def label(self) -> str:
        return f"Entry {self.id} ({self.name})"


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


@dataclass(frozen=True, slots=True)
class Span:
    """Where an artifact's files are: its root folder, and its one file if it is a file."""

    root: str
    single: int | None  # tree position of the one file; None: everything below `root`
    own: str | None = None  # the entry's own file, relative to `root`, when it is a file

    def full_path(self, relative: str) -> str:
        return f"{self.root}/{relative}" if self.root else relative


@dataclass(slots=True)
class Totals:
    """An artifact's files that may be taken, and what the listing says of their sizes."""

    files: int = 0
    bytes: int = 0  # sum of the sizes the listing gives
    unsized: int = 0  # files whose size the listing does not give (git: not fetched yet)
    largest: Member | None = None


def scanned_source(session: Session, source_id: str) -> tuple[MarketplaceSource, str]:
    """A detached copy of the source (for a reader) and the commit of its last scan."""
    source = get_source(session, source_id)
    if not source.last_scanned_sha:
        raise Conflict(f"source {source_id!r} has not been scanned yet; scan the source first")
    copy = MarketplaceSource(id=source.id, repo_url=source.repo_url, ref=source.ref,
                             root_hint=source.root_hint, owner=source.owner,
                             repo_name=source.repo_name)
    return copy, source.last_scanned_sha


def locate(tree: RepoTree, ref: EntryRef) -> Span:
    """The artifact's files in `tree`.

    A skill (or any entry whose path is a folder) is every file below that folder. A file
    entry is that one file, except a plugin's `hooks/hooks.json`: its folder holds the scripts
    the hooks run, so the whole `hooks/` folder comes along. A plugin is its whole folder.
    """
    if ref.remote:
        raise Conflict(f"{ref.label} is a plugin in another repository; add that repository "
                       "as a source to browse or import it")
    path = plugin_root(ref.path) if ref.artifact_type == ArtifactType.PLUGIN else ref.path
    path = path.strip("/")
    i = tree.find(path) if path else None
    if path and i is None:
        raise Conflict(f"{ref.path!r} is not in the repository at commit {tree.commit[:12]}; "
                       "rescan the source")
    folder, _, leaf = path.rpartition("/")
    if i is not None and not tree.is_dir(i):
        hooks_dir = ref.artifact_type == "hook" and leaf == "hooks.json" \
            and folder.rpartition("/")[2] == "hooks"
        return Span(folder, None if hooks_dir else i, leaf)
    return Span(path, None)


def walk(tree: RepoTree, span: Span, after: str | None = None) -> Iterator[Member]:
    """The artifact's files (folders left out) in path order, from just after `after`."""
    if span.single is not None:
        entry = tree.entry(span.single)
        leaf = entry.path.rpartition("/")[2]
        if after is None or leaf > after:
            yield Member(leaf, entry, _problem(leaf, entry))
        return
    prefix = f"{span.root}/" if span.root else ""
    positions = tree.span(span.root)
    start = positions.start
    if after is not None:  # the tree is sorted by full path, and so by the part after root
        start = bisect.bisect_right(tree.paths, prefix + after, start, positions.stop)
    for i in range(start, positions.stop):
        if tree.is_dir(i):
            continue
        entry = tree.entry(i)
        relative = entry.path[len(prefix):]
        yield Member(relative, entry, _problem(relative, entry))


def member(tree: RepoTree, span: Span, relative: str) -> Member | None:
    """The file at `relative` when it is one of the artifact's files that may be shown."""
    if path_problem(relative) is not None:
        return None  # no path arithmetic on what a client sent: it is refused as it is
    if span.single is not None:
        entry = tree.entry(span.single)
        if entry.path.rpartition("/")[2] != relative:
            return None
    else:
        i = tree.find(span.full_path(relative))
        if i is None or tree.is_dir(i):
            return None
        entry = tree.entry(i)
    found = Member(relative, entry, _problem(relative, entry))
    return found if found.problem is None else None


def totals(tree: RepoTree, span: Span) -> Totals:
    """Count and size of the files that may be taken, from the listing alone."""
    out = Totals()
    positions = range(span.single, span.single + 1) if span.single is not None \
        else tree.span(span.root)
    prefix = f"{span.root}/" if span.root else ""
    largest, largest_size = -1, -1
    for i in positions:  # straight from the tree's columns: no entry objects for big folders
        if not tree.is_file(i) or path_problem(tree.paths[i][len(prefix):]) is not None:
            continue
        out.files += 1
        size = tree.size(i)
        if size is None:
            out.unsized += 1
            continue
        out.bytes += size
        if size > largest_size:
            largest, largest_size = i, size
    if largest >= 0:
        entry = tree.entry(largest)
        out.largest = Member(entry.path[len(prefix):], entry, None)
    return out


def over_total(t: Totals) -> str | None:
    """The per-artifact size limit: what browsing and importing both refuse past it."""
    if t.bytes > MAX_ARTIFACT_BYTES:
        return f"is larger than {MAX_ARTIFACT_BYTES // 2**20} MB, the limit per artifact"
    return None


def import_problem(t: Totals) -> str | None:
    """Why an import would refuse the artifact, as far as the listing tells; None if not."""
    if t.files > MAX_FILES:
        return f"has {t.files:,} files; at most {MAX_FILES:,} are imported"
    if t.largest is not None and (t.largest.size or 0) > MAX_FILE_BYTES:
        return file_too_large(t.largest.path)
    return over_total(t)


def file_too_large(path: str) -> str:
    return f"holds {path}, larger than {MAX_FILE_BYTES // 2**20} MB, the limit per file"


def main_file(tree: RepoTree, span: Span) -> str | None:
    """The file that describes the artifact: the entry's own file, else a skill's SKILL.md."""
    if span.own is not None:
        return span.own if member(tree, span, span.own) is not None else None
    if member(tree, span, "SKILL.md") is not None:
        return "SKILL.md"
    prefix = f"{span.root}/" if span.root else ""
    for i in tree.span(span.root):  # another letter case: rare, so looked for only now
        relative = tree.paths[i][len(prefix):]
        if relative.lower() == "skill.md" and member(tree, span, relative) is not None:
            return relative
    return None


def _problem(relative: str, entry: TreeEntry) -> str | None:
    if entry.type == "commit":
        return "submodule: its files are in another repository"
    if entry.is_symlink:
        return "symbolic link: never followed nor copied"
    return path_problem(relative)

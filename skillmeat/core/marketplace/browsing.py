"""Look inside a catalog entry: its files at the last scanned commit, a page at a time, and
one file's text.

Like a scan, a browse reads the database in one short transaction, then reads the repository
with no transaction open. A listing reads no file: sizes are what the repository listing
gives. Reading a file reads at most what can be shown, through the blob cache, so a second
look costs no request; its parsed frontmatter is kept by blob id, so it is parsed once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceSource
from skillmeat.config import Settings
from skillmeat.core.cursor import CursorCodec, query_scope
from skillmeat.core.errors import Conflict, NotFound
from skillmeat.core.marketplace.blob_cache import CachedReader, cache_for
from skillmeat.core.marketplace.catalog import get_entry
from skillmeat.core.marketplace.detection.frontmatter import read_frontmatter
from skillmeat.core.marketplace.members import (
    EntryRef,
    Member,
    Totals,
    import_problem,
    locate,
    main_file,
    member,
    over_total,
    scanned_source,
    totals,
    walk,
)
from skillmeat.core.marketplace.readers.factory import open_reader
from skillmeat.core.marketplace.tree import RepoReader
from skillmeat.core.pagination import MAX_PAGE, Page, keyset_page

ReaderFactory = Callable[[MarketplaceSource, Settings], RepoReader]
MAX_VIEW_BYTES = 1_000_000
_SNIFF = 8000
_MARKDOWN = (".md", ".markdown", ".mdx")


def open_cached(source: MarketplaceSource, settings: Settings,
                reader_factory: ReaderFactory = open_reader) -> CachedReader:
    return CachedReader(reader_factory(source, settings), cache_for(settings))


@dataclass(slots=True)
class Listing:
    entry: EntryRef
    commit: str
    root: str
    page: Page[Member]
    main_file: str | None
    totals: Totals
    problem: str | None  # why an import would refuse the artifact, as far as sizes are known


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


def list_files(db: Database, settings: Settings, codec: CursorCodec, source_id: str,
               entry_id: str, *, limit: int = MAX_PAGE, cursor: str | None = None,
               reader_factory: ReaderFactory = open_reader) -> Listing:
    """A page of the entry's files in path order, with the whole artifact's totals."""
    source, commit, ref = _load(db, source_id, entry_id)
    reader = open_cached(source, settings, reader_factory)
    try:
        tree = reader.tree(commit)
    finally:
        reader.close()
    span = locate(tree, ref)
    page = keyset_page(
        codec, query_scope(files=entry_id, source=source_id, commit=commit), cursor, limit,
        key_types=(str,), key=lambda m: (m.path,),
        fetch=lambda after, n: list(islice(walk(tree, span, after[0] if after else None), n)),
    )
    sums = totals(tree, span)
    return Listing(ref, commit, span.root, page, main_file(tree, span), sums,
                   import_problem(sums))


def read_file(db: Database, settings: Settings, source_id: str, entry_id: str, file_path: str,
              *, reader_factory: ReaderFactory = open_reader) -> FileView:
    """One file's text (markdown split into frontmatter and body); binary or huge: flagged."""
    source, commit, ref = _load(db, source_id, entry_id)
    reader = open_cached(source, settings, reader_factory)
    try:
        tree = reader.tree(commit)
        span = locate(tree, ref)
        # Only a listed, plain file of this artifact: no path arithmetic, so no way out of it.
        found = member(tree, span, file_path)
        if found is None:
            raise NotFound(f"no file {file_path!r} in entry {entry_id!r}")
        too_big = over_total(totals(tree, span))
        if too_big:  # the limit an import applies: browsing does not fetch more than it would
            raise Conflict(f"{ref.label} {too_big}; its files are listed but not read")
        view = FileView(path=found.path, size=found.size, sha=found.sha)
        if view.size is not None and view.size > MAX_VIEW_BYTES:
            view.too_large = True
            return view
        full = span.full_path(found.path)
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
        view.frontmatter, view.frontmatter_error, view.body = _FRONTMATTER.read(view.sha, text)
    return view


class _FrontmatterCache:
    """Parsed frontmatter by blob id. Ids name content, so an entry never goes stale; a
    frontmatter that costs a parse (up to the YAML size cap) costs it once per process."""

    def __init__(self, entries: int) -> None:
        self._entries = entries
        self._lock = threading.Lock()
        # sha -> (fields, error, length of the body, a suffix of the text)
        self._parsed: OrderedDict[str, tuple[dict[str, Any] | None, str | None, int]] = \
            OrderedDict()

    def read(self, sha: str, text: str) -> tuple[dict[str, Any] | None, str | None, str]:
        with self._lock:
            hit = self._parsed.get(sha)
            if hit is not None:
                self._parsed.move_to_end(sha)
        if hit is None:
            fields, error, body = read_frontmatter(text)
            hit = (fields, error, len(body))
            with self._lock:
                self._parsed[sha] = hit
                while len(self._parsed) > self._entries:
                    self._parsed.popitem(last=False)
        fields, error, body_length = hit
        return fields, error, text[len(text) - body_length:]


_FRONTMATTER = _FrontmatterCache(64)

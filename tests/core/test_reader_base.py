"""The shape every reader shares, on an in-memory reader and through the disk cache."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from skillmeat.core.marketplace.blob_cache import BlobCache, CachedReader, object_id
from skillmeat.core.marketplace.readers.base import ListingReader
from skillmeat.core.marketplace.tree import SYMLINK_MODE, RepoTree, TreeBuilder

COMMIT = "c" * 40
FILES = {"a.md": b"alpha\n", "copy.md": b"alpha\n", "sub/b.md": b"beta beta\n"}
LINKS = {"link.md": "a.md"}


class DictReader(ListingReader):
    """One commit held in memory, its blobs under their real git ids; counts its work."""

    def __init__(self) -> None:
        super().__init__()
        self.blobs: dict[str, bytes] = {}
        self.listings = 0
        self.fetched: list[list[str]] = []

    def resolve(self) -> str:
        return COMMIT

    def _list(self, commit: str) -> RepoTree:
        self.listings += 1
        builder = TreeBuilder()
        builder.add("sub", "tree", object_id("tree", b""))
        for path, data in {**FILES, **{p: t.encode() for p, t in LINKS.items()}}.items():
            oid = object_id("blob", data)
            self.blobs[oid] = data
            builder.add(path, "blob", oid, len(data), SYMLINK_MODE if path in LINKS else None)
        return builder.build(commit)

    def _blobs(self, commit: str, wanted: Mapping[str, list[str]],
               limit: int | None) -> Iterator[tuple[str, bytes]]:
        self.fetched.append(sorted(wanted))
        for oid in wanted:
            yield oid, self.blobs[oid][:limit] if limit is not None else self.blobs[oid]


def test_reads_list_once_and_return_regular_files_only() -> None:
    with DictReader() as reader:
        got = reader.read(COMMIT, ["a.md", "copy.md", "link.md", "sub", "missing.md"])
        assert got == {"a.md": b"alpha\n", "copy.md": b"alpha\n"}
        assert reader.fetched == [[object_id("blob", b"alpha\n")]]  # one blob, two paths
        assert reader.read(COMMIT, ["sub/b.md"], 4) == {"sub/b.md": b"beta"}
        assert reader.listings == 1
    assert reader.read(COMMIT, []) == {} and reader.listings == 2  # closing forgot the tree


def test_the_cached_reader_fills_the_cache_then_answers_from_it(tmp_path: Path) -> None:
    first = DictReader()
    with CachedReader(first, BlobCache(tmp_path)) as cached:
        cached.tree(COMMIT)
        assert cached.read(COMMIT, ["sub/b.md"], 4) == {"sub/b.md": b"beta"}  # cut: not kept
        assert cached.read(COMMIT, ["a.md", "link.md", "sub/b.md"]) == {
            "a.md": b"alpha\n", "sub/b.md": b"beta beta\n"}
    again = DictReader()
    with CachedReader(again, BlobCache(tmp_path)) as cached:
        assert cached.read(COMMIT, ["a.md", "copy.md", "link.md", "sub/b.md"]) == {
            "a.md": b"alpha\n", "copy.md": b"alpha\n", "sub/b.md": b"beta beta\n"}
    assert (again.listings, again.fetched) == (0, [])

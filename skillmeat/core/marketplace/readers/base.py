"""The shape every repository reader shares: list a tree, then read blobs by path through it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from typing import Self

from skillmeat.core.marketplace.tree import RepoTree


def files_by_id(tree: RepoTree, paths: Iterable[str]) -> dict[str, list[str]]:
    """Object id -> those of `paths` that are regular files holding that blob.

    Folders, submodules and symbolic links are left out: a link's blob is the text of its
    target, never file content, so no reader returns it.
    """
    wanted: dict[str, list[str]] = {}
    for path in dict.fromkeys(paths):
        i = tree.find(path)
        if i is not None and tree.is_file(i):
            wanted.setdefault(tree.sha(i), []).append(path)
    return wanted


class ListingReader(ABC):
    """A RepoReader made of two steps a subclass supplies: list a commit, stream blobs by id.

    Reads look their paths up in the last tree listed (listing the commit first when it is
    another one), so a scan that lists once and reads many batches lists once.
    """

    def __init__(self) -> None:
        self._listed: RepoTree | None = None

    @abstractmethod
    def resolve(self) -> str:
        """The commit sha of the configured ref."""

    @abstractmethod
    def _list(self, commit: str) -> RepoTree:
        """Every path at `commit`, folders and submodules included."""

    @abstractmethod
    def _blobs(self, commit: str, wanted: Mapping[str, list[str]],
               limit: int | None) -> Iterator[tuple[str, bytes]]:
        """(object id, its first `limit` bytes) for each wanted blob that could be read.

        `wanted` maps each object id to the paths (in the tree at `commit`) that hold it.
        """

    def tree(self, commit: str) -> RepoTree:
        tree = self._list(commit)
        self._listed = tree
        return tree

    def listed(self, commit: str) -> RepoTree:
        """The tree at `commit`: the one listed last, or a fresh listing."""
        tree = self._listed
        return tree if tree is not None and tree.commit == commit else self.tree(commit)

    def read(self, commit: str, paths: Iterable[str],
             limit: int | None = None) -> dict[str, bytes]:
        """The bytes of each regular file among `paths`, capped at `limit` each; others left out."""
        return dict(self.stream(commit, paths, limit))

    def stream(self, commit: str, paths: Iterable[str],
               limit: int | None = None) -> Iterator[tuple[str, bytes]]:
        """(path, bytes) of each regular file among `paths` as its blob arrives, capped at
        `limit`: a caller that writes each away holds one blob at a time."""
        wanted = files_by_id(self.listed(commit), paths)
        if wanted:
            for oid, data in self._blobs(commit, wanted, limit):
                for path in wanted.get(oid, ()):
                    yield path, data

    def close(self) -> None:
        self._listed = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

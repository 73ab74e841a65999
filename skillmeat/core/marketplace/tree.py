"""One tree model for every repository reader (GitHub API, git CLI).

A million-file repository must fit in a scan's memory budget, so a tree is stored by column:
paths in one sorted list, object ids packed as binary in one bytearray, sizes in one array
and each entry's type and mode as a one-byte code. `TreeEntry` objects are made only for
the entries somebody asks for.
"""

from __future__ import annotations

import bisect
import operator
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Literal, NamedTuple, Protocol, cast, get_args, overload

EntryType = Literal["blob", "tree", "commit"]  # "commit" is a submodule
ENTRY_TYPES: frozenset[str] = frozenset(get_args(EntryType))
SYMLINK_MODE = "120000"
# A full object id as git prints it: SHA-1 (40 digits) or SHA-256 (64), lower case.
OBJECT_ID = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
# A commit as people write it: abbreviated to at least 4 digits, either case.
COMMIT_PREFIX = re.compile(r"^[0-9a-fA-F]{4,64}$")
_DEFAULT_MODES = {"blob": "100644", "tree": "040000", "commit": "160000"}
_NO_SIZE = -1


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """A path at one commit: blobs carry their size, trees and submodules do not."""

    path: str  # POSIX, relative to the repository root, no leading slash
    type: EntryType
    sha: str  # git object id: blob sha for files, tree sha for directories
    size: int | None = None
    mode: str = "100644"

    @property
    def is_symlink(self) -> bool:
        return self.mode == SYMLINK_MODE


class TreeColumns(NamedTuple):
    """A tree's storage, as the blob cache writes and reads it back."""

    paths: list[str]  # sorted, unique
    oids: bytearray  # `width` bytes per entry
    width: int
    sizes: array[int]  # -1: not given
    codes: bytearray  # index into `kinds`, per entry
    kinds: list[tuple[EntryType, str]]  # (type, mode)


class InvalidObjectId(ValueError):
    """An object id that is not 40 (SHA-1) or 64 (SHA-256) hexadecimal digits."""


class TreeBuilder:
    """Collects entries in any order; `build()` sorts them by path once."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._paths: list[str] = []
        self._oids = bytearray()
        self._width = 0  # bytes per object id, fixed by the first one added
        self._sizes = array("q")
        self._codes = bytearray()
        self._kinds: list[tuple[EntryType, str]] = []
        self._code_of: dict[tuple[str, str], int] = {}

    def __len__(self) -> int:
        return len(self._paths)

    def add(
        self,
        path: str,
        type: EntryType,
        sha: str,
        size: int | None = None,
        mode: str | None = None,
    ) -> None:
        try:
            oid = bytes.fromhex(sha)
        except ValueError:
            raise InvalidObjectId(f"{path}: object id {sha[:80]!r} is not hexadecimal") from None
        if len(sha) != 2 * len(oid):  # fromhex() skips whitespace; an object id has none
            raise InvalidObjectId(f"{path}: object id {sha[:80]!r} is not hexadecimal")
        if len(oid) not in (20, 32) or (self._width and len(oid) != self._width):
            raise InvalidObjectId(f"{path}: object id {sha[:80]!r} has the wrong length")
        if size is not None and not 0 <= size < 1 << 63:
            raise ValueError(f"{path}: size {size} is out of range")
        self._width = len(oid)
        key = (type, mode or _DEFAULT_MODES.get(type, "100644"))
        code = self._code_of.get(key)
        if code is None:
            if len(self._kinds) == 256:
                raise ValueError(f"{path}: too many distinct entry modes")
            code = self._code_of[key] = len(self._kinds)
            self._kinds.append(cast(tuple[EntryType, str], key))
        self._paths.append(path)
        self._oids += oid
        self._sizes.append(_NO_SIZE if size is None else size)
        self._codes.append(code)

    def add_entry(self, entry: TreeEntry) -> None:
        self.add(entry.path, entry.type, entry.sha, entry.size, entry.mode)

    def build(
        self, commit: str, complete: bool = True, problems: list[str] | None = None
    ) -> RepoTree:
        """The tree, sorted by path; a path listed twice keeps its first entry."""
        tree = RepoTree(commit, complete=complete, problems=problems)
        self._fill(tree)
        return tree

    def _fill(self, tree: RepoTree) -> None:
        """Hand the columns, sorted, to `tree`; the builder starts over empty."""
        paths = self._paths
        if not all(map(operator.lt, paths, islice(paths, 1, None))):
            self._sort()
        tree._set_columns(self._paths, self._oids, self._width, self._sizes, self._codes,
                          self._kinds)  # fmt: skip
        self._reset()

    def _sort(self) -> None:
        paths, oids, width = self._paths, self._oids, self._width
        order = sorted(range(len(paths)), key=paths.__getitem__)  # stable: first one wins
        keep: list[int] = []
        last: str | None = None
        for i in order:
            if paths[i] != last:
                keep.append(i)
                last = paths[i]
        del order
        self._paths = [paths[i] for i in keep]
        new_oids = bytearray(len(keep) * width)
        for j, i in enumerate(keep):
            new_oids[j * width : (j + 1) * width] = oids[i * width : (i + 1) * width]
        self._oids = new_oids
        self._sizes = array("q", (self._sizes[i] for i in keep))
        self._codes = bytearray(self._codes[i] for i in keep)


class RepoTree:
    """The listing of one commit. `complete` is False when part of it could not be read.

    Paths are sorted (code point order), so a lookup is a binary search and a folder's
    contents are one contiguous range.
    """

    __slots__ = ("commit", "complete", "problems", "_paths", "_oids", "_width", "_sizes",
                 "_codes", "_kinds", "_flags")  # fmt: skip

    def __init__(
        self,
        commit: str,
        entries: Iterable[TreeEntry] = (),
        complete: bool = True,
        problems: list[str] | None = None,
    ) -> None:
        self.commit = commit
        self.complete = complete
        self.problems: list[str] = problems if problems is not None else []
        builder = TreeBuilder()
        for entry in entries:
            builder.add_entry(entry)
        builder._fill(self)

    def _set_columns(
        self,
        paths: list[str],
        oids: bytearray,
        width: int,
        sizes: array[int],
        codes: bytearray,
        kinds: list[tuple[EntryType, str]],
    ) -> None:
        self._paths, self._oids, self._width = paths, oids, width or 20
        self._sizes, self._codes, self._kinds = sizes, codes, kinds
        # Per code: 1 = regular file (not a link), 2 = folder.
        self._flags = bytes(
            (1 if kind == "blob" and mode != SYMLINK_MODE else 0) | (2 if kind == "tree" else 0)
            for kind, mode in kinds
        )

    @classmethod
    def from_columns(cls, commit: str, columns: TreeColumns, complete: bool = True) -> RepoTree:
        """A tree from stored columns; ValueError when they do not fit together."""
        paths, oids, width, sizes, codes, kinds = columns
        n = len(paths)
        if width not in (20, 32) or len(oids) != n * width or len(sizes) != n \
                or len(codes) != n or any(c >= len(kinds) for c in set(codes)) \
                or any(kind not in ENTRY_TYPES for kind, _mode in kinds) \
                or not all(map(operator.lt, paths, islice(paths, 1, None))):
            raise ValueError("tree columns do not fit together")
        tree = cls(commit, complete=complete)
        tree._set_columns(paths, oids, width, sizes, codes, kinds)
        return tree

    def columns(self) -> TreeColumns:
        return TreeColumns(self._paths, self._oids, self._width, self._sizes, self._codes,
                           self._kinds)

    # -- whole-tree views -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._paths)

    @property
    def paths(self) -> Sequence[str]:
        """Every path, sorted. Read-only by convention: it is the tree's own list."""
        return self._paths

    @property
    def entries(self) -> TreeEntries:
        return TreeEntries(self)

    def __repr__(self) -> str:
        return f"RepoTree(commit={self.commit!r}, entries={len(self)}, complete={self.complete})"

    # -- one entry --------------------------------------------------------------------------

    def find(self, path: str) -> int | None:
        """The position of `path`, or None."""
        paths = self._paths
        i = bisect.bisect_left(paths, path)
        return i if i < len(paths) and paths[i] == path else None

    def get(self, path: str) -> TreeEntry | None:
        i = self.find(path)
        return None if i is None else self.entry(i)

    def entry(self, i: int) -> TreeEntry:
        kind, mode = self._kinds[self._codes[i]]
        size = self._sizes[i]
        return TreeEntry(self._paths[i], kind, self.sha(i), None if size < 0 else size, mode)

    def size(self, i: int) -> int | None:
        """A blob's size when the listing gave it."""
        size = self._sizes[i]
        return None if size < 0 else size

    def sha(self, i: int) -> str:
        width = self._width
        return self._oids[i * width : (i + 1) * width].hex()

    def type(self, i: int) -> EntryType:
        return self._kinds[self._codes[i]][0]

    def mode(self, i: int) -> str:
        return self._kinds[self._codes[i]][1]

    def is_file(self, i: int) -> bool:
        """A regular file: a blob that is not a symbolic link."""
        return bool(self._flags[self._codes[i]] & 1)

    def is_dir(self, i: int) -> bool:
        return bool(self._flags[self._codes[i]] & 2)

    def span(self, folder: str) -> range:
        """Positions of everything below `folder` ("" is the whole tree)."""
        if not folder:
            return range(len(self._paths))
        prefix = folder + "/"
        start = bisect.bisect_left(self._paths, prefix)
        end = bisect.bisect_left(self._paths, folder + "0", start)  # "0" follows "/"
        return range(start, end)

    def file_flags(self) -> Iterator[tuple[str, int]]:
        """(path, flags) for every entry: bit 1 = regular file, 2 = folder, 0 = other."""
        flags, codes = self._flags, self._codes
        return zip(self._paths, (flags[c] for c in codes), strict=True)


class TreeEntries(Sequence[TreeEntry]):
    """A tree's entries as `TreeEntry` objects, made as they are read."""

    __slots__ = ("_tree",)

    def __init__(self, tree: RepoTree) -> None:
        self._tree = tree

    def __len__(self) -> int:
        return len(self._tree)

    @overload
    def __getitem__(self, i: int) -> TreeEntry: ...
    @overload
    def __getitem__(self, i: slice) -> list[TreeEntry]: ...
    def __getitem__(self, i: int | slice) -> TreeEntry | list[TreeEntry]:
        if isinstance(i, slice):
            return [self._tree.entry(j) for j in range(len(self._tree))[i]]
        if i < 0:
            i += len(self._tree)
        if not 0 <= i < len(self._tree):
            raise IndexError(i)
        return self._tree.entry(i)

    def __iter__(self) -> Iterator[TreeEntry]:
        return map(self._tree.entry, range(len(self._tree)))


class RepoReader(Protocol):
    """What scanning needs from a repository, whichever way it is reached."""

    def resolve(self) -> str:
        """Resolve the configured ref to a commit sha."""
        ...

    def tree(self, commit: str) -> RepoTree: ...

    def read(
        self, commit: str, paths: Iterable[str], limit: int | None = None
    ) -> Mapping[str, bytes]:
        """The bytes of each regular file among `paths`, capped at `limit` bytes each."""
        ...

    def close(self) -> None: ...


__all__ = [
    "COMMIT_PREFIX",
    "ENTRY_TYPES",
    "EntryType",
    "InvalidObjectId",
    "OBJECT_ID",
    "RepoReader",
    "RepoTree",
    "SYMLINK_MODE",
    "TreeBuilder",
    "TreeColumns",
    "TreeEntries",
    "TreeEntry",
]

"""One tree model for every repository reader (GitHub API, git CLI)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

EntryType = Literal["blob", "tree", "commit"]  # "commit" is a submodule
SYMLINK_MODE = "120000"


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


@dataclass(slots=True)
class RepoTree:
    """The listing of one commit. `complete` is False when part of it could not be read."""

    commit: str
    entries: list[TreeEntry]
    complete: bool = True
    problems: list[str] = field(default_factory=list)


# Reads blobs by path; returns only the paths it could read. `limit` caps bytes per blob
# (detection needs the frontmatter of markdown files, not whole documents).
ContentReader = Callable[[Iterable[str], int | None], Mapping[str, bytes]]


class RepoReader(Protocol):
    """What scanning needs from a repository, whichever way it is reached."""

    def resolve(self) -> str:
        """Resolve the configured ref to a commit sha."""
        ...

    def tree(self, commit: str) -> RepoTree: ...

    def read(
        self, commit: str, paths: Iterable[str], limit: int | None = None
    ) -> Mapping[str, bytes]: ...

    def close(self) -> None: ...

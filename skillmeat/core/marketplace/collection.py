"""The local collection directory: safe names, staged writes, and atomic placement.

Everything that reaches the disk is staged in a private directory inside the collection (same
filesystem), then moved into place with one rename, so a reader of the collection sees a whole
artifact or none of it. Names and paths come from repositories and are treated as hostile.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import time
import uuid
from pathlib import Path

from skillmeat.core.errors import Conflict
from skillmeat.core.marketplace.vocabulary import ConflictStrategy, ImportOutcome

MAX_NAME = 100
MAX_COMPONENT_BYTES = 255
STAGING = ".skillmeat-staging"
STALE_STAGING_SECONDS = 24 * 3600
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f/\\]")
_SLUG_DROP = re.compile(r"[^\w.-]+")
# Characters macOS (HFS+) ignores in names, so ".g\u200cit" opens ".git" there.
_IGNORED_IN_NAMES = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")


def is_safe_name(name: str) -> bool:
    """One plain path component: no separators, control characters, or leading dot."""
    return (
        0 < len(name) <= MAX_NAME
        and name == name.strip()
        and not name.startswith(".")  # no "..", no hidden files next to the staging area
        and not _UNSAFE_CHARS.search(name)
        and len(name.encode()) <= MAX_COMPONENT_BYTES
        and not is_git_name(name)
    )


def safe_name(name: str, fallback: str) -> str:
    """`name` when it is safe as a directory name, else a slug of it, else `fallback`."""
    if is_safe_name(name):
        return name
    slug = _SLUG_DROP.sub("-", name).strip(".-_")[:MAX_NAME].rstrip(".-_")
    return slug if is_safe_name(slug) else fallback


def is_git_name(part: str) -> bool:
    """Whether a file system could take `part` for git's own `.git`: any letter case, and
    the forms Windows and macOS resolve to it (trailing dots or spaces, `.git::$DATA`-style
    stream names, the 8.3 name `git~1`, ignorable Unicode characters)."""
    name = _IGNORED_IN_NAMES.sub("", part).split(":", 1)[0].rstrip(". ").casefold()
    return name in (".git", "git~1")


def path_problem(path: str) -> str | None:
    """Why a repository path may not be shown as a file nor written; None when it may.

    The one rule for every reader and writer of repository paths: a relative POSIX path of
    plain names (dotfiles allowed), none of them `.git`. A `.git` folder or file (a gitdir
    pointer) in the collection would configure git for whoever runs it there: a planted
    `core.fsmonitor` runs a command on the next `git status` or shell prompt.
    """
    parts = path.split("/")
    if not path or any(
        part in ("", ".", "..") or _UNSAFE_CHARS.search(part)
        or len(part.encode()) > MAX_COMPONENT_BYTES for part in parts
    ):
        return "unsafe path: separators, '..' or control characters"
    if any(is_git_name(part) for part in parts):
        return "a .git path: git's own files are never shown nor copied"
    return None


def safe_relpath(path: str) -> bool:
    return path_problem(path) is None


class Collection:
    """The collection directory; all writes go through here and stay below `root`."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()
        self.staging = self.root / STAGING

    def inside(self, relative: str) -> Path:
        """`root/relative`, refused when it would resolve outside the collection."""
        target = self.root / relative
        if not target.resolve().is_relative_to(self.root) or self.staging in target.parents:
            raise Conflict(f"refusing to write {relative!r}: it resolves outside the collection")
        return target

    def new_stage(self) -> Path:
        stage = self.staging / uuid.uuid4().hex
        for _attempt in range(5):
            try:
                # parents: another import may have just tidied staging away (even mid-mkdir)
                stage.mkdir(parents=True)
                break
            except FileNotFoundError:
                continue
        else:
            stage.mkdir(parents=True)
        return stage

    def write(self, stage: Path, relative: str, data: bytes, *, executable: bool) -> None:
        """Write one file below `stage`; `relative` must already be a safe relative path."""
        problem = path_problem(relative)
        if problem:
            raise Conflict(f"refusing to write {relative!r}: {problem}")
        target = stage / relative
        if not target.resolve().is_relative_to(stage.resolve()):
            raise Conflict(f"refusing to write {relative!r}: it resolves outside the artifact")
        target.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL|O_NOFOLLOW: never write through a link or over a file we did not just create.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(target, flags, 0o755 if executable else 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    def place(self, staged: Path, relative: str, strategy: ConflictStrategy,
              written: set[str]) -> tuple[ImportOutcome, str]:
        """Move `staged` to `relative`, settling a clash by `strategy`; returns where it went.

        `written` holds targets placed earlier in the same import: those are never
        overwritten (two entries with one name would replace each other), only renamed.
        """
        target = self.inside(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if strategy == ConflictStrategy.OVERWRITE and relative not in written \
                and os.path.lexists(target):
            self._replace(staged, target)
            return ImportOutcome.OVERWRITTEN, relative
        if _claim(staged, target):
            return ImportOutcome.IMPORTED, relative
        if strategy == ConflictStrategy.SKIP:
            return ImportOutcome.SKIPPED, relative
        for n in range(2, 10_000):
            candidate = _numbered(relative, n, staged.is_dir())
            if _claim(staged, self.inside(candidate)):
                return ImportOutcome.RENAMED, candidate
        raise Conflict(f"no free name left for {relative!r} in the collection")

    def put(self, staged: Path, relative: str, *, replace: bool) -> None:
        """Move `staged` to `relative`, replacing what is there only when `replace`; the
        caller holds the collection's write lock and has chosen the name."""
        target = self.inside(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if replace and os.path.lexists(target):
            self._replace(staged, target)
        elif not _claim(staged, target):
            raise Conflict(f"{relative} appeared while it was being imported; retry")

    def _replace(self, staged: Path, target: Path) -> None:
        # Old aside, new in, old deleted: at every instant the target is whole or absent.
        aside = self.staging / f"old-{uuid.uuid4().hex}"
        try:
            os.rename(target, aside)
        except FileNotFoundError:  # gone meanwhile: nothing left to replace
            if not _claim(staged, target):
                raise Conflict(
                    f"{target.name} appeared while it was being replaced; retry") from None
            return
        try:
            if not _claim(staged, target):
                raise Conflict(f"{target.name} reappeared while it was being replaced; retry")
        except BaseException:
            if not os.path.lexists(target):
                os.rename(aside, target)
            raise
        fsync_dir(target.parent)
        discard(aside)

    def tidy(self) -> None:
        """Remove the staging directory once no import is using it."""
        try:
            self.staging.rmdir()
        except OSError:
            pass  # absent, or another import is staging right now

    def sweep(self) -> None:
        """Remove staging left by imports that died (older than a day, so not running ones)."""
        cutoff = time.time() - STALE_STAGING_SECONDS
        try:
            # Listed at once: another import's tidy() may remove the folder at any moment.
            items = list(self.staging.iterdir())
        except FileNotFoundError:
            return
        for item in items:
            try:
                if item.lstat().st_mtime < cutoff:
                    discard(item)
            except FileNotFoundError:
                pass


def discard(path: Path) -> None:
    """Delete a staged file or directory (never following links)."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _claim(staged: Path, target: Path) -> bool:
    """Move `staged` to `target` unless something is already there; False when it is."""
    if staged.is_dir():
        if os.path.lexists(target) and not _empty_dir(target):
            return False
        try:
            os.rename(staged, target)  # refuses a non-empty directory and files atomically
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR):
                return False
            raise
    else:
        try:
            os.link(staged, target)  # fails if the name exists: no window to clobber it
        except FileExistsError:
            return False
        except OSError:
            # No hard links on this filesystem: check, then rename (a narrow window remains).
            if os.path.lexists(target):
                return False
            os.rename(staged, target)
        else:
            staged.unlink()
    fsync_dir(target.parent)
    return True


def _empty_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and not any(path.iterdir())


def _numbered(relative: str, n: int, is_dir: bool) -> str:
    """skills/pdf -> skills/pdf-2; commands/deploy.md -> commands/deploy-2.md."""
    stem, ext = (relative, "") if is_dir else os.path.splitext(relative)
    return f"{stem}-{n}{ext}"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

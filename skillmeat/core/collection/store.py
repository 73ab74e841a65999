"""The collection as a git repository changed one whole step at a time.

A change (an import, an update, a removal) runs under a file lock held across processes and
is written to a journal before anything moves: unit folders are placed (one rename each),
marketplace.json and the lock file are replaced (atomically), then one git commit records it
with the change id as a trailer. Whoever takes the lock next and finds a journal either
finishes the change (its commit exists: only the catalog still has to hear of it) or rolls the
touched paths back to the last commit. Either way `verify` accepts what is left.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from skillmeat.config import Settings
from skillmeat.core.collection.manifest import (
    LOCK,
    MARKETPLACE,
    UnitRecord,
    read_lock,
    write_atomic,
    write_records,
)
from skillmeat.core.errors import Conflict
from skillmeat.core.marketplace.collection import STAGING, Collection, discard
from skillmeat.core.marketplace.readers.git_process import git_env

LOCK_FILE = ".skillmeat.lock"
JOURNAL = ".skillmeat-journal.json"
TRAILER = "SkillMeat-Change:"
IDENTITY = ("-c", "user.name=SkillMeat", "-c", "user.email=skillmeat@localhost",
            "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null")
GIT_TIMEOUT = 120
LOOSE_BEFORE_PACK = 256


@dataclass
class Change:
    """One step: what it touches and what the catalog must learn once it is committed."""

    op: str  # "import" | "remove" | "migrate"
    message: str
    paths: list[str]  # unit folders, relative to the collection
    catalog: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: f"chg_{uuid.uuid4().hex[:20]}")


# Called with a committed change so the catalog agrees (also when recovery finishes one).
Finisher = Callable[[Change], None]
# For a migration: old layout paths ("skills/pdf") -> what the catalog knows of their origin.
Provenance = Callable[[], dict[str, dict[str, Any]]]


class Store:
    """The collection directory with git, a cross-process lock and a journal."""

    def __init__(self, settings: Settings, provenance: Provenance | None = None) -> None:
        self.settings = settings
        self.provenance = provenance
        self.files = Collection(settings.resolved_collection_dir)
        self.root = self.files.root

    # -- reading ----------------------------------------------------------------------------

    def units(self) -> dict[str, UnitRecord]:
        return read_lock(self.root)

    # -- the lock and the journal -----------------------------------------------------------

    @contextmanager
    def locked(self, finish: Finisher | None = None) -> Iterator[Store]:
        """Hold the collection's write lock; set it up and recover an interrupted change."""
        fd = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._ensure_repository()
            self.recover(finish)
            yield self
        finally:
            os.close(fd)  # releases the lock

    def recover(self, finish: Finisher | None) -> None:
        journal = self.root / JOURNAL
        try:
            change = Change(**json.loads(journal.read_bytes()))
        except FileNotFoundError:
            return
        except (ValueError, TypeError):
            change = None  # torn while written: nothing had moved yet
        if change is not None:
            (self.root / ".git" / "index.lock").unlink(missing_ok=True)  # a git killed mid-way
            if self.committed(change.id):
                if finish is None and change.catalog:
                    return  # the files are settled; leave it for a caller that can tell the catalog
                if finish is not None:
                    finish(change)
            else:
                self.rollback(change.paths)
        journal.unlink(missing_ok=True)
        self.files.sweep()

    def apply(self, change: Change, place: Callable[[], dict[str, UnitRecord]],
              finish: Finisher | None) -> None:
        """Run one change: journal, `place()` (moves folders, returns the new lock), records,
        commit, catalog, journal gone. A failure before the commit rolls the paths back; one
        after it (or an interruption) leaves the journal for recovery to finish."""
        journal = self.root / JOURNAL
        write_atomic(journal, json.dumps(asdict(change)).encode())
        try:
            units = place()
            write_records(self.root, self.settings.marketplace_name,
                          self.settings.marketplace_owner, units)
            self.commit(change)
        except Exception:
            if not self.committed(change.id):
                self.rollback(change.paths)
                journal.unlink(missing_ok=True)
                raise
        if finish is not None:
            finish(change)
        journal.unlink(missing_ok=True)

    def pack(self, at_least: int = LOOSE_BEFORE_PACK) -> None:
        """Pack loose objects once there are `at_least`: a clone then streams packed
        objects instead of compressing thousands of loose ones (where a shallow clone's
        time went). Run after a change has been answered, and before serving a fetch."""
        counted = self.git("count-objects", check=False).stdout.split()
        loose = int(counted[0]) if counted and counted[0].isdigit() else 0
        if loose >= max(at_least, 1):
            self.git("repack", "-d", "-q", check=False)

    # -- git --------------------------------------------------------------------------------

    def git(self, *args: str, check: bool = True,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(["git", *IDENTITY, "-C", str(self.root), *args],
                              env={**git_env(""), **(env or {})}, capture_output=True, text=True,
                              timeout=GIT_TIMEOUT, check=False)
        if check and proc.returncode != 0:
            raise Conflict(f"git {args[0]} failed in the collection: "
                           f"{proc.stderr.strip()[:300]}")
        return proc

    def commit(self, change: Change) -> None:
        paths = [*change.paths, MARKETPLACE, LOCK]
        # -f: a unit's own .gitignore must not keep its files out of what teams clone.
        self.git("add", "-A", "-f", "--", *paths)
        self.git("commit", "-q", "--allow-empty", "-m",
                 f"{change.message}\n\n{TRAILER} {change.id}", "--", *paths)

    def committed(self, change_id: str) -> bool:
        proc = self.git("log", "-1", "--format=%B", check=False)
        return proc.returncode == 0 and f"{TRAILER} {change_id}" in proc.stdout

    def rollback(self, paths: list[str]) -> None:
        """Put `paths` and both records back as the last commit has them."""
        every = [*paths, MARKETPLACE, LOCK]
        for rel in every:
            discard(self.files.inside(rel))
        self.git("reset", "-q", "--", *every, check=False)
        tracked = self.git("ls-tree", "--name-only", "HEAD", "--", *every, check=False)
        known = [p for p in tracked.stdout.splitlines() if p]
        if known:
            self.git("checkout", "-q", "HEAD", "--", *known)

    def backup(self, paths: list[str], branch: str, message: str) -> None:
        """Commit the working copy of `paths` on top of HEAD to a new `branch`, through an
        index of its own: HEAD, the index and the files stay as they are."""
        index = self.root / ".git" / f"skillmeat-backup-{uuid.uuid4().hex}.index"
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            self.git("read-tree", "HEAD", env=env)
            self.git("add", "-A", "-f", "--", *paths, env=env)
            tree = self.git("write-tree", env=env).stdout.strip()
            sha = self.git("commit-tree", tree, "-p", "HEAD", "-m", message).stdout.strip()
            self.git("branch", branch, sha)
        finally:
            index.unlink(missing_ok=True)

    def committed_files(self, folder: str) -> dict[str, tuple[bytes, bool]]:
        """Relative path -> (content, executable) of `folder`'s files as HEAD has them."""
        listed = self.git("ls-tree", "-r", "-z", "HEAD", "--", f"{folder}/").stdout
        entries = []
        for item in filter(None, listed.split("\0")):
            meta, path = item.split("\t", 1)
            mode, kind, oid = meta.split()
            if kind == "blob" and mode != "120000":
                entries.append((path[len(folder) + 1:], oid, mode == "100755"))
        if not entries:
            return {}
        proc = subprocess.run(["git", "-C", str(self.root), "cat-file", "--batch"],
                              input="".join(f"{oid}\n" for _p, oid, _x in entries).encode(),
                              env=git_env(""), capture_output=True, timeout=GIT_TIMEOUT,
                              check=True)
        out: dict[str, tuple[bytes, bool]] = {}
        data, at = proc.stdout, 0
        for path, _oid, executable in entries:
            end = data.index(b"\n", at)
            size = int(data[at:end].split()[2])
            out[path] = (data[end + 1:end + 1 + size], executable)
            at = end + 1 + size + 1
        return out

    def head(self) -> str | None:
        proc = self.git("rev-parse", "-q", "--verify", "HEAD", check=False)
        return proc.stdout.strip() or None

    def _ensure_repository(self) -> None:
        if not (self.root / ".git").exists():
            self.git("init", "-q", "-b", "main")
        exclude = self.root / ".git" / "info" / "exclude"
        wanted = f"/{STAGING}/\n/{LOCK_FILE}\n/{JOURNAL}\n/.claude-plugin/.*.tmp\n"
        if not exclude.exists() or exclude.read_text() != wanted:
            write_atomic(exclude, wanted.encode())
        if self.head() is None:
            from skillmeat.core.collection.migration import migrate

            migrate(self)

"""The git reader's cache: one bare, shallow, blobless partial clone per repository URL."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from skillmeat.core.marketplace.readers.deadline import NO_DEADLINE, Deadline
from skillmeat.core.marketplace.readers.errors import ReaderError, RefNotFound
from skillmeat.core.marketplace.readers.git_process import (
    is_unreachable,
    run_git,
    stderr_summary,
    stream_git,
    unreachable,
)
from skillmeat.core.marketplace.tree import OBJECT_ID

log = logging.getLogger(__name__)

# Fetched commits are kept under this namespace: it records what the cache holds without
# reading objects (reading a missing object in a partial clone would fetch it).
_KEPT = "refs/skillmeat/"
# Local repositories do not allow filtered or by-sha fetches unless their upload-pack is told to.
_LOCAL_UPLOAD_PACK = (
    "git -c uploadpack.allowFilter=true -c uploadpack.allowAnySHA1InWant=true upload-pack"
)


class PartialClone:
    """A bare partial clone under `cache_dir`, shared by every reader of one URL.

    Commits arrive shallow and without blobs; a blob arrives when it is first read. A file
    lock keeps fetches into one repository from overlapping, across processes too.
    """

    def __init__(self, url: str, local: bool, cache_dir: Path, timeout: float,
                 protocols: str, deadline: Deadline = NO_DEADLINE) -> None:
        self.url, self.local, self.timeout = url, local, timeout
        self.deadline = deadline  # the reader's: no git call of this clone runs past it
        self.protocols = protocols  # the transports a fetch from `url` may use
        self.cache_dir = cache_dir
        key = hashlib.sha256(url.encode()).hexdigest()[:24]
        self.git_dir = cache_dir / f"{key}.git"
        self._lock_path = cache_dir / f"{key}.lock"
        self.refnames: dict[str, str] = {}  # commit -> the ref name it was resolved from
        self._present: dict[bytes, int] | None = None  # blob id -> size, for blobs held

    def _git(self, args: list[str], git_dir: Path | None, **kwargs: Any,
             ) -> subprocess.CompletedProcess[bytes]:
        return run_git(args, git_dir, timeout=self.timeout, deadline=self.deadline, **kwargs)

    def forget(self) -> None:
        """Drop what was learnt about the object store (it changes under other readers)."""
        self._present = None

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+b") as handle:
            # Another reader may be fetching from a host that hangs: wait for it only until
            # our own deadline (its deadline ends its fetch and frees the lock).
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    self.deadline.check()
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _ready(self) -> bool:
        config = self.git_dir / "config"
        return config.exists() and b"[skillmeat]" in config.read_bytes()

    def _init_repo(self, object_format: str) -> None:
        """Create the repository (call with the lock held).

        It is built under a temporary name and renamed into place, so a reader that does
        not hold the lock never sees a half-made repository.
        """
        if self._ready():
            return
        staging = self.git_dir.with_name(f"{self.git_dir.name}.init-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        self._git(["init", "--bare", "--quiet", f"--object-format={object_format}", str(staging)],
                  None)
        settings = [
            ("core.repositoryFormatVersion", "1"),
            ("core.logAllRefUpdates", "false"),
            ("remote.origin.url", self.url),
            ("remote.origin.promisor", "true"),
            ("remote.origin.partialCloneFilter", "blob:none"),
            ("extensions.partialClone", "origin"),
            ("fetch.writeCommitGraph", "false"),
        ]
        if self.local:
            settings.append(("remote.origin.uploadpack", _LOCAL_UPLOAD_PACK))
        settings.append(("skillmeat.url", self.url))  # written last: marks a finished setup
        for key, value in settings:
            self._git(["config", key, value], staging)
        shutil.rmtree(self.git_dir, ignore_errors=True)  # an unfinished earlier attempt
        os.replace(staging, self.git_dir)

    def _has_commit(self, commit: str) -> bool:
        if not self._ready():
            return False
        proc = self._git(["for-each-ref", "--format=%(objectname)", f"{_KEPT}{commit}"],
                         self.git_dir)
        return bool(proc.stdout.strip())

    def _fetch(self, refspec: str) -> subprocess.CompletedProcess[bytes]:
        args = [
            "fetch", "--quiet", "--no-tags", "--no-recurse-submodules",
            "--depth", "1", "--filter=blob:none", "--", "origin", refspec,
        ]  # fmt: skip
        return self._git(args, self.git_dir, check=False, protocols=self.protocols)

    def ensure_commit(self, commit: str) -> None:
        """Fetch `commit` (shallow, without blobs) unless the cache holds it already."""
        commit = commit.lower()
        if not OBJECT_ID.match(commit):
            raise RefNotFound(f"'{commit}' is not a full commit sha")
        if self._has_commit(commit):
            return
        with self._locked():
            self._init_repo("sha256" if len(commit) == 64 else "sha1")
            if self._has_commit(commit):
                return
            proc = self._fetch(f"+{commit}:{_KEPT}{commit}")
            if proc.returncode == 0 and self._has_commit(commit):
                return
            refname = self.refnames.get(commit)
            if refname:
                # Some servers refuse to send a commit by sha; fetch the ref it came from.
                by_name = self._fetch(refname)
                if by_name.returncode == 0:
                    head = (self.git_dir / "FETCH_HEAD").read_text().split("\t", 1)[0].strip()
                    if head == commit:
                        self._git(["update-ref", f"{_KEPT}{commit}", commit], self.git_dir)
                        return
                    raise ReaderError(f"ref '{refname}' moved while reading {self.url}; retry")
                proc = by_name
        if is_unreachable(proc.stderr):
            raise unreachable(self.url, proc.stderr)
        raise RefNotFound(
            f"commit {commit} not found in {self.url} ({stderr_summary(proc.stderr)})"
        )

    def blob_sizes(self) -> dict[bytes, int]:
        """Sizes of the blobs the cache holds; others are only fetched when read.

        Lists the cache's own object store, so nothing is fetched here (asking about one
        missing object in a partial clone would fetch it).
        """
        sizes: dict[bytes, int] = {}
        args = ["cat-file", "--batch-all-objects", "--unordered",
                "--batch-check=%(objecttype) %(objectname) %(objectsize)"]  # fmt: skip
        with stream_git(args, self.git_dir, timeout=self.timeout,
                        deadline=self.deadline) as listing:
            for line in listing:
                if line.startswith(b"blob "):
                    _, oid, size = line.split()
                    sizes[bytes.fromhex(oid.decode())] = int(size)
        self._present = sizes
        return sizes

    def prefetch(self, oids: Iterable[str]) -> None:
        """Fetch the blobs the cache lacks in one request, not one round-trip each."""
        present = self._present if self._present is not None else self.blob_sizes()
        needed = [oid for oid in oids if bytes.fromhex(oid) not in present]
        if not needed:
            return
        args = [
            "-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet", "--no-tags",
            "--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none",
            "--stdin", "origin",
        ]  # fmt: skip
        with self._locked():
            proc = self._git(args, self.git_dir, check=False, protocols=self.protocols,
                             input="".join(f"{oid}\n" for oid in needed).encode())
        if proc.returncode != 0:
            # cat-file still fetches each missing blob lazily; slower, but it may succeed.
            log.warning("batch blob fetch from %s failed: %s", self.url,
                        stderr_summary(proc.stderr))
            return
        present.update((bytes.fromhex(oid), -1) for oid in needed)  # size unknown, not needed

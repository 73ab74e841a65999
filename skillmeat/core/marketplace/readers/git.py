"""Read any git repository (URL or local path) through the git CLI, one shallow blobless commit."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

from skillmeat.core.errors import InvalidInput
from skillmeat.core.marketplace.readers.errors import (
    ReaderError,
    ReaderUnavailable,
    RefNotFound,
)
from skillmeat.core.marketplace.readers.git_process import (
    git_command,
    git_env,
    is_unreachable,
    run_git,
    stderr_summary,
    stream_git,
    unreachable,
)
from skillmeat.core.marketplace.tree import EntryType, RepoTree, TreeBuilder
from skillmeat.core.marketplace.urls import LOCAL_REFUSED, classify_git_url

log = logging.getLogger(__name__)

_FULL_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_SHORT_SHA = re.compile(r"^[0-9a-f]{4,63}$")
# Fetched commits are kept under this namespace: it records what the cache holds without
# reading objects (reading a missing object in a partial clone would fetch it).
_KEPT = "refs/skillmeat/"
# Local repositories do not allow filtered or by-sha fetches unless their upload-pack is told to.
_LOCAL_UPLOAD_PACK = (
    "git -c uploadpack.allowFilter=true -c uploadpack.allowAnySHA1InWant=true upload-pack"
)
_TYPES = {"blob", "tree", "commit"}


class GitReader:
    """RepoReader over the git CLI; the cache keeps one bare partial clone per URL."""

    def __init__(
        self,
        url_or_path: str,
        ref: str | None = None,
        cache_dir: Path | str | None = None,
        *,
        timeout: float = 600.0,
        allow_local: bool = True,  # the server passes its own answer; the CLI runs locally
    ) -> None:
        try:
            address = classify_git_url(url_or_path)  # the same decision the URL parser makes
        except InvalidInput as exc:
            raise ReaderError(exc.detail) from None
        if address.local and not allow_local:
            raise ReaderError(LOCAL_REFUSED)
        self.url, self.local, self.protocols = address.url, address.local, address.protocols
        self.ref = ref or None  # None: the remote's HEAD
        if cache_dir is None:
            from skillmeat.config import get_settings

            cache_dir = get_settings().git_cache_dir
        self.cache_dir = Path(cache_dir)
        key = hashlib.sha256(self.url.encode()).hexdigest()[:24]
        self.git_dir = self.cache_dir / f"{key}.git"
        self._lock_path = self.cache_dir / f"{key}.lock"
        self.timeout = timeout
        self._refnames: dict[str, str] = {}  # commit -> the ref name it was resolved from
        self._tree: RepoTree | None = None  # the last tree listed: reads look paths up in it
        self._present: dict[bytes, int] | None = None  # blob id -> size, for blobs in the cache

    # -- RepoReader -------------------------------------------------------------------------

    def resolve(self) -> str:
        """The commit sha of the configured ref, asked of the remote without fetching."""
        ref = self.ref
        if ref and _FULL_SHA.match(ref.lower()):
            sha = ref.lower()
            self._ensure_commit(sha)
            return sha
        patterns = [ref, f"{ref}^{{}}"] if ref else ["HEAD"]
        proc = run_git(["ls-remote", "--", self.url, *patterns], timeout=self.timeout,
                       check=False, protocols=self.protocols)
        if proc.returncode != 0:
            if is_unreachable(proc.stderr):
                raise unreachable(self.url, proc.stderr)
            raise ReaderError(f"cannot list refs of {self.url}: {stderr_summary(proc.stderr)}")
        refs: dict[str, str] = {}
        for line in proc.stdout.decode("utf-8", "replace").splitlines():
            sha, _, name = line.partition("\t")
            refs[name] = sha
        for name in _candidates(ref):
            found = refs.get(f"{name}^{{}}") or refs.get(name)  # annotated tags: the commit
            if found:
                self._refnames[found] = name
                return found
        if ref is None:
            raise RefNotFound(f"repository {self.url} has no commits (HEAD does not resolve)")
        if _SHORT_SHA.match(ref.lower()):
            raise RefNotFound(
                f"ref '{ref}' not found in {self.url}; give a commit as its full 40-character sha"
            )
        raise RefNotFound(f"ref '{ref}' not found in {self.url}")

    def tree(self, commit: str) -> RepoTree:
        """Every path at `commit`, directories and submodules included."""
        self._ensure_commit(commit)
        sizes = self._present_blobs()
        builder = TreeBuilder()
        problems: list[str] = []
        args = ["ls-tree", "-r", "-t", "-z", commit]
        with stream_git(args, self.git_dir, timeout=self.timeout) as listing:
            for record in _records(listing):
                _add_record(builder, record, sizes, problems)
        self._tree = builder.build(commit, complete=not problems, problems=problems)
        return self._tree

    def read(
        self, commit: str, paths: Iterable[str], limit: int | None = None
    ) -> Mapping[str, bytes]:
        """The bytes of each readable regular file among `paths`, capped at `limit` each."""
        tree = self._tree if self._tree is not None and self._tree.commit == commit \
            else self.tree(commit)
        wanted: dict[str, list[str]] = {}
        for path in paths:
            i = tree.find(path)
            if i is None or not tree.is_file(i):
                continue
            wanted.setdefault(tree.sha(i), []).append(path)
        if not wanted:
            return {}
        self._prefetch(wanted.keys())
        out: dict[str, bytes] = {}
        for oid, data in self._cat_batch(list(wanted), limit):
            for path in wanted[oid]:
                out[path] = data
        return out

    def close(self) -> None:
        self._tree = None
        self._present = None

    def __enter__(self) -> GitReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- cache repository -------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold this URL's cache lock: git fetches into one repository must not overlap."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _ready(self) -> bool:
        config = self.git_dir / "config"
        return config.exists() and b"[skillmeat]" in config.read_bytes()

    def _init_repo(self, object_format: str) -> None:
        """Create the bare partial-clone repository (call with the lock held).

        It is built under a temporary name and renamed into place, so a reader that does
        not hold the lock never sees a half-made repository.
        """
        if self._ready():
            return
        staging = self.git_dir.with_name(f"{self.git_dir.name}.init-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        run_git(["init", "--bare", "--quiet", f"--object-format={object_format}", str(staging)],
                timeout=self.timeout)
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
            run_git(["config", key, value], staging, timeout=self.timeout)
        shutil.rmtree(self.git_dir, ignore_errors=True)  # an unfinished earlier attempt
        os.replace(staging, self.git_dir)

    def _has_commit(self, commit: str) -> bool:
        if not self._ready():
            return False
        proc = run_git(
            ["for-each-ref", "--format=%(objectname)", f"{_KEPT}{commit}"],
            self.git_dir,
            timeout=self.timeout,
        )
        return bool(proc.stdout.strip())

    def _fetch(self, refspec: str) -> subprocess.CompletedProcess[bytes]:
        args = [
            "fetch", "--quiet", "--no-tags", "--no-recurse-submodules",
            "--depth", "1", "--filter=blob:none", "--", "origin", refspec,
        ]  # fmt: skip
        return run_git(args, self.git_dir, timeout=self.timeout, check=False,
                       protocols=self.protocols)

    def _ensure_commit(self, commit: str) -> None:
        """Fetch `commit` (shallow, without blobs) unless the cache holds it already."""
        commit = commit.lower()
        if not _FULL_SHA.match(commit):
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
            refname = self._refnames.get(commit)
            if refname:
                # Some servers refuse to send a commit by sha; fetch the ref it came from.
                by_name = self._fetch(refname)
                if by_name.returncode == 0:
                    head = (self.git_dir / "FETCH_HEAD").read_text().split("\t", 1)[0].strip()
                    if head == commit:
                        run_git(["update-ref", f"{_KEPT}{commit}", commit], self.git_dir)
                        return
                    raise ReaderError(f"ref '{refname}' moved while reading {self.url}; retry")
                proc = by_name
        if is_unreachable(proc.stderr):
            raise unreachable(self.url, proc.stderr)
        raise RefNotFound(
            f"commit {commit} not found in {self.url} ({stderr_summary(proc.stderr)})"
        )

    def _present_blobs(self) -> dict[bytes, int]:
        """Sizes of the blobs the cache holds; others are only fetched when read.

        Lists the cache's own object store, so nothing is fetched here (asking about one
        missing object in a partial clone would fetch it).
        """
        sizes: dict[bytes, int] = {}
        args = ["cat-file", "--batch-all-objects", "--unordered",
                "--batch-check=%(objecttype) %(objectname) %(objectsize)"]  # fmt: skip
        with stream_git(args, self.git_dir, timeout=self.timeout) as listing:
            for line in listing:
                if line.startswith(b"blob "):
                    _, oid, size = line.split()
                    sizes[bytes.fromhex(oid.decode())] = int(size)
        self._present = sizes
        return sizes

    def _prefetch(self, oids: Iterable[str]) -> None:
        """Fetch the wanted blobs the cache lacks in one request, not one round-trip each."""
        present = self._present if self._present is not None else self._present_blobs()
        needed = [oid for oid in oids if bytes.fromhex(oid) not in present]
        if not needed:
            return
        args = [
            "-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet", "--no-tags",
            "--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none",
            "--stdin", "origin",
        ]  # fmt: skip
        with self._locked():
            proc = run_git(
                args,
                self.git_dir,
                input="".join(f"{oid}\n" for oid in needed).encode(),
                timeout=self.timeout,
                check=False,
                protocols=self.protocols,
            )
        if proc.returncode != 0:
            # cat-file still fetches each missing blob lazily; slower, but it may succeed.
            reason = stderr_summary(proc.stderr)
            log.warning("batch blob fetch from %s failed: %s", self.url, reason)
            return
        present.update((bytes.fromhex(oid), -1) for oid in needed)  # size unknown, not needed

    def _cat_batch(self, oids: list[str], limit: int | None) -> Iterator[tuple[str, bytes]]:
        """Stream blobs out of one `git cat-file --batch` process."""
        try:
            proc = subprocess.Popen(
                git_command(["cat-file", "--batch"], self.git_dir),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=git_env(self.protocols),  # it fetches missing blobs lazily
            )
        except FileNotFoundError as exc:
            raise ReaderUnavailable("git is not installed or not on PATH") from exc
        stdin, stdout = proc.stdin, proc.stdout
        assert stdin is not None and stdout is not None

        def feed() -> None:
            # A writer thread: cat-file's output would fill the pipe while we still write.
            try:
                for oid in oids:
                    stdin.write(f"{oid}\n".encode())
                stdin.close()
            except BrokenPipeError:
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            while True:
                header = stdout.readline()
                if not header:
                    break
                parts = header.split()
                if len(parts) != 3:
                    continue  # "<oid> missing": absent from the remote too
                size = int(parts[2])
                data = _read_capped(stdout, size, limit)
                stdout.read(1)  # the newline after each object
                yield parts[0].decode(), data
        finally:
            writer.join(timeout=self.timeout)
            stdout.close()
            try:
                proc.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                proc.kill()  # stuck on a lazy fetch; the blobs it did send are kept
                proc.wait()


def _candidates(ref: str | None) -> list[str]:
    """Full ref names `ref` may mean, in git's own order of preference."""
    if ref is None or ref == "HEAD":
        return ["HEAD"]
    if ref.startswith("refs/"):
        return [ref]
    return [f"refs/tags/{ref}", f"refs/heads/{ref}", f"refs/{ref}"]


def _records(stream: IO[bytes]) -> Iterator[bytes]:
    """NUL-ended records from `stream`, read a megabyte at a time."""
    rest = b""
    while chunk := stream.read(1 << 20):
        records = (rest + chunk).split(b"\0")
        rest = records.pop()
        yield from records
    if rest:
        yield rest


def _add_record(
    builder: TreeBuilder, record: bytes, sizes: Mapping[bytes, int], problems: list[str]
) -> None:
    """One `git ls-tree -r -t -z` record: '<mode> <type> <oid>\\t<path>'."""
    if not record:
        return
    meta, sep, raw_path = record.partition(b"\t")
    fields = meta.split()
    kind = fields[1].decode() if len(fields) == 3 else ""
    if not sep or kind not in _TYPES:
        problems.append(f"unparsable tree record: {record[:80]!r}")
        return
    try:
        path = raw_path.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"skipped a path that is not UTF-8: {raw_path[:80]!r}")
        return
    oid = fields[2].decode()
    size = sizes.get(bytes.fromhex(oid)) if kind == "blob" else None
    builder.add(path, cast(EntryType, kind), oid, None if size is None or size < 0 else size,
                fields[0].decode())  # fmt: skip


def _read_capped(stream: IO[bytes], size: int, limit: int | None) -> bytes:
    """Read exactly `size` bytes from `stream`, keeping only the first `limit`."""
    keep = size if limit is None else min(size, max(limit, 0))
    data = stream.read(keep) if keep else b""
    rest = size - len(data)
    while rest > 0:
        chunk = stream.read(min(rest, 1 << 20))
        if not chunk:
            break
        rest -= len(chunk)
    return data


__all__ = ["GitReader"]

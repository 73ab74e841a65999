"""Read any git repository (URL or local path) through the git CLI, one shallow blobless commit."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, cast

from skillmeat.core.errors import InvalidInput
from skillmeat.core.marketplace.readers.base import ListingReader
from skillmeat.core.marketplace.readers.errors import (
    ReaderError,
    ReaderUnavailable,
    RefNotFound,
)
from skillmeat.core.marketplace.readers.git_cache import PartialClone
from skillmeat.core.marketplace.readers.git_process import (
    git_command,
    git_env,
    is_unreachable,
    run_git,
    stderr_summary,
    stream_git,
    unreachable,
)
from skillmeat.core.marketplace.tree import (
    COMMIT_PREFIX,
    ENTRY_TYPES,
    OBJECT_ID,
    EntryType,
    RepoTree,
    TreeBuilder,
)
from skillmeat.core.marketplace.urls import LOCAL_REFUSED, classify_git_url


class GitReader(ListingReader):
    """RepoReader over the git CLI; `cache_dir` keeps one bare partial clone per URL."""

    def __init__(self, url_or_path: str, ref: str | None, cache_dir: Path | str, *,
                 timeout: float = 600.0, allow_local: bool = True) -> None:
        # allow_local: the server passes its own answer; the CLI runs locally.
        super().__init__()
        try:
            address = classify_git_url(url_or_path)  # the same decision the URL parser makes
        except InvalidInput as exc:
            raise ReaderError(exc.detail) from None
        if address.local and not allow_local:
            raise ReaderError(LOCAL_REFUSED)
        self.url, self.protocols = address.url, address.protocols
        self.ref = ref or None  # None: the remote's HEAD
        self.timeout = timeout
        self.clone = PartialClone(self.url, address.local, Path(cache_dir), timeout,
                                  self.protocols)

    @property
    def git_dir(self) -> Path:
        return self.clone.git_dir

    def resolve(self) -> str:
        """The commit sha of the configured ref, asked of the remote without fetching."""
        ref = self.ref
        if ref and OBJECT_ID.match(ref.lower()):
            sha = ref.lower()
            self.clone.ensure_commit(sha)
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
                self.clone.refnames[found] = name
                return found
        if ref is None:
            raise RefNotFound(f"repository {self.url} has no commits (HEAD does not resolve)")
        if COMMIT_PREFIX.match(ref):
            raise RefNotFound(
                f"ref '{ref}' not found in {self.url}; give a commit as its full 40-character sha"
            )
        raise RefNotFound(f"ref '{ref}' not found in {self.url}")

    def _list(self, commit: str) -> RepoTree:
        self.clone.ensure_commit(commit)
        sizes = self.clone.blob_sizes()
        builder = TreeBuilder()
        problems: list[str] = []
        args = ["ls-tree", "-r", "-t", "-z", commit]
        with stream_git(args, self.git_dir, timeout=self.timeout) as listing:
            for record in _records(listing):
                _add_record(builder, record, sizes, problems)
        return builder.build(commit, complete=not problems, problems=problems)

    def _blobs(self, commit: str, wanted: Mapping[str, list[str]],
               limit: int | None) -> Iterator[tuple[str, bytes]]:
        self.clone.prefetch(wanted.keys())
        return self._cat_batch(list(wanted), limit)

    def close(self) -> None:
        super().close()
        self.clone.forget()

    def _cat_batch(self, oids: list[str], limit: int | None) -> Iterator[tuple[str, bytes]]:
        """Stream blobs out of one `git cat-file --batch` process."""
        try:
            proc = subprocess.Popen(
                git_command(["cat-file", "--batch"], self.git_dir),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
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
            while header := stdout.readline():
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
    if not sep or kind not in ENTRY_TYPES:
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

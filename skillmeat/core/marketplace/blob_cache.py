"""Content-addressed disk cache of what readers fetched: blobs by sha, tree listings by commit.

Git object ids name immutable content, so a cached blob or listing never goes stale. A blob is
stored only when its bytes hash back to its id: a short read or a lying server cannot poison it.

The cache has a size limit (SKILLMEAT_BLOB_CACHE_MAX_BYTES). Every process that writes adds
what it wrote to a shared usage count under a file lock; past the limit, the writer that
crossed it evicts the least recently used files (a read touches its file) down to 80% of the
limit. Readers take no lock: a file deleted under a reader is either read whole from its open
descriptor or missed and fetched again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import tempfile
import time
from array import array
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from skillmeat.config import Settings
from skillmeat.core.marketplace.readers.base import ListingReader
from skillmeat.core.marketplace.tree import OBJECT_ID, RepoReader, RepoTree, TreeColumns

_TREE_FORMAT = 2  # a listing in another format is listed again, not read
_LOW_WATER = 0.8  # eviction frees down to this share of the limit
_AGE_STEPS = 16  # eviction age buckets per doubling of age: a cut within ~4% of the exact one


def object_id(kind: str, data: bytes, *, sha256: bool = False) -> str:
    """The id git gives an object: hash of "<kind> <len>\\0" + data."""
    digest = hashlib.sha256() if sha256 else hashlib.sha1()  # noqa: S324 - git's own id
    digest.update(kind.encode() + b" %d\0" % len(data))
    digest.update(data)  # not joined to the header: that would copy a big blob once more
    return digest.hexdigest()


class BlobCache:
    """Files under `root`: `<sha[:2]>/<sha>` for blobs, `trees/<sha[:2]>/<sha>` for listings,
    `usage` (bytes held, as far as writers counted) beside a `lock` file."""

    def __init__(self, root: Path, max_bytes: int = 512 << 20) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def _blob_path(self, sha: str) -> Path | None:
        # Ids come from a remote listing: only well-formed hex may become a file name.
        return self.root / sha[:2] / sha if OBJECT_ID.match(sha) else None

    def get(self, sha: str, limit: int | None = None) -> bytes | None:
        """The blob's first `limit` bytes (all without a limit), or None when not held."""
        path = self._blob_path(sha)
        if path is None:
            return None
        try:
            with open(path, "rb") as handle:
                data = handle.read() if limit is None else handle.read(limit)
        except FileNotFoundError:
            return None
        _touch(path)
        return data

    def put(self, sha: str, data: bytes) -> bool:
        """Keep `data` under `sha` if it is that blob; False when it is not (or cut short)."""
        path = self._blob_path(sha)
        if path is None or object_id("blob", data, sha256=len(sha) == 64) != sha:
            return False
        if not path.exists():
            self._store(path, [data])
        return True

    def get_tree(self, commit: str) -> RepoTree | None:
        if not OBJECT_ID.match(commit):
            return None
        path = self.root / "trees" / commit[:2] / commit
        try:
            with open(path, "rb") as handle:
                tree = _read_tree(handle, commit)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError, KeyError, AttributeError):
            return None  # not a listing this version wrote: list the tree again
        _touch(path)
        return tree

    def put_tree(self, tree: RepoTree) -> None:
        # A partial listing would hide files for good; only complete ones are kept.
        if not tree.complete or not OBJECT_ID.match(tree.commit):
            return
        self._store(self.root / "trees" / tree.commit[:2] / tree.commit, _tree_parts(tree))

    # -- size limit -------------------------------------------------------------------------

    def _store(self, path: Path, parts: list[bytes]) -> None:
        size = sum(map(len, parts))
        if size > self.max_bytes * (1 - _LOW_WATER):
            return  # one object bigger than an eviction frees would evict everything else
        _write_atomically(path, parts)
        with self._locked():
            try:
                held = int((self.root / "usage").read_text()) + size
            except (FileNotFoundError, ValueError):  # first write, or a damaged count
                held = sum(size for _path, size, _age in self._files())  # this file included
            if held > self.max_bytes:
                held = self._evict(int(self.max_bytes * _LOW_WATER), keep=path)
            (self.root / "usage").write_text(str(held))

    def _evict(self, target: int, keep: Path) -> int:
        """Delete the least recently used files (never `keep`, just written) until at most
        `target` bytes are held.

        Ages are grouped in buckets (log scale), so memory stays constant however many files
        there are: one pass sums the bytes per bucket, a second deletes the oldest buckets.
        """
        per_bucket: dict[int, int] = {}
        for path, size, age in self._files():
            if path != keep:
                per_bucket[age] = per_bucket.get(age, 0) + size
        held = sum(per_bucket.values())
        kept = keep.stat().st_size if keep.exists() else 0
        cut = math.inf  # files in buckets at or past `cut` go
        for bucket in sorted(per_bucket, reverse=True):
            if held + kept <= target:
                break
            held -= per_bucket[bucket]
            cut = bucket
        for path, _size, age in self._files():
            if age >= cut and path != keep:
                path.unlink(missing_ok=True)
        return held + kept

    def _files(self) -> Iterator[tuple[Path, int, int]]:
        """(path, size, age bucket) of every cached blob and listing."""
        now = time.time()
        for folder in (self.root, self.root / "trees"):
            try:
                shards = [d for d in os.scandir(folder) if len(d.name) == 2 and d.is_dir()]
            except FileNotFoundError:
                continue
            for shard in shards:
                try:
                    entries = list(os.scandir(shard.path))
                except FileNotFoundError:
                    continue
                for entry in entries:
                    if entry.name.startswith(".tmp-"):
                        continue  # a write in progress
                    try:
                        stat = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue
                    age = max(now - stat.st_mtime, 0.0)
                    yield Path(entry.path), stat.st_size, int(math.log2(age + 1) * _AGE_STEPS)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # across processes; released on close
            yield


def _touch(path: Path) -> None:
    """Mark a file used: eviction takes the least recently used first."""
    try:
        os.utime(path)
    except OSError:
        pass  # evicted meanwhile, or a read-only cache: the read itself succeeded


def _write_atomically(path: Path, parts: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _tree_parts(tree: RepoTree) -> list[bytes]:
    """A listing as a header line and its columns, read back without a parse per entry."""
    cols = tree.columns()
    header = {"format": _TREE_FORMAT, "count": len(cols.paths), "width": cols.width,
              "kinds": cols.kinds, "paths_bytes": 0}
    paths = "\0".join(cols.paths).encode()
    header["paths_bytes"] = len(paths)
    return [json.dumps(header).encode() + b"\n", bytes(cols.oids), cols.sizes.tobytes(),
            bytes(cols.codes), paths]


def _read_tree(handle: BinaryIO, commit: str) -> RepoTree:
    header = json.loads(handle.readline(1 << 16))
    if header.get("format") != _TREE_FORMAT:
        raise ValueError("another listing format")
    count, width = int(header["count"]), int(header["width"])
    read = handle.read
    oids = bytearray(read(count * width))
    sizes = array("q")
    sizes.frombytes(read(count * sizes.itemsize))
    codes = bytearray(read(count))
    text = read(int(header["paths_bytes"])).decode()
    paths = text.split("\0") if count else []
    kinds = [(kind, mode) for kind, mode in header["kinds"]]
    return RepoTree.from_columns(commit, TreeColumns(paths, oids, width, sizes, codes, kinds))


class CachedReader(ListingReader):
    """A RepoReader that answers from the cache first and fills it from the wrapped reader."""

    def __init__(self, inner: RepoReader, cache: BlobCache) -> None:
        super().__init__()
        self.inner = inner
        self.cache = cache

    def resolve(self) -> str:
        return self.inner.resolve()

    def _list(self, commit: str) -> RepoTree:
        tree = self.cache.get_tree(commit)
        if tree is None:
            tree = self.inner.tree(commit)
            self.cache.put_tree(tree)
        return tree

    def _blobs(self, commit: str, wanted: Mapping[str, list[str]],
               limit: int | None) -> Iterator[tuple[str, bytes]]:
        missing: dict[str, str] = {}  # one path of each blob the cache lacks -> its id
        for oid, paths in wanted.items():
            data = self.cache.get(oid, limit)
            if data is None:
                missing[paths[0]] = oid
            else:
                yield oid, data
        if missing:
            for path, data in _stream(self.inner, commit, list(missing), limit):
                self.cache.put(missing[path], data)  # refused when cut short by `limit`
                yield missing[path], data

    def close(self) -> None:
        super().close()
        self.inner.close()


def _stream(reader: RepoReader, commit: str, paths: list[str],
            limit: int | None) -> Iterable[tuple[str, bytes]]:
    """A reader's blobs one at a time when it can stream them (every ListingReader can)."""
    if isinstance(reader, ListingReader):
        return reader.stream(commit, paths, limit)
    return reader.read(commit, paths, limit).items()


def cache_for(settings: Settings) -> BlobCache:
    return BlobCache(settings.data_dir / "blob-cache", settings.blob_cache_max_bytes)

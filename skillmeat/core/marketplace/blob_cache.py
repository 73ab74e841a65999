"""Content-addressed disk cache of what readers fetched: blobs by sha, tree listings by commit.

Git object ids name immutable content, so a cached blob or listing never goes stale. A blob is
stored only when its bytes hash back to its id: a short read or a lying server cannot poison it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from skillmeat.config import Settings
from skillmeat.core.marketplace.readers.base import ListingReader
from skillmeat.core.marketplace.tree import OBJECT_ID, RepoReader, RepoTree, TreeBuilder


def object_id(kind: str, data: bytes, *, sha256: bool = False) -> str:
    """The id git gives an object: hash of "<kind> <len>\\0" + data."""
    digest = hashlib.sha256() if sha256 else hashlib.sha1()  # noqa: S324 - git's own id
    digest.update(kind.encode() + b" %d\0" % len(data) + data)
    return digest.hexdigest()


class BlobCache:
    """Files under `root`: `<sha[:2]>/<sha>` for blobs, `trees/<sha[:2]>/<sha>.json`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _blob_path(self, sha: str) -> Path | None:
        # Ids come from a remote listing: only well-formed hex may become a file name.
        return self.root / sha[:2] / sha if OBJECT_ID.match(sha) else None

    def get(self, sha: str) -> bytes | None:
        path = self._blob_path(sha)
        try:
            return path.read_bytes() if path is not None else None
        except FileNotFoundError:
            return None

    def put(self, sha: str, data: bytes) -> bool:
        """Keep `data` under `sha` if it is that blob; False when it is not (or cut short)."""
        path = self._blob_path(sha)
        if path is None or object_id("blob", data, sha256=len(sha) == 64) != sha:
            return False
        if not path.exists():
            _write_atomically(path, data)
        return True

    def get_tree(self, commit: str) -> RepoTree | None:
        if not OBJECT_ID.match(commit):
            return None
        try:
            rows = json.loads((self.root / "trees" / commit[:2] / f"{commit}.json").read_bytes())
            builder = TreeBuilder()
            for p, t, s, n, m in rows:
                builder.add(p, t, s, n, m)
        except (FileNotFoundError, ValueError, TypeError):
            return None  # absent, or not a listing this version wrote: list the tree again
        return builder.build(commit)

    def put_tree(self, tree: RepoTree) -> None:
        # A partial listing would hide files for good; only complete ones are kept.
        if not tree.complete or not OBJECT_ID.match(tree.commit):
            return
        rows = [[e.path, e.type, e.sha, e.size, e.mode] for e in tree.entries]
        path = self.root / "trees" / tree.commit[:2] / f"{tree.commit}.json"
        _write_atomically(path, json.dumps(rows, separators=(",", ":")).encode())


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
            data = self.cache.get(oid)
            if data is None:
                missing[paths[0]] = oid
            else:
                yield oid, data if limit is None else data[:limit]
        if missing:
            for path, data in self.inner.read(commit, list(missing), limit).items():
                self.cache.put(missing[path], data)  # refused when cut short by `limit`
                yield missing[path], data

    def close(self) -> None:
        super().close()
        self.inner.close()


def cache_for(settings: Settings) -> BlobCache:
    return BlobCache(settings.data_dir / "blob-cache")

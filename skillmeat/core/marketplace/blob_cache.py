"""Content-addressed disk cache of what readers fetched: blobs by sha, tree listings by commit.

Git object ids name immutable content, so a cached blob or listing never goes stale. A blob is
stored only when its bytes hash back to its id: a short read or a lying server cannot poison it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from skillmeat.config import Settings
from skillmeat.core.marketplace.tree import RepoReader, RepoTree, TreeBuilder

_OBJECT_ID = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


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
        return self.root / sha[:2] / sha if _OBJECT_ID.match(sha) else None

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
        if not _OBJECT_ID.match(commit):
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
        if not tree.complete or not _OBJECT_ID.match(tree.commit):
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


class CachedReader:
    """A RepoReader that answers from the cache first and fills it from the wrapped reader."""

    def __init__(self, inner: RepoReader, cache: BlobCache) -> None:
        self.inner = inner
        self.cache = cache
        self._tree: RepoTree | None = None  # the last tree listed: reads look paths up in it

    def resolve(self) -> str:
        return self.inner.resolve()

    def tree(self, commit: str) -> RepoTree:
        tree = self.cache.get_tree(commit)
        if tree is None:
            tree = self.inner.tree(commit)
            self.cache.put_tree(tree)
        self._tree = tree
        return tree

    def read(
        self, commit: str, paths: Iterable[str], limit: int | None = None
    ) -> Mapping[str, bytes]:
        index = self._tree if self._tree is not None and self._tree.commit == commit \
            else self.tree(commit)
        out: dict[str, bytes] = {}
        missing: list[str] = []
        for path in dict.fromkeys(paths):
            entry = index.get(path)
            data = self.cache.get(entry.sha) if entry is not None else None
            if data is None:
                missing.append(path)
            else:
                out[path] = data if limit is None else data[:limit]
        if missing:
            for path, data in self.inner.read(commit, missing, limit).items():
                entry = index.get(path)
                if entry is not None:
                    self.cache.put(entry.sha, data)
                out[path] = data
        return out

    def close(self) -> None:
        self.inner.close()


def cache_for(settings: Settings) -> BlobCache:
    return BlobCache(settings.data_dir / "blob-cache")

"""Turn a corpus snapshot (JSON) into a real one-commit git repository with `git fast-import`."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import IO, Any

PLACEHOLDER = b"placeholder\n"  # stands in for files whose text the snapshot does not keep


def build_repo(snapshot: dict[str, Any], target: Path) -> None:
    """Create `target` as a git repository whose HEAD holds the snapshot's files."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    proc = subprocess.Popen(
        ["git", "-C", str(target), "fast-import", "--quiet", "--done"],
        stdin=subprocess.PIPE,
    )
    assert proc.stdin is not None
    try:
        _stream(snapshot, proc.stdin)
    finally:
        proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError(f"git fast-import failed for {snapshot.get('repo')}")
    # No checkout: readers fetch from the repository, they never look at a work tree.


def _stream(snapshot: dict[str, Any], out: IO[bytes]) -> None:
    contents: dict[str, str] = snapshot.get("contents", {})
    marks: dict[bytes, int] = {}  # blob digest -> mark, so equal placeholders are stored once
    files: list[tuple[str, str, int]] = []  # (mode, path, mark)
    for item in snapshot["files"]:
        if item.get("absent"):
            continue
        path = item["path"]
        if "symlink" in item:
            data, mode = item["symlink"].encode(), "120000"
        elif path in contents:
            data, mode = contents[path].encode(), "100644"
        else:
            size = item.get("size") or 0
            data = (PLACEHOLDER * (size // len(PLACEHOLDER) + 1))[:size]
            mode = "100644"
        digest = hashlib.sha1(data).digest()
        mark = marks.get(digest)
        if mark is None:
            mark = marks[digest] = len(marks) + 1
            out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)))
            out.write(data)
            out.write(b"\n")
        files.append((mode, path, mark))
    message = f"snapshot of {snapshot.get('repo', 'a repository')}\n".encode()
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Corpus <corpus@example.invalid> 0 +0000\n")
    out.write(b"data %d\n%s" % (len(message), message))
    for mode, path, mark in files:
        out.write(b"M %s :%d %s\n" % (mode.encode(), mark, _quote(path)))
    out.write(b"\ndone\n")


def _quote(path: str) -> bytes:
    """fast-import needs C-style quotes only for paths with a newline or a leading quote."""
    raw = path.encode()
    if b"\n" not in raw and not raw.startswith(b'"'):
        return raw
    escaped = raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n")
    return b'"' + escaped + b'"'

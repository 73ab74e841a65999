"""Compare two versions of an artifact's files (path -> bytes): what was added, removed or
modified, with a unified diff for text. Every diff is capped per file and in total, and says
so when it was cut; binary files are summarised by size and hash."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_FILE_DIFF = 64 << 10  # characters of one file's diff
MAX_TOTAL_DIFF = 1 << 20  # characters of all diffs of one comparison
MAX_DIFF_INPUT = 512 << 10  # bytes of a side: larger text files are summarised, not diffed
_SNIFF = 8000
MIN_DIFF = 1 << 10  # less budget than this left: later diffs are left out, not cut to nothing


@dataclass(slots=True)
class FileChange:
    path: str
    status: str  # "added", "removed" or "modified"
    binary: bool
    old_size: int | None
    new_size: int | None
    old_sha256: str | None
    new_sha256: str | None
    diff: str | None = None  # unified diff, for text files
    note: str | None = None  # why the diff is cut or missing


@dataclass(slots=True)
class FileDiff:
    files: list[FileChange] = field(default_factory=list)
    truncated: bool = False  # some diff was cut or left out

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)


def is_binary(data: bytes) -> bool:
    if b"\0" in data[:_SNIFF]:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _sha(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def diff_files(old: Mapping[str, bytes], new: Mapping[str, bytes], *,
               max_file: int = MAX_FILE_DIFF, max_total: int = MAX_TOTAL_DIFF) -> FileDiff:
    """Every path whose content differs between `old` and `new`, in path order."""
    out = FileDiff()
    budget = max_total
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        status = "added" if before is None else "removed" if after is None else "modified"
        binary = any(is_binary(d) for d in (before, after) if d is not None)
        change = FileChange(path, status, binary,
                            None if before is None else len(before),
                            None if after is None else len(after), _sha(before), _sha(after))
        out.files.append(change)
        if binary:
            continue
        if max(len(before or b""), len(after or b"")) > MAX_DIFF_INPUT:
            change.note = f"larger than {MAX_DIFF_INPUT >> 10} KiB: not diffed"
            out.truncated = True
            continue
        if budget < MIN_DIFF:
            change.note = f"diff left out: the comparison's {max_total >> 10} KiB of diffs is used"
            out.truncated = True
            continue
        text = _unified(path, before, after, min(max_file, budget))
        if text.cut:
            change.note = f"diff cut at {min(max_file, budget) >> 10} KiB"
            out.truncated = True
        change.diff = text.text
        budget -= len(text.text)
    return out


@dataclass(slots=True)
class _Text:
    text: str
    cut: bool


def _unified(path: str, before: bytes | None, after: bytes | None, limit: int) -> _Text:
    a = (before or b"").decode("utf-8").splitlines(keepends=True)
    b = (after or b"").decode("utf-8").splitlines(keepends=True)
    lines = difflib.unified_diff(a, b, "/dev/null" if before is None else f"a/{path}",
                                 "/dev/null" if after is None else f"b/{path}", n=3)
    parts: list[str] = []
    size = 0
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        if size + len(line) > limit:
            return _Text("".join(parts), True)
        parts.append(line)
        size += len(line)
    return _Text("".join(parts), False)

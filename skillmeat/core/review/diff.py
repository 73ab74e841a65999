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
MAX_FILE_WORK = 1_000_000  # estimated alignment steps of one file (about 0.15 s at worst)
MAX_TOTAL_WORK = 2_000_000  # of one comparison
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
    work = _Work(MAX_TOTAL_WORK)
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
        text = _unified(path, before, after, min(max_file, budget), work)
        if not text.aligned:
            change.note = "changes too interleaved to align cheaply: shown as one replaced block"
        if text.cut:
            cut = f"diff cut at {min(max_file, budget) >> 10} KiB"
            change.note = f"{change.note}; {cut}" if change.note else cut
            out.truncated = True
        change.diff = text.text
        budget -= len(text.text)
    return out


@dataclass(slots=True)
class _Text:
    text: str
    cut: bool
    aligned: bool = True  # False: the changed block is shown replaced, not aligned line by line


class _Work:
    """difflib's alignment is quadratic on changes interleaved with matching lines (a hostile
    file can take minutes); its cost is estimated first and budgeted per comparison."""

    def __init__(self, total: int) -> None:
        self.left = total

    def allow(self, a: list[str], b: list[str]) -> bool:
        b_lines, a_lines = set(b), set(a)
        only_a = sum(1 for x in a if x not in b_lines)
        only_b = sum(1 for x in b if x not in a_lines)
        # Slow only when many changed lines lie between many matching ones: a rewrite whose
        # lines all differ aligns in one pass.
        cost = (only_a + only_b) * (min(len(a) - only_a, len(b) - only_b) + 1)
        if cost > min(MAX_FILE_WORK, self.left):
            return False
        self.left -= cost
        return True


def _unified(path: str, before: bytes | None, after: bytes | None, limit: int,
             work: _Work) -> _Text:
    a = (before or b"").decode("utf-8").splitlines(keepends=True)
    b = (after or b"").decode("utf-8").splitlines(keepends=True)
    old, new = "/dev/null" if before is None else f"a/{path}", \
        "/dev/null" if after is None else f"b/{path}"
    head = _common(a, b)
    tail = _common(a[head:][::-1], b[head:][::-1])
    aligned = work.allow(a[head : len(a) - tail], b[head : len(b) - tail])
    lines = difflib.unified_diff(a, b, old, new, n=3) if aligned else \
        _replaced(a, b, old, new, head, tail)
    parts: list[str] = []
    size = 0
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        if size + len(line) > limit:
            return _Text("".join(parts), True, aligned)
        parts.append(line)
        size += len(line)
    return _Text("".join(parts), False, aligned)


def _common(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _replaced(a: list[str], b: list[str], old: str, new: str, head: int,
              tail: int) -> list[str]:
    """One hunk: the changed block removed whole and added whole, with 3 lines of context."""
    start = max(0, head - 3)
    end_a, end_b = min(len(a), len(a) - tail + 3), min(len(b), len(b) - tail + 3)

    def span(begin: int, count: int) -> str:
        return f"{begin + 1 if count else begin},{count}"

    return [f"--- {old}\n", f"+++ {new}\n",
            f"@@ -{span(start, end_a - start)} +{span(start, end_b - start)} @@\n",
            *(" " + x for x in a[start:head]), *("-" + x for x in a[head : len(a) - tail]),
            *("+" + x for x in b[head : len(b) - tail]),
            *(" " + x for x in a[len(a) - tail : end_a])]

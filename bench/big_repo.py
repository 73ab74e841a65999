"""Build a real git repository with about a million files, fast, through `git fast-import`.

    python bench/big_repo.py DEST [--files 1000000] [--shape marketplace|monorepo]

The files are those of bench_scan.lazy_tree() ("marketplace") or bench_scan.monorepo_tree()
("monorepo"), with the contents bench_scan._lazy_content() gives them, committed as one commit
on `main` with a fixed identity and date, so the same arguments always give the same sha.
No worktree is checked out: the repository is only there to be read through git
(a path or file:// URL works for ls-remote and fetch).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_scan import _lazy_content, _plugin_paths  # noqa: E402

SHAPES = ("marketplace", "monorepo")
_MARKETPLACE_JSON = ".claude-plugin/marketplace.json"
_IDENTITY = b"Bench <bench@example.invalid> 1700000000 +0000"
_MESSAGE = b"synthetic benchmark repository\n"


def _marketplace_plugins(files: int) -> int:
    """How many plugins lazy_tree(files) adds: whole plugins until `files` blobs exist."""
    per_plugin = len(_plugin_paths("p"))
    return max(0, -(-files // per_plugin))


def _marketplace_json(plugins: int) -> bytes:
    listing = [{"name": f"plugin-{i}", "source": f"./plugins/group-{i % 50}/plugin-{i}"}
               for i in range(plugins)]
    return json.dumps({"plugins": listing}).encode()


def _marketplace_files(files: int) -> Iterator[tuple[str, bytes]]:
    plugins = _marketplace_plugins(files)
    for n in range(plugins):
        for path in _plugin_paths(f"plugins/group-{n % 50}/plugin-{n}"):
            yield path, _lazy_content(path)
    yield _MARKETPLACE_JSON, _marketplace_json(plugins)


def _monorepo_files(files: int) -> Iterator[tuple[str, bytes]]:
    for i in range(100):
        for path in (f".claude/commands/c{i}.md", f".claude/agents/a{i}.md",
                     f"skills/skill-{i}/SKILL.md"):
            yield path, _lazy_content(path)
    count = 300
    n = 0
    while count < files:
        folder = f"services/svc-{n // 1000}/src/pkg-{n // 50}"
        for j in range(20):
            yield f"{folder}/module_{n}_{j}.py", b"x = 1\n"
        count += 20
        n += 1


def iter_files(files: int, shape: str = "marketplace") -> Iterator[tuple[str, bytes]]:
    """(path, content) of every blob, in the order bench_scan's tree builders list them."""
    if shape == "marketplace":
        return _marketplace_files(files)
    if shape == "monorepo":
        return _monorepo_files(files)
    raise ValueError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")


def _stream(out: IO[bytes], files: int, shape: str) -> int:
    """Write the fast-import stream: shared contents once as marked blobs, then the commit.

    Markdown files end with a comment naming their path, so each is a distinct blob (a
    scan then reads as many blobs as a real repository of this shape would make it read);
    they are written inline in the commit.
    """
    marks: dict[bytes, int] = {}
    for path, content in iter_files(files, shape):
        if not path.endswith(".md") and content not in marks:
            marks[content] = len(marks) + 1
            out.write(b"blob\nmark :%d\ndata %d\n%s\n" % (marks[content], len(content), content))
    out.write(b"commit refs/heads/main\nauthor %s\ncommitter %s\ndata %d\n%s"
              % (_IDENTITY, _IDENTITY, len(_MESSAGE), _MESSAGE))
    count = 0
    for path, content in iter_files(files, shape):
        name = path.encode()
        if path.endswith(".md"):
            unique = content + b"\n<!-- %s -->\n" % name
            out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (name, len(unique), unique))
        else:
            out.write(b"M 100644 :%d %s\n" % (marks[content], name))
        count += 1
    out.write(b"\ndone\n")
    return count


def _git(path: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def build_repo(path: Path, files: int, shape: str = "marketplace") -> tuple[str, int]:
    """Create a git repository at `path` holding one commit of the `shape` tree with `files`
    files (rounded up as bench_scan rounds them); returns (commit sha, number of files)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")
    path = Path(path)
    if path.exists() and any(path.iterdir()):
        raise FileExistsError(f"{path} exists and is not empty")
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q")
    _git(path, "symbolic-ref", "HEAD", "refs/heads/main")
    proc = subprocess.Popen(["git", "-C", str(path), "fast-import", "--quiet", "--done"],
                            stdin=subprocess.PIPE)
    assert proc.stdin is not None
    try:
        count = _stream(proc.stdin, files, shape)
    finally:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
        code = proc.wait()
    if code != 0:
        raise RuntimeError(f"git fast-import failed with exit status {code}")
    return _git(path, "rev-parse", "refs/heads/main"), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--files", type=int, default=1_000_000)
    parser.add_argument("--shape", choices=SHAPES, default="marketplace")
    args = parser.parse_args()
    started = time.perf_counter()
    sha, count = build_repo(args.dest, args.files, args.shape)
    elapsed = time.perf_counter() - started
    print(f"{sha} {count} files {elapsed:.1f} s")


if __name__ == "__main__":
    main()

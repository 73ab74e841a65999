"""Readers building trees from streams: stream_git, GitHub tree items, GitReader on odd names."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from skillmeat.core.marketplace.readers.errors import ReaderError, ReaderUnavailable
from skillmeat.core.marketplace.readers.git import GitReader
from skillmeat.core.marketplace.readers.git_process import stream_git
from skillmeat.core.marketplace.readers.github import GitHubReader
from skillmeat.core.marketplace.readers.github_trees import add_items
from skillmeat.core.marketplace.tree import TreeBuilder, TreeEntry
from tests.fakes.github_server import FakeGitHub, _Answer, blob_sha, run_fake_github
from tests.gitrepo import commit, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git CLI not installed")

# Names that sort differently in git order ("a-c" < "a.md" < "a/") and code point order.
TRAP_FILES = {"a/b": "bee\n", "a-c": "dash\n", "a.md": "# dot\n", "a/d/e.md": "deep\n"}


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "origin"
    commit(path, TRAP_FILES)
    return path


# -- stream_git --------------------------------------------------------------------------------


def test_stream_git_yields_stdout(repo: Path) -> None:
    git_dir = repo / ".git"
    with stream_git(["rev-parse", "--git-dir"], git_dir) as out:
        assert Path(out.read().decode().strip()) == git_dir
    with stream_git(["--version"]) as out:  # no repository needed
        assert out.read().startswith(b"git version ")


def test_stream_git_streams_ls_tree(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    with stream_git(["ls-tree", "-r", "-t", "-z", head], repo / ".git") as out:
        records = [r for r in out.read().split(b"\0") if r]
    paths = [r.partition(b"\t")[2].decode() for r in records]
    assert paths == ["a-c", "a.md", "a", "a/b", "a/d", "a/d/e.md"]  # git's own order
    kinds = {r.partition(b"\t")[2].decode(): r.split()[1].decode() for r in records}
    assert kinds["a"] == "tree" and kinds["a/b"] == "blob"


def test_stream_git_failure_raises_reader_error_with_fatal_line(repo: Path) -> None:
    with pytest.raises(ReaderError) as info:
        with stream_git(["ls-tree", "-r", "1" * 40], repo / ".git") as out:
            assert out.read() == b""
    assert not isinstance(info.value, ReaderUnavailable)
    assert "git ls-tree failed" in str(info.value)
    assert "fatal: not a tree object" in str(info.value)


def test_stream_git_failure_is_raised_when_the_caller_reads_nothing(repo: Path) -> None:
    with pytest.raises(ReaderError, match="fatal: Not a valid object name no-such-ref"):
        with stream_git(["ls-tree", "no-such-ref"], repo / ".git"):
            pass


def test_stream_git_caller_may_stop_early(repo: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"0123456789abcdef" * (1 << 16))  # 1 MiB: far more than a pipe buffer
    oid = git(repo, "hash-object", "-w", str(big))
    with stream_git(["cat-file", "blob", oid], repo / ".git", timeout=60) as out:
        assert out.read(16) == b"0123456789abcdef"
    # ...and leaves the rest; stream_git drains it and git exits cleanly (no error).
    with stream_git(["cat-file", "blob", oid], repo / ".git") as out:
        assert len(out.read()) == 1 << 20


def test_stream_git_caller_error_wins(repo: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (4 << 20))
    oid = git(repo, "hash-object", "-w", str(big))

    class Stop(Exception):
        pass

    with pytest.raises(Stop):
        with stream_git(["cat-file", "blob", oid], repo / ".git") as out:
            out.read(10)
            raise Stop  # git is still writing: closing the pipe must not hang or mask this


@pytest.fixture()
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections (via the backlog) and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def test_stream_git_timeout_raises_reader_unavailable(
    silent_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # git:// talks to the socket itself (no helper process), then waits for an answer that
    # never comes: only the timeout can end it, so no sleep or race is involved.
    monkeypatch.setenv("SKILLMEAT_GIT_PROTOCOLS", "git")
    url = f"git://127.0.0.1:{silent_server}/repo.git"
    with pytest.raises(ReaderUnavailable, match="git ls-remote timed out"):
        with stream_git(["ls-remote", url], timeout=0.5) as out:
            assert out.read() == b""


def test_stream_git_timeout_unused_when_git_finishes(repo: Path) -> None:
    with stream_git(["rev-parse", "HEAD"], repo / ".git", timeout=120) as out:
        assert out.read().strip().decode() == git(repo, "rev-parse", "HEAD")


# -- GitHub tree items -------------------------------------------------------------------------

GOOD = "good content\n"
INNER = "inner content\n"
COMMIT = "c" * 40
SUB = "5" * 40


def _file(path: str, content: str, **extra: Any) -> dict[str, Any]:
    return {"path": path, "mode": "100644", "type": "blob", "sha": blob_sha(content),
            "size": len(content), **extra}  # fmt: skip


MALFORMED = [
    {"mode": "100644", "type": "blob", "sha": blob_sha(GOOD), "size": 1},  # no path
    {"path": "", "mode": "100644", "type": "blob", "sha": blob_sha(GOOD)},  # empty path
    {"path": 7, "mode": "100644", "type": "blob", "sha": blob_sha(GOOD)},  # path not a string
    {"path": "nosha.md", "mode": "100644", "type": "blob"},  # no sha
    {"path": "intsha.md", "mode": "100644", "type": "blob", "sha": 12},
    {"path": "zz.md", "mode": "100644", "type": "blob", "sha": "zz"},
    {"path": "short.md", "mode": "100644", "type": "blob", "sha": "0123456789"},
    {"path": "nothex.md", "mode": "100644", "type": "blob", "sha": "g" * 40},
]


@pytest.fixture()
def gh() -> Iterator[FakeGitHub]:
    files = {"good.md": GOOD, "sub/inner.md": INNER}
    with run_fake_github({"o/r": {"refs": {"main": "c1"}, "commits": {"c1": files}}}) as fake:
        yield fake


def serve_trees(
    monkeypatch: pytest.MonkeyPatch,
    fake: FakeGitHub,
    answer: Callable[[str, bool], dict[str, Any]],
) -> None:
    """Make the fake answer git/trees/{sha} with raw JSON from `answer(sha, recursive)`."""

    def tree(repo: Any, arg: str, recursive: bool) -> _Answer:
        return _Answer.json(200, answer(arg, recursive))

    monkeypatch.setattr(fake, "_tree", tree)


def reader_for(fake: FakeGitHub) -> GitHubReader:
    return GitHubReader("o", "r", "main", api_url=fake.url, retries=0, timeout=5, backoff=0)


def test_github_tree_skips_malformed_items(gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    good = [
        _file("good.md", GOOD),
        {"path": "sub", "mode": "040000", "type": "tree", "sha": SUB},
        _file("sub/inner.md", INNER),
    ]
    items = [good[0], *MALFORMED, *good[1:]]
    serve_trees(monkeypatch, gh, lambda sha, rec: {"sha": sha, "tree": items, "truncated": False})
    with reader_for(gh) as reader:
        tree = reader.tree(COMMIT)
        assert not tree.complete
        assert len(tree.problems) == len(MALFORMED)
        assert any("zz.md" in p for p in tree.problems)
        assert any("short.md" in p for p in tree.problems)
        assert list(tree.paths) == ["good.md", "sub", "sub/inner.md"]
        assert tree.get("good.md") == TreeEntry("good.md", "blob", blob_sha(GOOD), len(GOOD))
        assert tree.get("sub") == TreeEntry("sub", "tree", SUB, None, "040000")
        data = reader.read(COMMIT, ["good.md", "sub/inner.md", "zz.md", "sub"])
    assert data == {"good.md": GOOD.encode(), "sub/inner.md": INNER.encode()}


def test_github_clean_tree_is_complete(gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    items = [_file("good.md", GOOD.upper(), sha=blob_sha(GOOD).upper())]
    serve_trees(monkeypatch, gh, lambda sha, rec: {"sha": sha, "tree": items, "truncated": False})
    with reader_for(gh) as reader:
        tree = reader.tree(COMMIT)
    assert tree.complete and tree.problems == []
    assert tree.get("good.md").sha == blob_sha(GOOD)  # type: ignore[union-attr]


def test_github_walk_skips_malformed_items_in_subtrees(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    def answer(sha: str, recursive: bool) -> dict[str, Any]:
        if sha == COMMIT and recursive:
            return {"sha": sha, "tree": [], "truncated": True}
        if sha == COMMIT:
            root = [_file("good.md", GOOD),
                    {"path": "sub", "mode": "040000", "type": "tree", "sha": SUB},
                    {"path": "bad.md", "type": "blob", "sha": "zz"}]  # fmt: skip
            return {"sha": sha, "tree": root, "truncated": False}
        assert sha == SUB
        inner = [_file("inner.md", INNER), {"type": "blob", "sha": blob_sha(INNER)},
                 {"path": "ten.md", "type": "blob", "sha": "0123456789"}]  # fmt: skip
        return {"sha": sha, "tree": inner, "truncated": False}

    serve_trees(monkeypatch, gh, answer)
    with reader_for(gh) as reader:
        tree = reader.tree(COMMIT)
        assert list(tree.paths) == ["good.md", "sub", "sub/inner.md"]
        assert not tree.complete
        assert len(tree.problems) == 3
        assert any(p.startswith("bad.md") for p in tree.problems)
        assert any(p.startswith("sub/ten.md") for p in tree.problems)
        assert any(p.startswith("sub:") for p in tree.problems)  # the path-less item
        assert reader.read(COMMIT, ["sub/inner.md"]) == {"sub/inner.md": INNER.encode()}


def test_github_answer_without_tree_list_is_not_a_complete_empty_tree(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_trees(monkeypatch, gh, lambda sha, rec: {"sha": sha, "truncated": False})
    with reader_for(gh) as reader:
        try:
            tree = reader.tree(COMMIT)
        except ReaderError:
            return
    assert not tree.complete


def test_add_items_unit() -> None:
    builder = TreeBuilder()
    problems: list[str] = []
    data = {
        "tree": [
            {"path": "dir", "mode": "040000", "type": "tree", "sha": SUB, "size": 99},
            {"path": "dir/x.md", "mode": None, "type": "blob", "sha": blob_sha("x"), "size": -4},
            {"path": "y.md", "type": "blob", "sha": blob_sha("y"), "size": "12"},
            {"path": "mod", "mode": "160000", "type": "commit", "sha": SUB},
            {"path": "zero", "type": "blob", "sha": blob_sha(""), "size": 0},
            *MALFORMED,
        ]
    }
    folders = add_items(builder, data, "pre", problems)
    assert folders == [("pre/dir", SUB)]
    assert len(problems) == len(MALFORMED)
    assert sum("pre: skipped a malformed tree item" in p for p in problems) == 5
    tree = builder.build(COMMIT)
    assert list(tree.paths) == ["pre/dir", "pre/dir/x.md", "pre/mod", "pre/y.md", "pre/zero"]
    assert tree.get("pre/dir") == TreeEntry("pre/dir", "tree", SUB, None, "040000")
    assert tree.get("pre/dir/x.md") == TreeEntry("pre/dir/x.md", "blob", blob_sha("x"))
    assert tree.get("pre/y.md").size is None  # type: ignore[union-attr]
    assert tree.get("pre/zero").size == 0  # type: ignore[union-attr]
    assert tree.get("pre/mod").type == "commit"  # type: ignore[union-attr]


def test_add_items_reports_a_missing_or_odd_tree() -> None:
    builder = TreeBuilder()
    problems: list[str] = []
    assert add_items(builder, {}, "", problems) == []
    assert add_items(builder, {"tree": "nope"}, "sub", problems) == []
    assert add_items(builder, {"tree": [{"type": "weird", "path": "x", "sha": "0" * 40}]},
                      "", problems) == []
    assert problems == ["/: GitHub sent no tree listing", "sub: GitHub sent no tree listing",
                        "/: skipped a tree item of unknown type"]
    assert len(builder) == 0


def test_add_items_huge_size_is_a_problem_not_a_crash() -> None:
    builder = TreeBuilder()
    problems: list[str] = []
    data = {"tree": [_file("huge.md", GOOD, size=1 << 63), _file("ok.md", INNER)]}
    add_items(builder, data, "", problems)
    assert len(problems) == 1 and "huge.md" in problems[0]
    tree = builder.build(COMMIT)
    assert list(tree.paths) == ["ok.md"]
    assert tree.get("ok.md") == TreeEntry("ok.md", "blob", blob_sha(INNER), len(INNER))


def test_add_items_many_odd_modes_is_a_problem_not_a_crash() -> None:
    builder = TreeBuilder()
    problems: list[str] = []
    data = {"tree": [_file(f"f{n}", GOOD, mode=f"1{n:05d}") for n in range(300)]}
    add_items(builder, data, "", problems)
    assert problems and len(builder) + len(problems) == 300
    tree = builder.build(COMMIT)
    assert all(tree.is_file(i) for i in range(len(tree)))


# -- GitReader on names git sorts differently --------------------------------------------------


def test_git_reader_finds_git_order_trap_names(repo: Path, tmp_path: Path) -> None:
    with GitReader(str(repo), None, tmp_path / "cache") as reader:
        head = reader.resolve()
        tree = reader.tree(head)
        assert tree.complete and tree.problems == []
        assert list(tree.paths) == ["a", "a-c", "a.md", "a/b", "a/d", "a/d/e.md"]
        for path in ("a", "a/d"):
            i = tree.find(path)
            assert i is not None and tree.type(i) == "tree" and tree.is_dir(i)
            assert tree.sha(i) == git(repo, "rev-parse", f"{head}:{path}")
        for path in TRAP_FILES:
            i = tree.find(path)
            assert i is not None, path
            assert tree.type(i) == "blob" and tree.is_file(i) and not tree.is_dir(i)
            assert tree.sha(i) == git(repo, "rev-parse", f"{head}:{path}")
        assert [tree.paths[i] for i in tree.span("a")] == ["a/b", "a/d", "a/d/e.md"]
        assert tree.find("a/") is None and tree.find("b") is None
        data = reader.read(head, [*TRAP_FILES, "a", "a/d", "missing"])
        assert data == {path: text.encode() for path, text in TRAP_FILES.items()}
        assert reader.read(head, ["a-c", "a.md"], 3) == {"a-c": b"das", "a.md": b"# d"}
        sizes = {e.path: e.size for e in reader.tree(head).entries}  # blobs now cached
    assert {p: sizes[p] for p in TRAP_FILES} == {p: len(t) for p, t in TRAP_FILES.items()}
    assert sizes["a"] is None


def _sha256_supported(tmp_path: Path) -> bool:
    probe = subprocess.run(["git", "init", "-q", "--object-format=sha256", str(tmp_path / "p")],
                           capture_output=True)  # fmt: skip
    return probe.returncode == 0


def test_git_reader_reads_a_sha256_repository(tmp_path: Path) -> None:
    if not _sha256_supported(tmp_path):
        pytest.skip("git without SHA-256 support")
    origin = tmp_path / "origin256"
    origin.mkdir()
    git(origin, "init", "-q", "--object-format=sha256", "-b", "main")
    head = commit(origin, {"a/b": "bee\n", "a-c": "dash\n"})
    with GitReader(str(origin), None, tmp_path / "cache") as reader:
        assert reader.resolve() == head
        tree = reader.tree(head)
        assert tree.sha(tree.find("a/b")) == git(origin, "rev-parse", f"{head}:a/b")  # type: ignore[arg-type]
        assert reader.read(head, ["a/b"]) == {"a/b": b"bee\n"}

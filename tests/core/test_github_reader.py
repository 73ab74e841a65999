"""GitHubReader against a fake GitHub on loopback."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from skillmeat.config import Settings
from skillmeat.core.marketplace.readers.errors import (
    RateLimited,
    ReaderError,
    ReaderUnavailable,
    RefNotFound,
    RepositoryNotFound,
)
from skillmeat.core.marketplace.readers.github import GitHubReader
from skillmeat.core.marketplace.tree import RepoTree
from tests.fakes.github_server import FakeGitHub, GitEntry, blob_sha, run_fake_github

SUBMODULE = "5f" * 20
FILES: dict[str, bytes | str | GitEntry] = {
    "README.md": "# demo\n",
    ".claude/skills/pdf/SKILL.md": "---\nname: pdf\n---\nRead PDFs.\n",
    ".claude/skills/pdf/scripts/run.sh": GitEntry("100755", "#!/bin/sh\necho hi\n"),
    ".claude/commands/review.md": "---\ndescription: review\n---\nReview it.\n",
    "agents/helper.md": "h" * 5000,
    "agents/copy.md": "# demo\n",  # same content as README.md: one blob
    "docs/link.md": GitEntry("120000", "../README.md"),
    "vendor/lib": GitEntry("160000", SUBMODULE),
    # git orders "a-b" < "a.txt" < "a/" (directories sort as if their name ended in "/")
    "a-b/x.txt": "x\n",
    "a.txt": "a\n",
    "a/y.txt": "y\n",
    "bin/data.bin": bytes(range(256)),
}
OLD = {"README.md": "old\n"}
TOKEN = "ghp_s3cr3tTOKENvalue"


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    fixtures = {
        "o/r": {"refs": {"main": "c1", "v1.0": "c0"}, "commits": {"c1": FILES, "c0": OLD}},
        "o/secret": {"refs": {"main": "c1"}, "commits": {"c1": OLD}, "private": True},
    }
    with run_fake_github(fixtures) as fake:
        yield fake


def make(fake: FakeGitHub, ref: str | None = "main", repo: str = "r", **kwargs) -> GitHubReader:
    kwargs.setdefault("retries", 2)
    kwargs.setdefault("backoff", 0)
    kwargs.setdefault("timeout", 5)
    return GitHubReader("o", repo, ref, api_url=fake.url, **kwargs)


def listing(tree: RepoTree) -> list[tuple[str, str, str, str, int | None]]:
    return [(e.path, e.type, e.mode, e.sha, e.size) for e in tree.entries]


# -- git object ids ----------------------------------------------------------------------------


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    base = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(cwd),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**base, **(env or {})}, check=True,
        capture_output=True, text=True,
    )
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git CLI not installed")
def test_object_ids_match_real_git(gh: FakeGitHub, tmp_path: Path) -> None:
    work = tmp_path / "repo"
    work.mkdir()
    _git(work, "init", "-q")
    for path, content in FILES.items():
        entry = content if isinstance(content, GitEntry) else GitEntry("100644", content)
        data = entry.data.encode() if isinstance(entry.data, str) else entry.data
        if entry.mode == "160000":
            _git(work, "update-index", "--add", "--cacheinfo", f"160000,{SUBMODULE},{path}")
            continue
        target = work / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if entry.mode == "120000":
            os.symlink(data.decode(), target)
        else:
            target.write_bytes(data)
            target.chmod(0o755 if entry.mode == "100755" else 0o644)
        _git(work, "add", path)
    root = _git(work, "write-tree")
    ident = {"NAME": "SkillMeat Fake", "EMAIL": "fake@example.invalid", "DATE": "@0 +0000"}
    env = {f"GIT_{who}_{k}": v for who in ("AUTHOR", "COMMITTER") for k, v in ident.items()}
    commit = _git(work, "commit-tree", root, "-m", "c1", env=env)

    assert gh.tree_sha("o/r", "main") == root
    assert gh.commit_sha("o/r", "main") == commit
    expected = []
    for line in _git(work, "ls-tree", "-r", "-t", "-l", root).splitlines():
        meta, path = line.split("\t", 1)
        mode, kind, sha, size = meta.split()
        expected.append((path, kind, mode, sha, None if size == "-" else int(size)))
    with make(gh) as reader:
        tree = reader.tree(reader.resolve())
    assert tree.commit == commit
    assert listing(tree) == sorted(expected)


# -- refs --------------------------------------------------------------------------------------


def test_resolve_branch_tag_sha_and_default(gh: FakeGitHub) -> None:
    main, old = gh.commit_sha("o/r", "main"), gh.commit_sha("o/r", "v1.0")
    assert make(gh, "main").resolve() == main
    assert make(gh, "v1.0").resolve() == old
    assert make(gh, main).resolve() == main
    assert make(gh, main[:7]).resolve() == main
    assert make(gh, None).resolve() == main  # default branch
    assert gh.requests[0].headers["accept"] == "application/vnd.github.sha"
    assert "authorization" not in gh.requests[0].headers  # no token configured, none sent


def test_unknown_ref(gh: FakeGitHub) -> None:
    with pytest.raises(RefNotFound, match="nope"):
        make(gh, "nope").resolve()


def test_missing_or_private_repository(gh: FakeGitHub) -> None:
    for repo in ("missing", "secret"):
        with pytest.raises(RepositoryNotFound) as caught:
            make(gh, repo=repo).resolve()
        assert f"o/{repo}" in str(caught.value)
        assert "SKILLMEAT_GITHUB_TOKEN" in str(caught.value)
    assert make(gh, repo="secret", token=TOKEN).resolve() == gh.commit_sha("o/secret", "main")


# -- trees -------------------------------------------------------------------------------------


def test_tree_in_one_request(gh: FakeGitHub) -> None:
    with make(gh) as reader:
        tree = reader.tree(reader.resolve())
    assert tree.complete and tree.problems == []
    assert gh.paths("/git/trees/") == [f"/repos/o/r/git/trees/{tree.commit}"]
    entries = {e.path: e for e in tree.entries}
    assert entries["docs/link.md"].is_symlink and entries["docs/link.md"].type == "blob"
    assert entries[".claude/skills/pdf/scripts/run.sh"].mode == "100755"
    skill = entries[".claude/skills/pdf"]
    assert (skill.type, skill.mode, skill.size) == ("tree", "040000", None)
    assert entries["vendor/lib"].type == "commit" and entries["vendor/lib"].sha == SUBMODULE
    assert entries["README.md"].sha == blob_sha("# demo\n") and entries["README.md"].size == 7


@pytest.fixture
def full(gh: FakeGitHub) -> RepoTree:
    """The untruncated listing, to compare walked listings against."""
    with make(gh) as reader:
        tree = reader.tree(reader.resolve())
    gh.reset_requests()
    return tree


def test_truncated_tree_completed_from_subtrees(gh: FakeGitHub, full: RepoTree) -> None:
    gh.max_tree_entries = 8  # the root (23 entries) is too big; every top-level directory fits
    with make(gh) as reader:
        tree = reader.tree(full.commit)
    assert tree.complete and tree.problems == []
    assert listing(tree) == listing(full)
    requests = gh.requests
    assert (requests[0].query, requests[1].query) == ({"recursive": "1"}, {})
    assert all(r.query == {"recursive": "1"} for r in requests[2:])


def test_truncated_tree_walked_level_by_level(gh: FakeGitHub, full: RepoTree) -> None:
    gh.truncate_trees = True  # no recursive listing is ever complete
    with make(gh) as reader:
        tree = reader.tree(full.commit)
    assert tree.complete
    assert listing(tree) == listing(full)


def test_truncated_tree_incomplete_when_a_subtree_fails(gh: FakeGitHub, full: RepoTree) -> None:
    gh.max_tree_entries = 5
    gh.fail(500, times=None, match=gh.tree_sha("o/r", "main", ".claude"))
    with make(gh, retries=1) as reader:
        tree = reader.tree(full.commit)
    assert not tree.complete
    assert len(tree.problems) == 1 and tree.problems[0].startswith(".claude: ")
    paths = [e.path for e in tree.entries]
    assert ".claude" in paths and "agents/helper.md" in paths
    assert not any(p.startswith(".claude/") for p in paths)


def test_truncated_tree_incomplete_at_request_cap(gh: FakeGitHub, full: RepoTree) -> None:
    gh.truncate_trees = True
    with make(gh, max_tree_requests=3) as reader:
        tree = reader.tree(full.commit)
    assert not tree.complete
    assert "stopped after 3 requests" in tree.problems[-1]
    assert len(gh.paths("/git/trees/")) == 4  # the truncated first answer plus the budget


def test_truncated_tree_walk_stops_when_rate_limited(gh: FakeGitHub, full: RepoTree) -> None:
    gh.max_tree_entries = 5
    gh.rate_limit(reset=4102444800, match=gh.tree_sha("o/r", "main", "agents"))
    with make(gh) as reader:
        tree = reader.tree(full.commit)
    assert not tree.complete
    assert any("rate limit" in p for p in tree.problems)


# -- blobs -------------------------------------------------------------------------------------


def test_read_fetches_only_requested_blobs(gh: FakeGitHub) -> None:
    with make(gh) as reader:
        commit = reader.resolve()
        reader.tree(commit)
        gh.reset_requests()
        paths = ["README.md", "agents/helper.md", "missing.md", ".claude", "vendor/lib"]
        got = reader.read(commit, paths, limit=10)
    assert got == {"README.md": b"# demo\n", "agents/helper.md": b"h" * 10}
    wanted = {blob_sha("# demo\n"), blob_sha("h" * 5000)}
    assert {p.rsplit("/", 1)[1] for p in gh.paths()} == wanted
    assert len(gh.requests) == 2


def test_read_binary_content_but_not_a_symlink_target(gh: FakeGitHub) -> None:
    # Like every reader: a link's blob is its target's path, not file content.
    with make(gh) as reader:
        got = reader.read(reader.resolve(), ["bin/data.bin", "docs/link.md"])
    assert got == {"bin/data.bin": bytes(range(256))}


def test_read_without_tree_lists_once(gh: FakeGitHub) -> None:
    with make(gh) as reader:
        commit = reader.resolve()
        assert reader.read(commit, ["a.txt"]) == {"a.txt": b"a\n"}
        assert reader.read(commit, ["a/y.txt"]) == {"a/y.txt": b"y\n"}
    assert len(gh.paths("/git/trees/")) == 1


def test_blobs_cached_by_sha(gh: FakeGitHub) -> None:
    with make(gh) as reader:
        commit = reader.resolve()
        reader.tree(commit)
        gh.reset_requests()
        first = reader.read(commit, ["README.md", "agents/copy.md", "agents/helper.md"], 4)
        assert len(gh.requests) == 2  # README.md and agents/copy.md share one blob
        gh.reset_requests()
        again = reader.read(commit, ["README.md", "agents/copy.md", "agents/helper.md"])
    assert gh.requests == []
    assert first["agents/copy.md"] == b"# de"
    assert again["agents/helper.md"] == b"h" * 5000  # the cache keeps whole blobs


# -- token -------------------------------------------------------------------------------------


def test_token_sent_but_never_shown(gh: FakeGitHub, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    gh.require_token = TOKEN
    reader = make(gh, token=TOKEN, retries=1)
    commit = reader.resolve()
    reader.read(commit, ["README.md"])
    assert gh.requests and all(
        r.headers.get("authorization") == f"Bearer {TOKEN}" for r in gh.requests
    )
    assert TOKEN not in repr(reader) and TOKEN not in str(reader) and "***" in repr(reader)

    errors: list[BaseException] = []
    for setup, ref in ((lambda: gh.fail(500, times=None), "main"), (lambda: None, "nope")):
        setup()
        with pytest.raises(ReaderError) as caught:
            make(gh, ref, token=TOKEN, retries=1).resolve()
        errors.append(caught.value)
        gh.clear_faults()
    with pytest.raises(ReaderError) as caught:
        make(gh, repo="missing", token=TOKEN).resolve()
    errors.append(caught.value)
    for exc in errors:
        assert TOKEN not in str(exc) and TOKEN not in repr(exc)
    reader.close()
    assert caplog.records  # httpx and the reader did log
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
    assert TOKEN not in caplog.text


def test_401_messages(gh: FakeGitHub) -> None:
    gh.require_token = TOKEN
    with pytest.raises(ReaderError, match="GitHub token rejected") as caught:
        make(gh, token="ghp_wrong").resolve()
    assert "ghp_wrong" not in str(caught.value)
    with pytest.raises(ReaderError, match="SKILLMEAT_GITHUB_TOKEN"):
        make(gh).resolve()
    assert len(gh.requests) == 2  # auth failures are not retried


def test_from_settings(gh: FakeGitHub) -> None:
    settings = Settings(github_api_url=gh.url, github_token=SecretStr(TOKEN), github_retries=0)
    reader = GitHubReader.from_settings("o", "r", "main", settings)
    assert reader.retries == 0 and reader.api_url == gh.url
    assert reader.resolve() == gh.commit_sha("o/r", "main")
    assert gh.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in repr(reader)


# -- rate limits and failures ------------------------------------------------------------------


def test_rate_limit_raises_at_once(gh: FakeGitHub) -> None:
    reset = datetime(2030, 1, 2, 19, 4, 30, tzinfo=UTC)
    gh.rate_limit(reset=int(reset.timestamp()))
    sleeps: list[float] = []
    with pytest.raises(RateLimited) as caught:
        make(gh, sleep=sleeps.append).resolve()
    assert "GitHub rate limit exceeded; resets at 19:04 UTC" in str(caught.value)
    assert caught.value.reset_at == reset
    assert len(gh.requests) == 1 and sleeps == []


def test_retry_after_is_a_rate_limit(gh: FakeGitHub) -> None:
    gh.rate_limit(retry_after=60, status=429)
    before = datetime.now(UTC)
    with pytest.raises(RateLimited, match="resets at") as caught:
        make(gh).resolve()
    assert caught.value.reset_at is not None
    assert 55 <= (caught.value.reset_at - before).total_seconds() <= 65
    assert len(gh.requests) == 1


def test_secondary_rate_limit_without_headers(gh: FakeGitHub) -> None:
    gh.fail(403, message="You have exceeded a secondary rate limit.")
    with pytest.raises(RateLimited, match="try again later"):
        make(gh).resolve()
    assert len(gh.requests) == 1


def test_plain_403_is_not_a_rate_limit(gh: FakeGitHub) -> None:
    gh.fail(403, times=None)
    with pytest.raises(ReaderError, match="403") as caught:
        make(gh).resolve()
    assert not isinstance(caught.value, RateLimited)
    assert len(gh.requests) == 1


def test_transient_errors_retried_with_backoff(gh: FakeGitHub) -> None:
    gh.fail(500, times=1)
    gh.fail(502, times=1)
    sleeps: list[float] = []
    reader = make(gh, retries=3, backoff=0.2, sleep=sleeps.append)
    assert reader.resolve() == gh.commit_sha("o/r", "main")
    assert len(gh.requests) == 3
    assert sleeps == [0.2, 0.4]


def test_persistent_errors_unavailable(gh: FakeGitHub) -> None:
    gh.fail(503, times=None)
    with pytest.raises(ReaderUnavailable, match="o/r.*HTTP 503 after 3") as caught:
        make(gh, retries=2).resolve()
    assert isinstance(caught.value, ReaderError)
    assert len(gh.requests) == 3


def test_timeouts_retried_then_unavailable(gh: FakeGitHub) -> None:
    gh.stall(0.5, times=None)
    with pytest.raises(ReaderUnavailable, match="timed out"):
        make(gh, retries=1, timeout=0.1).resolve()
    assert len(gh.requests) == 2


def test_connection_refused_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    reader = GitHubReader("o", "r", "main", api_url=f"http://127.0.0.1:{port}", backoff=0,
                          retries=1, timeout=2)
    with pytest.raises(ReaderUnavailable, match="connection failed"):
        reader.resolve()


def test_shared_client_left_open(gh: FakeGitHub) -> None:
    with httpx.Client() as client:
        reader = make(gh, client=client)
        assert reader.resolve() == gh.commit_sha("o/r", "main")
        reader.close()
        assert not client.is_closed

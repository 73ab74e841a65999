"""GitReader against real local repositories: refs, trees, batched blob reads, errors."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path

import pytest

from skillmeat.core.marketplace.readers.errors import ReaderError, RefNotFound, RepositoryNotFound
from skillmeat.core.marketplace.readers.git import GitReader
from skillmeat.core.marketplace.tree import SYMLINK_MODE

ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
NEWLINE_NAME = "docs/new\nline.md"


def git(repo: Path, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], input=input, capture_output=True, env=ENV, check=True
    )
    return proc.stdout.decode().strip()


def commit(repo: Path, files: Mapping[str, str], message: str = "change") -> str:
    if not (repo / ".git").exists():
        repo.mkdir(parents=True, exist_ok=True)
        git(repo, "init", "-q", "-b", "main")
    for path, text in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture()
def origin(tmp_path: Path) -> Path:
    """A repository with odd names, a symlink, a submodule entry, tags and a second branch."""
    repo = tmp_path / "origin repo"
    commit(
        repo,
        {
            "skills/pdf/SKILL.md": "---\nname: pdf\ndescription: Read PDFs.\n---\n# PDF\n",
            "skills/pdf/reference.md": "r" * 5000,
            "with space/ünïcödé.md": "unicode\n",
            "tab\tname.md": "tab\n",
            NEWLINE_NAME: "newline\n",
            "commands/go.md": "Go: $ARGUMENTS\n",
        },
    )
    (repo / "link-to-skills").symlink_to("skills")
    git(repo, "add", "-A")
    submodule_sha = "1" * 40
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{submodule_sha},vendor/sub")
    git(repo, "commit", "-q", "-m", "links")
    git(repo, "tag", "v1")
    git(repo, "tag", "-a", "v2", "-m", "annotated")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"feature.md": "feature\n"}, "feature")
    git(repo, "checkout", "-q", "main")
    return repo


@pytest.fixture()
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def packs(reader: GitReader) -> int:
    return len(list((reader.git_dir / "objects" / "pack").glob("*.pack")))


def missing_blobs(reader: GitReader, commit_sha: str) -> set[str]:
    out = git(reader.git_dir, "rev-list", "--objects", "--missing=print", commit_sha)
    return {line[1:] for line in out.splitlines() if line.startswith("?")}


def test_resolves_head_branch_tags_and_sha(origin: Path, cache: Path) -> None:
    head = git(origin, "rev-parse", "main")
    feature = git(origin, "rev-parse", "feature")
    for ref, expected in [
        (None, head),
        ("main", head),
        ("refs/heads/main", head),
        ("feature", feature),
        ("v1", head),
        ("v2", head),  # annotated: the commit, not the tag object
        (feature, feature),
    ]:
        assert GitReader(str(origin), ref, cache).resolve() == expected, ref


def test_file_url_works_like_a_path(origin: Path, cache: Path) -> None:
    url = "file://" + str(origin)
    reader = GitReader(url, "main", cache)
    sha = reader.resolve()
    assert any(e.path == "commands/go.md" for e in reader.tree(sha).entries)


def test_tree_lists_directories_symlinks_submodules_and_odd_names(
    origin: Path, cache: Path
) -> None:
    reader = GitReader(str(origin), None, cache)
    sha = reader.resolve()
    tree = reader.tree(sha)
    entries = {e.path: e for e in tree.entries}
    assert tree.commit == sha and tree.complete and not tree.problems
    assert entries["skills/pdf"].type == "tree"
    assert entries["skills/pdf"].sha == git(origin, "rev-parse", f"{sha}:skills/pdf")
    assert entries["skills/pdf/SKILL.md"].type == "blob"
    assert entries["link-to-skills"].mode == SYMLINK_MODE and entries["link-to-skills"].is_symlink
    assert entries["vendor/sub"].type == "commit"
    for odd in ("with space/ünïcödé.md", "tab\tname.md", NEWLINE_NAME):
        assert entries[odd].type == "blob"
    # Nothing below the symlink is listed: it is one entry, not a second copy.
    assert not any(p.startswith("link-to-skills/") for p in entries)


def test_read_batches_caps_and_skips(origin: Path, cache: Path) -> None:
    reader = GitReader(str(origin), None, cache)
    sha = reader.resolve()
    reader.tree(sha)
    wanted = [
        "skills/pdf/SKILL.md",
        "skills/pdf/reference.md",
        NEWLINE_NAME,
        "with space/ünïcödé.md",
        "no/such/file.md",  # missing: skipped
        "skills/pdf",  # a directory: skipped
        "link-to-skills",  # a symlink: its target is not file content
        "vendor/sub",  # a submodule
    ]
    data = reader.read(sha, wanted, 100)
    assert set(data) == {
        "skills/pdf/SKILL.md",
        "skills/pdf/reference.md",
        NEWLINE_NAME,
        "with space/ünïcödé.md",
    }
    assert data["skills/pdf/reference.md"] == b"r" * 100
    assert data[NEWLINE_NAME] == b"newline\n"
    assert reader.read(sha, ["skills/pdf/reference.md"])["skills/pdf/reference.md"] == b"r" * 5000
    assert reader.read(sha, []) == {}


def test_blobless_fetch_then_one_round_trip_for_a_batch(origin: Path, cache: Path) -> None:
    reader = GitReader(str(origin), None, cache)
    sha = reader.resolve()
    tree = reader.tree(sha)
    blobs = {e.path: e.sha for e in tree.entries if e.type == "blob" and not e.is_symlink}
    # Only commits and trees came over: every blob is still missing, sizes are unknown.
    assert set(blobs.values()) <= missing_blobs(reader, sha)
    assert all(e.size is None for e in tree.entries if e.type == "blob")
    before = packs(reader)
    data = reader.read(sha, ["skills/pdf/SKILL.md", "commands/go.md", NEWLINE_NAME])
    assert data["commands/go.md"] == b"Go: $ARGUMENTS\n"
    assert packs(reader) == before + 1  # one fetch for the whole batch
    still_missing = missing_blobs(reader, sha)
    assert blobs["commands/go.md"] not in still_missing
    assert blobs["with space/ünïcödé.md"] in still_missing  # not asked for, not fetched
    sizes = {e.path: e.size for e in reader.tree(sha).entries}
    assert sizes["commands/go.md"] == len(b"Go: $ARGUMENTS\n")


def test_cache_is_reused_and_new_commits_are_fetched(origin: Path, cache: Path) -> None:
    first = GitReader(str(origin), "main", cache)
    old = first.resolve()
    first.tree(old)
    again = GitReader(str(origin), "main", cache)
    count = packs(again)
    again.tree(again.resolve())
    assert packs(again) == count  # the commit is in the cache already
    new = commit(origin, {"commands/new.md": "New\n"})
    latest = GitReader(str(origin), "main", cache)
    assert latest.resolve() == new
    paths = {e.path for e in latest.tree(new).entries}
    assert "commands/new.md" in paths
    assert latest.read(new, ["commands/new.md"]) == {"commands/new.md": b"New\n"}
    assert "commands/new.md" not in {e.path for e in latest.tree(old).entries}


def test_unknown_ref_and_commit(origin: Path, cache: Path) -> None:
    with pytest.raises(RefNotFound, match="ref 'nope' not found"):
        GitReader(str(origin), "nope", cache).resolve()
    with pytest.raises(RefNotFound, match="full 40-character sha"):
        GitReader(str(origin), "abc1234", cache).resolve()
    with pytest.raises(RefNotFound, match="not found"):
        GitReader(str(origin), "0" * 40, cache).resolve()
    with pytest.raises(RefNotFound):
        GitReader(str(origin), None, cache).tree("not-a-sha")


def test_nonexistent_repository(tmp_path: Path, cache: Path) -> None:
    with pytest.raises(RepositoryNotFound, match="repository not found or not reachable"):
        GitReader(str(tmp_path / "missing"), None, cache).resolve()
    empty = tmp_path / "not-a-repo"
    empty.mkdir()
    with pytest.raises(RepositoryNotFound):
        GitReader(str(empty), "main", cache).resolve()


def test_empty_repository_has_no_head(tmp_path: Path, cache: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    with pytest.raises(RefNotFound, match="no commits"):
        GitReader(str(repo), None, cache).resolve()


def test_rejects_option_like_urls(cache: Path) -> None:
    with pytest.raises(ReaderError):
        GitReader("--upload-pack=touch pwned", None, cache)
    with pytest.raises(ReaderError):
        GitReader("", None, cache)


def test_ignores_inherited_git_environment(
    origin: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    reader = GitReader(str(origin), None, cache)
    sha = reader.resolve()
    assert reader.read(sha, ["commands/go.md"]) == {"commands/go.md": b"Go: $ARGUMENTS\n"}


def test_concurrent_readers_share_one_cache(origin: Path, cache: Path) -> None:
    results: list[bytes] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with GitReader(str(origin), "main", cache) as reader:
                sha = reader.resolve()
                reader.tree(sha)
                results.append(reader.read(sha, ["skills/pdf/SKILL.md"])["skills/pdf/SKILL.md"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 4 and len(set(results)) == 1

"""Real local git repositories for tests: write files, commit, get the sha."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1", "HOME": os.environ.get("HOME", "/tmp"),
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          env=ENV, text=True).stdout.strip()


def commit(repo: Path, files: Mapping[str, str | bytes] | None = None,
           remove: Iterable[str] = (), message: str = "change") -> str:
    """Write `files`, delete `remove`, commit everything; returns the new commit sha."""
    if not (repo / ".git").exists():
        repo.mkdir(parents=True, exist_ok=True)
        git(repo, "init", "-q", "-b", "main")
    for path, content in (files or {}).items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    for path in remove:
        git(repo, "rm", "-rq", path)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def skill(name: str, description: str = "Does a useful thing when asked.") -> str:
    return f"---\nname: {name}\ndescription: {description}\n---\n\n# {name}\n\nSteps.\n"


def agent(name: str) -> str:
    return f"---\nname: {name}\ndescription: Reviews code for {name}.\n---\n\nYou review.\n"


def command(description: str = "Run the deploy") -> str:
    return f"---\ndescription: {description}\n---\n\nDo it: $ARGUMENTS\n"


def fast_commit(repo: Path, files: Iterable[tuple[str, bytes]] | Mapping[str, bytes],
                modes: Mapping[str, str] | None = None) -> str:
    """A new repository at `repo` holding one commit of exactly `files`, through `git
    fast-import`: paths git would refuse in a worktree (`.git` components) and big blobs
    never touch the disk as files. `modes` gives a path another mode (100755, 120000)."""
    items = files.items() if isinstance(files, Mapping) else files
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    proc = subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet", "--done"],
                            stdin=subprocess.PIPE, env=ENV)
    assert proc.stdin is not None
    with proc.stdin as out:
        out.write(b"commit refs/heads/main\ncommitter Test <test@example.invalid> 0 +0000\n"
                  b"data 7\nhostile\n")
        for path, data in items:
            mode = (modes or {}).get(path, "100644")
            out.write(b"M %s inline %s\ndata %d\n%s\n" % (mode.encode(), path.encode(),
                                                          len(data), data))
        out.write(b"\ndone\n")
    if proc.wait() != 0:
        raise RuntimeError("git fast-import failed")
    return git(repo, "rev-parse", "refs/heads/main")

"""Run the git CLI safely: argument lists, a clean environment, errors turned into reader errors."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from skillmeat.core.marketplace.readers.errors import (
    ReaderError,
    ReaderUnavailable,
    RepositoryNotFound,
)
from skillmeat.core.marketplace.urls import REMOTE_PROTOCOLS

# What a git child process inherits: what git, ssh and curl need to reach a repository, and
# nothing else (no SKILLMEAT_* secrets, no GIT_* redirections). Proxy variables stay: git needs
# them to get out at all.
_INHERITED = (
    "PATH", "HOME", "TMPDIR", "USER", "LOGNAME", "SSH_AUTH_SOCK", "SSL_CERT_FILE",
    "SSL_CERT_DIR", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
    "all_proxy", "NO_PROXY", "no_proxy",
)

# Messages git prints when the remote side is missing, private or unreachable.
_UNREACHABLE = (
    "does not appear to be a git repository",
    "repository not found",
    "could not read from remote repository",
    "could not resolve host",
    "authentication failed",
    "could not read username",
    "terminal prompts disabled",
    "failed to connect",
    "connection refused",
    "connection timed out",
    "not found",
    "no such file or directory",
)


def git_env(protocols: str = REMOTE_PROTOCOLS) -> dict[str, str]:
    """The environment for a git call: no prompts, no user or system config, C locale.

    `protocols` are the transports git may use (GIT_ALLOW_PROTOCOL): "ext" never, "file" only
    for a local source. SKILLMEAT_GIT_PROTOCOLS can narrow them further (the test suite allows
    only "file"), never widen them.
    """
    allowed = protocols.split(":")
    narrowed = os.environ.get("SKILLMEAT_GIT_PROTOCOLS")
    if narrowed:
        allowed = [p for p in allowed if p in narrowed.split(":")]
    env = {k: os.environ[k] for k in _INHERITED if k in os.environ}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GCM_INTERACTIVE="never",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_ALLOW_PROTOCOL=":".join(allowed),  # empty: no transport at all
        GIT_SSH_COMMAND="ssh -o BatchMode=yes",
        LC_ALL="C",
        LANGUAGE="C",
    )
    return env


# Flags for every command: no automatic gc (it could prune objects another process is using).
_BASE_FLAGS = ("-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "core.quotePath=false")


def git_command(args: Sequence[str], git_dir: Path | None = None) -> list[str]:
    """The argument list for one git call."""
    cmd = ["git", *_BASE_FLAGS]
    if git_dir is not None:
        cmd += ["--git-dir", str(git_dir)]
    return cmd + list(args)


def run_git(
    args: Sequence[str],
    git_dir: Path | None = None,
    *,
    input: bytes | None = None,
    timeout: float | None = None,
    check: bool = True,
    protocols: str = REMOTE_PROTOCOLS,
) -> subprocess.CompletedProcess[bytes]:
    """Run git and capture its output; raise ReaderError on failure when `check`."""
    cmd = git_command(args, git_dir)
    try:
        proc = subprocess.run(
            cmd,
            input=input,
            capture_output=True,
            env=git_env(protocols),
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ReaderUnavailable("git is not installed or not on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise ReaderUnavailable(f"git {args[0]} timed out after {timeout:.0f}s") from exc
    if check and proc.returncode != 0:
        raise ReaderError(f"git {args[0]} failed: {stderr_summary(proc.stderr)}")
    return proc


@contextmanager
def stream_git(
    args: Sequence[str], git_dir: Path | None = None, *, timeout: float | None = None
) -> Iterator[IO[bytes]]:
    """Run git and hand over its stdout as a stream: big listings are never held whole.

    Raises ReaderError when git fails, ReaderUnavailable when it runs past `timeout`.
    """
    with tempfile.TemporaryFile() as errors:  # a file: a chatty stderr cannot block git
        try:
            proc = subprocess.Popen(
                git_command(args, git_dir), stdout=subprocess.PIPE, stderr=errors, env=git_env()
            )
        except FileNotFoundError as exc:
            raise ReaderUnavailable("git is not installed or not on PATH") from exc
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer is not None:
            timer.daemon = True
            timer.start()
        assert proc.stdout is not None
        try:
            yield proc.stdout
            while proc.stdout.read(1 << 20):  # whatever the caller left, so git can finish
                pass
        finally:
            proc.stdout.close()
            if proc.poll() is None and not _finishes(proc):
                proc.kill()
            proc.wait()
            if timer is not None:
                timer.cancel()
        if proc.returncode == 0:
            return
        if proc.returncode < 0 and timeout:
            raise ReaderUnavailable(f"git {args[0]} timed out after {timeout:.0f}s")
        errors.seek(0)
        raise ReaderError(f"git {args[0]} failed: {stderr_summary(errors.read(64 << 10))}")


def _finishes(proc: subprocess.Popen[bytes]) -> bool:
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return False
    return True


def stderr_summary(stderr: bytes) -> str:
    """The meaningful lines of git's stderr, on one line."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines()]
    kept = [ln for ln in lines if ln and not ln.startswith(("hint:", "From "))]
    # git's first fatal/error line names the cause; later ones repeat generic advice.
    errors = [ln for ln in kept if ln.startswith(("fatal:", "error:"))]
    return "; ".join(errors[:2] or kept[-3:]) or "no message"


def is_unreachable(stderr: bytes) -> bool:
    """Whether git's complaint means the repository itself cannot be reached."""
    text = stderr.decode("utf-8", "replace").lower()
    if "couldn't find remote ref" in text or "not our ref" in text:
        return False
    return any(marker in text for marker in _UNREACHABLE)


def unreachable(url: str, stderr: bytes) -> RepositoryNotFound:
    """The error for a repository git could not reach."""
    return RepositoryNotFound(
        f"repository not found or not reachable: {url} ({stderr_summary(stderr)})"
    )

"""Run the git CLI safely: argument lists, a clean environment, errors turned into reader errors."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from skillmeat.core.marketplace.readers.deadline import NO_DEADLINE, Deadline
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

# A transfer slower than this many bytes a second for this many seconds is abandoned (http(s)).
LOW_SPEED_BYTES, LOW_SPEED_SECONDS = 1000, 30
# ssh gives up on a host that does not connect, or stops answering, within about this long.
SSH_COMMAND = ("ssh -o BatchMode=yes -o ConnectTimeout=30 -o ServerAliveInterval=15 "
               "-o ServerAliveCountMax=2")

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
        GIT_SSH_COMMAND=SSH_COMMAND,
        GIT_HTTP_LOW_SPEED_LIMIT=str(LOW_SPEED_BYTES),
        GIT_HTTP_LOW_SPEED_TIME=str(LOW_SPEED_SECONDS),
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


def spawn_git(args: Sequence[str], git_dir: Path | None = None, *,
              protocols: str = REMOTE_PROTOCOLS, **streams: Any) -> subprocess.Popen[bytes]:
    """Start git in a process group of its own, so `kill_group` ends its helpers too.

    git:// has no connect or read timeout of its own, and `git fetch` runs helpers
    (remote-https, index-pack, ssh) that would outlive a killed parent.
    """
    try:
        return subprocess.Popen(git_command(args, git_dir), env=git_env(protocols),
                                process_group=0, **streams)
    except FileNotFoundError as exc:
        raise ReaderUnavailable("git is not installed or not on PATH") from exc


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # already gone (and reaped): its group id may belong to someone else now


@contextmanager
def watchdog(proc: subprocess.Popen[bytes], timeout: float | None) -> Iterator[threading.Event]:
    """Kill `proc`'s group once `timeout` passes; the event says whether that happened."""
    fired = threading.Event()

    def fire() -> None:
        if proc.poll() is None:
            fired.set()
            kill_group(proc)

    timer = threading.Timer(timeout, fire) if timeout is not None else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        yield fired
    finally:
        if timer is not None:
            timer.cancel()


def timed_out(command: str, timeout: float | None, deadline: Deadline) -> ReaderUnavailable:
    """The error for a git call that was killed for running too long."""
    if deadline.passed:
        return deadline.exceeded()
    return ReaderUnavailable(f"git {command} timed out after {timeout or 0:.0f}s")


def run_git(
    args: Sequence[str],
    git_dir: Path | None = None,
    *,
    input: bytes | None = None,
    timeout: float | None = None,
    check: bool = True,
    protocols: str = REMOTE_PROTOCOLS,
    deadline: Deadline = NO_DEADLINE,
) -> subprocess.CompletedProcess[bytes]:
    """Run git and capture its output; raise ReaderError on failure when `check`.

    It runs for `timeout` seconds at most, and never past `deadline`.
    """
    limit = deadline.bound(timeout)
    proc = spawn_git(args, git_dir, protocols=protocols, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE,
                     stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL)
    try:
        out, err = proc.communicate(input, timeout=limit)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        proc.communicate()
        raise timed_out(args[0], limit, deadline) from None
    except BaseException:
        kill_group(proc)
        proc.wait()
        raise
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    if check and done.returncode != 0:
        raise ReaderError(f"git {args[0]} failed: {stderr_summary(err)}")
    return done


@contextmanager
def stream_git(
    args: Sequence[str], git_dir: Path | None = None, *, timeout: float | None = None,
    deadline: Deadline = NO_DEADLINE,
) -> Iterator[IO[bytes]]:
    """Run git and hand over its stdout as a stream: big listings are never held whole.

    Raises ReaderError when git fails, ReaderUnavailable when it runs past `timeout` or
    DeadlineExceeded past `deadline`.
    """
    limit = deadline.bound(timeout)
    with tempfile.TemporaryFile() as errors:  # a file: a chatty stderr cannot block git
        proc = spawn_git(args, git_dir, stdout=subprocess.PIPE, stderr=errors,
                         stdin=subprocess.DEVNULL)
        assert proc.stdout is not None
        with watchdog(proc, limit) as fired:
            try:
                yield proc.stdout
                while proc.stdout.read(1 << 20):  # whatever the caller left, so git can finish
                    pass
            finally:
                proc.stdout.close()
                if proc.poll() is None and not _finishes(proc):
                    kill_group(proc)
                proc.wait()
        if proc.returncode == 0:
            return
        if fired.is_set():
            raise timed_out(args[0], limit, deadline)
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

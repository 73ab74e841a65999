"""`skillmeat serve` as a real child process: for crash tests and multi-process tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`host` other than loopback: only an address of a network namespace the test made,
    with `prefix` = ["ip", "netns", "exec", NAME] to start the server inside it."""

    def __init__(self, database_url: str, data_dir: Path, *, host: str = "127.0.0.1",
                 prefix: tuple[str, ...] = (), **env: str) -> None:
        self.port = free_port()
        self.host, self.prefix = host, prefix
        self.env = {**os.environ, "SKILLMEAT_DATABASE_URL": database_url,
                    "SKILLMEAT_DATA_DIR": str(data_dir), "SKILLMEAT_ALLOW_LOCAL_SOURCES": "true",
                    **env}
        self.log = data_dir / f"server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30) -> ServerProcess:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [*self.prefix, sys.executable, "-m", "skillmeat.cli.main", "serve",
                 "--host", self.host, "--port", str(self.port)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                # trust_env=False: the suite's dead proxy must not swallow a namespace address.
                if httpx.get(f"{self.url}/healthz", timeout=1,
                             trust_env=False).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not start in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing; what a crash looks like."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

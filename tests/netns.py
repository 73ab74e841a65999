"""A private network namespace for tests that need a non-loopback address.

The test creates a namespace and a veth pair with addresses from 198.18.0.0/16 (the range set
aside for network benchmark tests), starts the server inside the namespace, talks to it from
the host end, and removes both afterwards. Nothing else is bound or reached. Needs root and
`ip`; without them the tests skip, except with CI=true (CI runs as root), where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class Namespace:
    name: str
    server_ip: str  # inside the namespace: where the server listens
    host_ip: str  # the host end of the veth pair: where the test's requests come from

    @property
    def prefix(self) -> tuple[str, ...]:
        return ("ip", "netns", "exec", self.name)


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=30)


def _free_subnet(pid: int) -> tuple[str, str]:
    """A /30 inside 198.18.0.0/16 that no interface here uses yet: (host end, server end)."""
    in_use = _ip("-4", "-o", "addr", "show").stdout
    for attempt in range(64):
        slot = (pid + attempt * 7919) % 16384  # 16,384 /30s in a /16
        third, fourth = slot // 64, slot % 64 * 4
        host, server = f"198.18.{third}.{fourth + 1}", f"198.18.{third}.{fourth + 2}"
        if f" {host}/" not in in_use and f" {server}/" not in in_use:
            return host, server
    raise RuntimeError("no free test subnet in 198.18.0.0/16")


def require_namespaces() -> None:
    missing = "root" if os.geteuid() != 0 else ("`ip`" if shutil.which("ip") is None else None)
    if missing is None:
        return
    if IN_CI:
        pytest.fail(f"network namespace tests need {missing} in CI", pytrace=False)
    pytest.skip(f"network namespace tests need {missing}")


def _remove_stale() -> None:
    """Namespaces an earlier run left behind when it was killed (its pid is gone)."""
    for line in _ip("netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        pid = name.removeprefix("smtest")
        if name.startswith("smtest") and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            _ip("link", "del", f"smh{pid}", check=False)
            _ip("netns", "del", name, check=False)


@contextmanager
def network_namespace() -> Iterator[Namespace]:
    require_namespaces()
    _remove_stale()
    pid = os.getpid()
    name, host_end, ns_end = f"smtest{pid}", f"smh{pid}", f"smn{pid}"
    host_ip, server_ip = _free_subnet(pid)
    try:
        _ip("netns", "add", name)
        _ip("link", "add", host_end, "type", "veth", "peer", "name", ns_end)
        _ip("link", "set", ns_end, "netns", name)
        _ip("addr", "add", f"{host_ip}/30", "dev", host_end)
        _ip("link", "set", host_end, "up")
        _ip("netns", "exec", name, "ip", "addr", "add", f"{server_ip}/30", "dev", ns_end)
        _ip("netns", "exec", name, "ip", "link", "set", ns_end, "up")
        _ip("netns", "exec", name, "ip", "link", "set", "lo", "up")
        yield Namespace(name, server_ip, host_ip)
    finally:
        _ip("link", "del", host_end, check=False)  # takes its peer with it
        _ip("netns", "del", name, check=False)

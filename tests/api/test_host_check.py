"""DNS rebinding: the server answers only to loopback names, IP addresses and allowed names."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from skillmeat.api.middleware import host_allowed
from skillmeat.cache.db import Database
from skillmeat.config import Settings

BASE = "/api/v1/marketplace/sources"
REBOUND = ["evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.nip.io",
           "evil.example.", "skills.example.evil.example", "", "[::1", "local host"]
OWN = ["localhost", "LOCALHOST:8080", "localhost.", "127.0.0.1", "127.0.0.1:8080",
       "127.1.2.3", "[::1]", "[::1]:8080", "192.0.2.5:8080", "[2001:db8::5]:443"]


@pytest.mark.parametrize("host", REBOUND)
def test_a_rebound_name_is_refused_before_anything_runs(client: httpx.Client,
                                                        host: str) -> None:
    for method, path in (("GET", BASE), ("POST", BASE), ("GET", "/"), ("GET", "/healthz")):
        resp = client.request(method, path, headers={"Host": host},
                              json={"repo_url": "https://github.com/acme/tools"})
        assert resp.status_code == 400, (method, path, resp.text)
        assert "SKILLMEAT_ALLOWED_HOSTS" in resp.json()["detail"]
    assert client.get(BASE).json()["items"] == []


@pytest.mark.parametrize("host", OWN)
def test_loopback_names_and_ip_addresses_are_answered(client: httpx.Client, host: str) -> None:
    assert client.get(BASE, headers={"Host": host}).status_code == 200


def test_allowed_hosts_add_names_and_domains(client: httpx.Client, live_server: Any,
                                             settings: Settings, db: Database) -> None:
    live_server.use(settings.model_copy(update={
        "allowed_hosts": ["skills.example", ".corp.example"]}), db)
    for host in ("skills.example", "SKILLS.example:8443", "corp.example", "a.b.corp.example"):
        assert client.get(BASE, headers={"Host": host}).status_code == 200, host
    for host in ("evilcorp.example", "skills.example.evil", "corp.example.evil"):
        assert client.get(BASE, headers={"Host": host}).status_code == 400, host


def test_a_request_without_host_header_is_refused(live_server: Any, client: httpx.Client) -> None:
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        reply = sock.recv(4096)
    assert reply.split(b" ", 2)[1] == b"400"


def test_allowed_hosts_are_read_from_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLMEAT_ALLOWED_HOSTS", " Skills.Example , .corp.example,, ")
    assert Settings().allowed_hosts == ["skills.example", ".corp.example"]
    assert host_allowed("x.corp.example", Settings().allowed_hosts)
    assert not host_allowed("evil.example", Settings().allowed_hosts)
    assert host_allowed("evil.example", ["*"])  # the operator turned the check off

"""The database goes away and comes back: 503 with a readable detail, then recovery."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from tests.fakes.tcp_proxy import TcpProxy

BASE = "/api/v1/marketplace/sources"


def _seed(client: httpx.Client) -> tuple[str, str]:
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/tools"}).json()["id"]
    client.post(f"{BASE}/{sid}/scan-results", json={"commit": "abcd1234", "artifacts": [
        {"type": "skill", "name": "pdf", "path": "skills/pdf", "content_hash": "a",
         "confidence": 90}]})
    return sid, client.get(f"{BASE}/{sid}/artifacts").json()["items"][0]["id"]


def _assert_unavailable(client: httpx.Client, sid: str, entry_id: str) -> None:
    for resp in (client.get(f"{BASE}/{sid}"),
                 client.patch(f"{BASE}/{sid}/artifacts/{entry_id}/exclude", json={})):
        assert resp.status_code == 503, resp.text
        assert "database" in resp.json()["detail"]
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "database" in ready.json()["detail"]
    assert client.get("/healthz").status_code == 200


def _assert_recovered(client: httpx.Client, sid: str, entry_id: str) -> None:
    assert client.get("/readyz").status_code == 200
    resp = client.patch(f"{BASE}/{sid}/artifacts/{entry_id}/exclude", json={"reason": "back"})
    assert resp.status_code == 200 and resp.json()["status"] == "excluded"


@pytest.fixture
def proxied_db(db: Database, pg_url: str | None) -> Iterator[tuple[Database, TcpProxy]]:
    if pg_url is None:
        pytest.skip("PostgreSQL outage is tested on the PostgreSQL pass")
    url = make_url(db.url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    proxied = Database(url.set(host="127.0.0.1", port=proxy.port)
                       .render_as_string(hide_password=False))
    yield proxied, proxy
    proxy.cut()
    proxied.dispose()


def test_postgresql_stopped_gives_503_and_the_service_recovers(
        client: httpx.Client, live_server: Any, settings: Settings,
        proxied_db: tuple[Database, TcpProxy]) -> None:
    database, proxy = proxied_db
    live_server.use(settings, database)
    sid, entry_id = _seed(client)
    proxy.cut()
    _assert_unavailable(client, sid, entry_id)
    proxy.restore()
    _assert_recovered(client, sid, entry_id)


def test_a_login_session_checked_during_an_outage_gets_503(
        client: httpx.Client, live_server: Any, settings: Settings,
        proxied_db: tuple[Database, TcpProxy]) -> None:
    database, proxy = proxied_db
    live_server.use(settings.model_copy(update={"api_token": SecretStr("outage-token-123"),
                                                "protect_reads": True}), database)
    assert client.post("/login", data={"token": "outage-token-123"}).status_code == 303
    proxy.cut()
    resp = client.get(BASE)
    assert resp.status_code == 503 and "database" in resp.json()["detail"]
    proxy.restore()
    assert client.get(BASE).status_code == 200


def _chattr(flag: str, *paths: Path) -> bool:
    existing = [str(p) for p in paths if p.exists()]
    return subprocess.run(["chattr", flag, *existing], capture_output=True).returncode == 0


def test_sqlite_file_unwritable_gives_503_and_the_service_recovers(
        client: httpx.Client, live_server: Any, settings: Settings, db: Database,
        pg_url: str | None) -> None:
    if pg_url is not None:
        pytest.skip("SQLite outage is tested on the SQLite pass")
    sid, entry_id = _seed(client)
    path = Path(make_url(db.url).database or "")
    db.dispose()  # checkpoint the WAL into the file, close every handle
    if not _chattr("+i", path):
        pytest.skip("this filesystem cannot make a file immutable")
    try:
        _assert_unavailable_writes(client, sid, entry_id)
    finally:
        _chattr("-i", path)
    _assert_recovered(client, sid, entry_id)


def _assert_unavailable_writes(client: httpx.Client, sid: str, entry_id: str) -> None:
    resp = client.patch(f"{BASE}/{sid}/artifacts/{entry_id}/exclude", json={})
    assert resp.status_code == 503, resp.text
    assert "database" in resp.json()["detail"]
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "database" in ready.json()["detail"]

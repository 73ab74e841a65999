"""Repository URLs an attacker would try, over HTTP, on a server that refuses local sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from tests.core.test_repo_urls import LOCAL_FORMS, REFUSED_EVERYWHERE
from tests.gitrepo import commit, skill

BASE = "/api/v1/marketplace/sources"


@pytest.fixture
def remote_only(live_server: Any, settings: Settings, db: Database) -> Settings:
    closed = settings.model_copy(update={"allow_local_sources": False})
    live_server.use(closed, db)
    return closed


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A readable git repository at "name:relative/path" under the server's working directory."""
    repo = tmp_path / "name:relative" / "path"
    commit(repo, {"skills/secret/SKILL.md": skill("secret")})
    monkeypatch.chdir(tmp_path)
    return repo


@pytest.mark.parametrize("url", LOCAL_FORMS + ["name:relative/path/", "./name:relative/path"])
def test_every_local_form_is_refused_when_local_sources_are_not_allowed(
        client: httpx.Client, remote_only: Settings, planted: Path, url: str) -> None:
    resp = client.post(BASE, json={"repo_url": url, "scan": True})
    assert resp.status_code == 422, resp.text
    assert "local repositories are not allowed" in resp.json()["detail"]
    assert client.get(BASE).json()["items"] == []


@pytest.mark.parametrize("url", [u for u in REFUSED_EVERYWHERE if "\x00" not in u])
def test_hostile_urls_are_a_clear_422_even_where_local_sources_are_allowed(
        client: httpx.Client, url: str) -> None:
    resp = client.post(BASE, json={"repo_url": url})
    assert resp.status_code == 422, resp.text
    assert isinstance(resp.json()["detail"], str | list)


def test_a_stored_local_source_is_refused_everywhere_once_the_server_stops_allowing_it(
        client: httpx.Client, live_server: Any, settings: Settings, db: Database,
        planted: Path) -> None:
    source = client.post(BASE, json={"repo_url": "name:relative/path", "scan": True}).json()
    assert source["scan_status"] == "success" and source["repo_url"] == str(planted)
    entry = client.get(f"{BASE}/{source['id']}/artifacts").json()["items"][0]
    live_server.use(settings.model_copy(update={"allow_local_sources": False}), db)
    sid, eid = source["id"], entry["id"]
    for resp in (client.post(f"{BASE}/{sid}/rescan"),
                 client.get(f"{BASE}/{sid}/artifacts/{eid}/files"),
                 client.get(f"{BASE}/{sid}/artifacts/{eid}/files/SKILL.md"),
                 client.post(f"{BASE}/{sid}/import", json={"entry_ids": [eid]})):
        assert resp.status_code == 422, resp.text
        assert "local repositories are not allowed" in resp.json()["detail"]
    after = client.get(f"{BASE}/{sid}").json()
    assert after["scan_status"] == "error"
    assert "local repositories are not allowed" in after["last_error"]

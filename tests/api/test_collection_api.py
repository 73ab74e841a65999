"""The collection over HTTP: the units API, marketplace.json, and /collection.git cloned by
real git (shallow, as Claude Code clones), with and without protected reads."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from tests.conftest import LiveServer
from tests.core.collection_fixtures import scanned_repo

BASE = "/api/v1/marketplace/sources"
TOKEN = "s3cret-token-for-git"


def clone_env(tmp_path: Path) -> dict[str, str]:
    """git as a user runs it: its own HOME, http allowed, no proxy for loopback."""
    home = tmp_path / "git-home"
    home.mkdir(exist_ok=True)
    return {"PATH": os.environ["PATH"], "HOME": str(home), "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1", "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}


def git_clone(url: str, target: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "clone", "-q", "--depth", "1", url, str(target)],
                          env=clone_env(tmp_path), capture_output=True, text=True, timeout=60,
                          check=False)


@pytest.fixture
def imported(client: httpx.Client, db: Database, settings: Settings,
             tmp_path: Path) -> dict[str, str]:
    sid, ids = scanned_repo(db, settings, tmp_path)
    wanted = [ids["skills/pdf"], ids[".claude/commands/deploy.md"], ids["servers/.mcp.json"]]
    resp = client.post(f"{BASE}/{sid}/import", json={"entry_ids": wanted})
    assert resp.status_code == 200, resp.text
    return {"sid": sid, **ids}


def test_list_show_and_remove_units(client: httpx.Client, imported: dict[str, str],
                                    settings: Settings) -> None:
    body = client.get("/api/v1/collection", params={"limit": 2}).json()
    assert body["marketplace"] == "skillmeat"
    assert [u["name"] for u in body["items"]] == ["deploy", "pdf"]
    assert body["page_info"]["has_more"]
    rest = client.get("/api/v1/collection", params={"cursor": body["page_info"]["next_cursor"]})
    assert [u["name"] for u in rest.json()["items"]] == ["servers"]
    assert body["add_commands"]["remote"] == \
        f"claude plugin marketplace add {client.base_url}/collection.git"
    assert str(settings.data_dir) not in json.dumps(body)
    pdf = client.get("/api/v1/collection/pdf").json()
    assert (pdf["kind"], pdf["path"], pdf["entry_id"]) == ("skill", "skills/pdf",
                                                           imported["skills/pdf"])
    assert pdf["local_edits"] is False and pdf["file_count"] == 3
    unit = settings.resolved_collection_dir / "plugins/pdf/skills/pdf/SKILL.md"
    unit.write_text("changed here")
    edited = client.get("/api/v1/collection/pdf").json()
    assert edited["local_edits"] and edited["changed_files"] == ["skills/pdf/SKILL.md"]
    assert client.get("/api/v1/collection/nope").status_code == 404
    removed = client.delete("/api/v1/collection/pdf")
    assert removed.status_code == 200, removed.text
    entries = client.get(f"{BASE}/{imported['sid']}/artifacts",
                         params={"limit": 100}).json()["items"]
    assert {e["path"]: e["status"] for e in entries}["skills/pdf"] == "new"
    assert client.delete("/api/v1/collection/pdf").status_code == 404
    market = client.get("/collection/marketplace.json").json()
    assert sorted(p["name"] for p in market["plugins"]) == ["deploy", "servers"]


def test_shallow_clone_over_smart_http_gets_the_collection(
        client: httpx.Client, imported: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "clone"
    proc = git_clone(f"{client.base_url}/collection.git", target, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (target / ".claude-plugin/marketplace.json").is_file()
    assert (target / "plugins/pdf/skills/pdf/SKILL.md").is_file()
    shallow = subprocess.run(["git", "-C", str(target), "rev-parse", "--is-shallow-repository"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert shallow == "true"
    # Read-only, and nothing but upload-pack: no push, no dumb-protocol files.
    assert client.get("/collection.git/info/refs",
                      params={"service": "git-receive-pack"}).status_code == 404
    assert client.get("/collection.git/info/refs").status_code == 404
    assert client.get("/collection.git/HEAD").status_code == 404
    assert client.get("/collection.git/config").status_code == 404
    assert client.post("/collection.git/git-receive-pack", content=b"0000").status_code in (
        404, 405)


def test_protected_reads_take_the_token_as_basic_password_and_nowhere_else(
        live_server: LiveServer, db: Database, settings: Settings, client: httpx.Client,
        imported: dict[str, str], tmp_path: Path) -> None:
    protected = {"api_token": SecretStr(TOKEN), "protect_reads": True}
    live_server.use(settings.model_copy(update=protected), db)
    url = f"{client.base_url}/collection.git"
    refused = git_clone(url, tmp_path / "no-token", tmp_path)
    assert refused.returncode != 0
    wrong = git_clone(url.replace("://", "://me:wrong@"), tmp_path / "wrong", tmp_path)
    assert wrong.returncode != 0
    ok = git_clone(url.replace("://", f"://anyone:{TOKEN}@"), tmp_path / "ok", tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "ok/plugins/deploy/commands/deploy.md").is_file()
    basic = {"Authorization": "Basic " + base64.b64encode(f"x:{TOKEN}".encode()).decode()}
    assert client.get("/collection/marketplace.json", headers=basic).status_code == 200
    assert client.get("/collection/marketplace.json").status_code == 401
    # Basic opens the collection and nothing else.
    assert client.get("/api/v1/collection", headers=basic).status_code == 401
    assert client.get(f"{BASE}", headers=basic).status_code == 401
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/api/v1/collection", headers=bearer).status_code == 200


def test_fetch_is_a_read_when_only_writes_are_protected(
        live_server: LiveServer, db: Database, settings: Settings, client: httpx.Client,
        imported: dict[str, str], tmp_path: Path) -> None:
    live_server.use(settings.model_copy(update={"api_token": SecretStr(TOKEN)}), db)
    proc = git_clone(f"{client.base_url}/collection.git", tmp_path / "clone", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert client.delete("/api/v1/collection/pdf").status_code == 401


def test_bad_git_requests_get_a_readable_4xx(client: httpx.Client,
                                             imported: dict[str, Any]) -> None:
    resp = client.post("/collection.git/git-upload-pack", content=b"not gzip",
                       headers={"Content-Encoding": "gzip"})
    assert resp.status_code == 422 and "gzip" in resp.json()["detail"]
    resp = client.post("/collection.git/git-upload-pack", content=b"x",
                       headers={"Content-Encoding": "br"})
    assert resp.status_code == 422


def test_the_host_check_guards_the_git_paths_too(client: httpx.Client,
                                                 imported: dict[str, Any]) -> None:
    evil = {"Host": "attacker.example"}
    assert client.get("/collection/marketplace.json", headers=evil).status_code == 400
    refs = client.get("/collection.git/info/refs", params={"service": "git-upload-pack"},
                      headers=evil)
    assert refs.status_code == 400
    ok = client.get("/collection.git/info/refs", params={"service": "git-upload-pack"})
    assert ok.status_code == 200
    assert ok.headers["content-type"] == "application/x-git-upload-pack-advertisement"
    assert ok.content.startswith(b"001e# service=git-upload-pack\n0000")

"""Scanning through the API: local git repositories and a fake GitHub, on a real database."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceSource, utcnow
from skillmeat.config import Settings
from skillmeat.core.capacity import Slots
from skillmeat.core.marketplace.detection import DETECTOR_VERSION
from skillmeat.core.marketplace.scheduler import rescan_all
from tests.fakes.github_server import FakeGitHub
from tests.gitrepo import agent, command, commit, skill

BASE = "/api/v1/marketplace/sources"

FILES = {
    "README.md": "# tools\n\nSkills and commands.\n",
    "skills/pdf/SKILL.md": skill("pdf"),
    "skills/docx/SKILL.md": skill("docx"),
    ".claude/commands/deploy.md": command(),
    ".claude/agents/reviewer.md": agent("reviewer"),
}


def entries(client: httpx.Client, sid: str, **params: Any) -> dict[str, dict[str, Any]]:
    body = client.get(f"{BASE}/{sid}/artifacts", params={"include_excluded": True,
                                                          "limit": 100, **params}).json()
    return {i["path"]: i for i in body["items"]}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "tools"
    commit(path, FILES, message="initial")
    return path


@pytest.fixture
def source(client: httpx.Client, repo: Path) -> dict[str, Any]:
    resp = client.post(BASE, json={"repo_url": str(repo), "scan": True})
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_create_with_scan_fills_the_catalog(client: httpx.Client, source: dict[str, Any]) -> None:
    assert source["scan_status"] == "success"
    found = entries(client, source["id"])
    assert {(e["artifact_type"], p) for p, e in found.items()} == {
        ("skill", "skills/pdf"), ("skill", "skills/docx"),
        ("command", ".claude/commands/deploy.md"), ("agent", ".claude/agents/reviewer.md")}
    assert source["counts_by_type"]["skill"] == 2
    assert all(e["detected_sha"] for e in found.values())


def test_rescan_of_the_same_commit_is_unchanged(client: httpx.Client,
                                                source: dict[str, Any]) -> None:
    body = client.post(f"{BASE}/{source['id']}/rescan").json()
    assert body["unchanged"] is True
    assert body["commit"] == source["last_scanned_sha"] or body["commit"]


def test_rescan_reports_new_updated_removed(client: httpx.Client, source: dict[str, Any],
                                            repo: Path) -> None:
    sha = commit(repo, {"skills/pdf/SKILL.md": skill("pdf", "Now better at PDFs."),
                        "skills/xlsx/SKILL.md": skill("xlsx")}, remove=["skills/docx"])
    body = client.post(f"{BASE}/{source['id']}/rescan").json()
    assert (body["commit"], body["unchanged"]) == (sha, False)
    assert (body["new_count"], body["updated_count"], body["removed_count"]) == (1, 1, 1)
    assert body["unchanged_count"] == 2
    found = entries(client, source["id"])
    assert found["skills/docx"]["status"] == "removed"
    assert found["skills/xlsx"]["status"] == "new"


def test_rescan_keeps_exclusion_when_artifact_disappears_and_returns(
        client: httpx.Client, source: dict[str, Any], repo: Path) -> None:
    sid = source["id"]
    docx = entries(client, sid)["skills/docx"]
    excluded = client.patch(f"{BASE}/{sid}/artifacts/{docx['id']}/exclude",
                            json={"reason": "a duplicate"}).json()
    commit(repo, remove=["skills/docx"])
    client.post(f"{BASE}/{sid}/rescan")
    assert entries(client, sid)["skills/docx"]["status"] == "excluded"
    commit(repo, {"skills/docx/SKILL.md": skill("docx", "Back again, changed.")})
    assert client.post(f"{BASE}/{sid}/rescan").json()["updated_count"] == 1
    back = entries(client, sid)["skills/docx"]
    assert (back["status"], back["excluded_at"], back["excluded_reason"]) == (
        "excluded", excluded["excluded_at"], "a duplicate")
    default_view = client.get(f"{BASE}/{sid}/artifacts").json()
    assert "skills/docx" not in [i["path"] for i in default_view["items"]]


def test_source_scanned_by_an_older_detector_is_detected_again_and_keeps_exclusions(
        client: httpx.Client, db: Database, source: dict[str, Any]) -> None:
    sid = source["id"]
    docx = entries(client, sid)["skills/docx"]
    client.patch(f"{BASE}/{sid}/artifacts/{docx['id']}/exclude", json={"reason": "a duplicate"})
    assert client.post(f"{BASE}/{sid}/rescan").json()["unchanged"] is True
    with db.session() as s:  # as a scan by an older release of the detection rules left it
        s.get(MarketplaceSource, sid).detector_version = "0"
    body = client.post(f"{BASE}/{sid}/rescan").json()
    assert (body["unchanged"], body["commit"]) == (False, source["last_scanned_sha"])
    again = entries(client, sid)["skills/docx"]
    assert (again["status"], again["excluded_reason"]) == ("excluded", "a duplicate")
    with db.session() as s:
        assert s.get(MarketplaceSource, sid).detector_version == DETECTOR_VERSION


def test_second_scan_while_one_holds_the_lease_is_409(client: httpx.Client, db: Database,
                                                      source: dict[str, Any]) -> None:
    with db.session() as s:
        row = s.get(MarketplaceSource, source["id"])
        row.scan_lease_until = utcnow() + timedelta(minutes=5)
        row.scan_lease_owner = "another-process"
    resp = client.post(f"{BASE}/{source['id']}/rescan")
    assert resp.status_code == 409
    assert "scan already in progress" in resp.json()["detail"]


def test_expired_lease_of_a_dead_scan_does_not_lock_the_source(
        client: httpx.Client, db: Database, source: dict[str, Any], repo: Path) -> None:
    with db.session() as s:
        row = s.get(MarketplaceSource, source["id"])
        row.scan_lease_until = utcnow() - timedelta(seconds=1)
        row.scan_lease_owner = "a-killed-process"
    commit(repo, {"skills/new/SKILL.md": skill("new")})
    assert client.post(f"{BASE}/{source['id']}/rescan").status_code == 200


def test_failed_scan_keeps_the_catalog_and_records_the_error(
        client: httpx.Client, source: dict[str, Any], repo: Path) -> None:
    sid = source["id"]
    before = entries(client, sid)
    client.patch(f"{BASE}/{sid}", json={"ref": "no-such-branch"})
    resp = client.post(f"{BASE}/{sid}/rescan")
    assert resp.status_code == 502
    assert "no-such-branch" in resp.json()["detail"]
    after = client.get(f"{BASE}/{sid}").json()
    assert after["scan_status"] == "error"
    assert "no-such-branch" in after["last_error"]
    assert entries(client, sid) == before
    history = client.get(f"{BASE}/{sid}/scans").json()["items"]
    assert [h["outcome"] for h in history][:2] == ["error", "success"]
    assert "no-such-branch" in history[0]["error"]


def test_scan_history_lists_newest_first(client: httpx.Client, source: dict[str, Any]) -> None:
    client.post(f"{BASE}/{source['id']}/rescan")
    items = client.get(f"{BASE}/{source['id']}/scans").json()["items"]
    assert [i["outcome"] for i in items] == ["unchanged", "success"]
    assert items[1]["new_count"] == 4
    assert items[1]["trigger"] == "create"
    assert client.get(f"{BASE}/src_nope/scans").status_code == 404


def test_local_paths_are_refused_when_not_allowed(client: httpx.Client, repo: Path,
                                                 live_server: Any, settings: Settings,
                                                 db: Database) -> None:
    live_server.use(settings.model_copy(update={"allow_local_sources": False}), db)
    resp = client.post(BASE, json={"repo_url": str(repo)})
    assert resp.status_code == 422
    assert "local repositories are not allowed" in resp.json()["detail"]


def test_periodic_pass_rescans_every_source(client: httpx.Client, db: Database,
                                            settings: Settings, source: dict[str, Any],
                                            repo: Path) -> None:
    commit(repo, {"skills/later/SKILL.md": skill("later")})
    assert rescan_all(db, settings) == 1
    assert "skills/later" in entries(client, source["id"])
    assert client.get(f"{BASE}/{source['id']}/scans").json()["items"][0]["trigger"] == "schedule"


def test_periodic_pass_waits_for_a_scan_slot_the_api_holds(
        client: httpx.Client, db: Database, settings: Settings, source: dict[str, Any]) -> None:
    slots = Slots(1)
    assert slots.try_take()  # a rescan through the API holds the only slot
    stop = threading.Event()
    passes: list[int] = []
    waiting = threading.Thread(target=lambda: passes.append(rescan_all(db, settings, stop,
                                                                       slots)))
    waiting.start()
    stop.set()  # the server shuts down while the pass still waits for a slot
    waiting.join(timeout=30)
    assert passes == [0]
    assert len(client.get(f"{BASE}/{source['id']}/scans").json()["items"]) == 1  # create only
    slots.give()
    assert rescan_all(db, settings, slots=slots) == 1
    assert slots.try_take()  # the pass gave its slot back


# --- GitHub sources, against the fake GitHub -----------------------------------------------

@pytest.fixture
def github(fake_github: FakeGitHub, live_server: Any, settings: Settings,
           db: Database) -> FakeGitHub:
    fake_github.load({"acme/tools": {"refs": {"main": "v1"}, "commits": {"v1": FILES}}})
    token_settings = settings.model_copy(update={"github_api_url": fake_github.url,
                                                 "github_token": SecretStr("ghp_secret_token_123"),
                                                 "github_retries": 1})
    live_server.use(token_settings, db)
    return fake_github


def test_github_source_scans_through_the_rest_api(client: httpx.Client, github: FakeGitHub,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    resp = client.post(BASE, json={"repo_url": "https://github.com/acme/tools", "scan": True})
    body = resp.json()
    assert body["scan_status"] == "success", body["last_error"]
    found = entries(client, body["id"])
    assert found["skills/pdf"]["detected_sha"] == github.tree_sha("acme/tools", "main",
                                                                  "skills/pdf")
    assert found["skills/pdf"]["upstream_url"].startswith("https://github.com/acme/tools/tree/")
    blobs = github.paths("/git/blobs/")
    assert 0 < len(blobs) <= len(FILES)
    assert all(r.headers.get("authorization") == "Bearer ghp_secret_token_123"
               for r in github.requests)
    assert "ghp_secret_token_123" not in caplog.text
    assert "ghp_secret_token_123" not in resp.text


def test_github_rate_limit_is_reported_with_reset_time(client: httpx.Client,
                                                       github: FakeGitHub) -> None:
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/tools"}).json()["id"]
    github.rate_limit(reset=int(time.time()) + 600)
    resp = client.post(f"{BASE}/{sid}/rescan")
    assert resp.status_code == 429
    assert "rate limit" in resp.json()["detail"] and "UTC" in resp.json()["detail"]
    assert "rate limit" in client.get(f"{BASE}/{sid}").json()["last_error"]


def test_github_failure_mid_scan_leaves_previous_catalog(client: httpx.Client,
                                                         github: FakeGitHub) -> None:
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/tools",
                                  "scan": True}).json()["id"]
    before = entries(client, sid)
    github.load({"acme/tools": {"refs": {"main": "v2"}, "commits": {"v2": {
        "skills/other/SKILL.md": skill("other")}}}})
    github.fail(500, times=None, match="/git/blobs/")
    resp = client.post(f"{BASE}/{sid}/rescan")
    assert resp.status_code == 502
    assert entries(client, sid) == before
    assert client.get(f"{BASE}/{sid}").json()["scan_status"] == "error"


def test_incomplete_github_tree_never_marks_entries_removed(client: httpx.Client,
                                                            github: FakeGitHub) -> None:
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/tools",
                                  "scan": True}).json()["id"]
    github.load({"acme/tools": {"refs": {"main": "v3"}, "commits": {"v3": {
        **FILES, "skills/extra/SKILL.md": skill("extra")}}}})
    github.truncate_trees = True
    github.fail(500, times=None, match=github.tree_sha("acme/tools", "main", ".claude"))
    resp = client.post(f"{BASE}/{sid}/rescan")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["complete"], body["removed_count"], body["new_count"]) == (False, 0, 1)
    assert any(".claude" in p for p in body["problems"])
    assert all(e["status"] != "removed" for e in entries(client, sid).values())


def test_repository_over_the_tree_limit_is_refused_with_a_clear_error(
        client: httpx.Client, live_server: Any, settings: Settings, db: Database,
        tmp_path: Path) -> None:
    repo = tmp_path / "wide"
    commit(repo, {f"docs/page{i}.md": "x" for i in range(1005)})
    live_server.use(settings.model_copy(update={"max_tree_entries": 1000}), db)
    sid = client.post(BASE, json={"repo_url": str(repo)}).json()["id"]
    resp = client.post(f"{BASE}/{sid}/rescan")
    assert resp.status_code == 422
    assert "SKILLMEAT_MAX_TREE_ENTRIES" in resp.json()["detail"]
    assert "root_hint" in client.get(f"{BASE}/{sid}").json()["last_error"]

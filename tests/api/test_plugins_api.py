"""Plugins through the API on a real database: entries with members, the plugin_id filter,
rescans that move members, cascade exclusion and restore, and whole-plugin import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from skillmeat.config import Settings
from tests.gitrepo import agent, command, commit, skill

BASE = "/api/v1/marketplace/sources"
HOOKS = {"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "echo done"}]}]}}
MARKET = {"name": "acme", "owner": {"name": "Acme"}, "plugins": [
    {"name": "finance", "source": "./plugins/finance"},
    {"name": "docs", "source": "./", "strict": False, "skills": ["./skills/guide"]},
    {"name": "far", "source": {"source": "github", "repo": "acme/far", "ref": "v1"}},
]}
FILES: dict[str, str | bytes] = {
    ".claude-plugin/marketplace.json": json.dumps(MARKET),
    "skills/guide/SKILL.md": skill("guide"),
    "plugins/finance/.claude-plugin/plugin.json": json.dumps({
        "name": "finance", "version": "1.2.0", "description": "Ledgers", "license": "MIT",
        "author": {"name": "Ann"}}),
    "plugins/finance/README.md": "# finance\n",
    "plugins/finance/skills/ledger/SKILL.md": skill("ledger"),
    "plugins/finance/commands/close.md": command(),
    "plugins/finance/agents/auditor.md": agent("auditor"),
    "plugins/finance/hooks/hooks.json": json.dumps(HOOKS),
    "loose/skills/solo/SKILL.md": skill("solo"),
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "acme"
    commit(path, FILES, message="initial")
    return path


@pytest.fixture
def source(client: httpx.Client, repo: Path) -> dict[str, Any]:
    resp = client.post(BASE, json={"repo_url": str(repo), "scan": True})
    assert resp.json()["scan_status"] == "success", resp.text
    return resp.json()


def listing(client: httpx.Client, sid: str, **params: Any) -> dict[str, Any]:
    resp = client.get(f"{BASE}/{sid}/artifacts", params={"limit": 100, **params})
    assert resp.status_code == 200, resp.text
    return resp.json()


def by_path(client: httpx.Client, sid: str, **params: Any) -> dict[str, dict[str, Any]]:
    return {i["path"]: i for i in listing(client, sid, include_excluded=True, **params)["items"]}


def test_plugins_are_entries_with_members_counts_and_metadata(
        client: httpx.Client, source: dict[str, Any]) -> None:
    sid = source["id"]
    body = listing(client, sid, artifact_type="plugin")
    plugins = {i["name"]: i for i in body["items"]}
    assert set(plugins) == {"finance", "docs", "far"}
    assert body["counts_by_type"]["plugin"] == 3
    finance = plugins["finance"]
    assert finance["path"] == "plugins/finance" and finance["version"] == "1.2.0"
    assert finance["member_counts"] == {"agent": 1, "command": 1, "hook": 1, "skill": 1}
    assert finance["remote"] is False and finance["plugin"]["license"] == "MIT"
    far = plugins["far"]
    assert far["remote"] is True and far["upstream_url"] == "https://github.com/acme/far"
    assert far["plugin"]["ref"] == "v1" and far["importable"] is False
    members = listing(client, sid, plugin_id=finance["id"])["items"]
    assert {(m["artifact_type"], m["path"]) for m in members} == {
        ("skill", "plugins/finance/skills/ledger"),
        ("command", "plugins/finance/commands/close.md"),
        ("agent", "plugins/finance/agents/auditor.md"),
        ("hook", "plugins/finance/hooks/hooks.json")}
    assert {m["plugin_name"] for m in members} == {"finance"}
    entries = by_path(client, sid)
    assert entries["skills/guide"]["plugin_id"] == plugins["docs"]["id"]
    assert entries["loose/skills/solo"]["plugin_id"] is None
    assert entries["loose/skills/solo"]["member_counts"] is None


def test_rescan_moves_a_member_to_its_new_plugin_and_keeps_exclusions(
        client: httpx.Client, source: dict[str, Any], repo: Path) -> None:
    sid = source["id"]
    before = by_path(client, sid)
    finance_id = before["plugins/finance"]["id"]
    solo = before["loose/skills/solo"]
    assert client.patch(f"{BASE}/{sid}/artifacts/{solo['id']}/exclude",
                        json={"reason": "demo"}).status_code == 200
    # The loose folder becomes a plugin of its own; the guide skill moves into finance.
    commit(repo, {"loose/.claude-plugin/plugin.json": json.dumps({"name": "loose"}),
                  "plugins/finance/skills/guide/SKILL.md": skill("guide")},
           remove=["skills/guide"], message="regroup")
    assert client.post(f"{BASE}/{sid}/rescan").status_code == 200
    after = by_path(client, sid, include_below_threshold=True)
    assert after["plugins/finance"]["id"] == finance_id  # same entry, same id
    assert after["loose/skills/solo"]["plugin_id"] == after["loose"]["id"]
    assert after["loose/skills/solo"]["status"] == "excluded"  # the exclusion survives
    assert after["plugins/finance/skills/guide"]["plugin_id"] == finance_id
    assert after["plugins/finance"]["member_counts"]["skill"] == 2


def test_cascade_exclude_and_restore_touch_exactly_the_plugins_members(
        client: httpx.Client, source: dict[str, Any]) -> None:
    sid = source["id"]
    entries = by_path(client, sid)
    plugin = entries["plugins/finance"]
    own = entries["plugins/finance/commands/close.md"]
    # Excluded on its own first: a cascade restore must leave it excluded.
    client.patch(f"{BASE}/{sid}/artifacts/{own['id']}/exclude", json={"reason": "mine"})
    resp = client.patch(f"{BASE}/{sid}/artifacts/{plugin['id']}/exclude", json={"cascade": True})
    assert resp.status_code == 200 and resp.json()["status"] == "excluded"
    members = listing(client, sid, plugin_id=plugin["id"], include_excluded=True)["items"]
    reasons = {m["path"]: m["excluded_reason"] for m in members}
    assert reasons == {
        "plugins/finance/skills/ledger": "excluded with plugin finance",
        "plugins/finance/agents/auditor.md": "excluded with plugin finance",
        "plugins/finance/hooks/hooks.json": "excluded with plugin finance",
        "plugins/finance/commands/close.md": "mine"}
    counts = listing(client, sid)["counts_by_type"]
    assert counts["agent"] == 0 and counts["plugin"] == 2
    resp = client.request("DELETE", f"{BASE}/{sid}/artifacts/{plugin['id']}/exclude",
                          json={"cascade": True})
    assert resp.status_code == 200 and resp.json()["excluded_at"] is None
    after = by_path(client, sid)
    assert after["plugins/finance/skills/ledger"]["status"] == "new"
    assert after["plugins/finance/commands/close.md"]["excluded_reason"] == "mine"
    assert listing(client, sid)["counts_by_type"]["agent"] == 1
    # Every entry the cascade changed has its own event each way; the hand-excluded one
    # only its own exclusion.
    events = client.get(f"{BASE}/{sid}/exclusion-events", params={"limit": 100}).json()["items"]
    by_entry: dict[str, list[str]] = {}
    for event in events:
        by_entry.setdefault(event["entry_id"], []).append(event["action"])
    ledger = entries["plugins/finance/skills/ledger"]["id"]
    assert sorted(by_entry[ledger]) == ["exclude", "restore"]
    assert sorted(by_entry[plugin["id"]]) == ["exclude", "restore"]
    assert by_entry[own["id"]] == ["exclude"]


def test_exclude_without_cascade_changes_only_the_plugin_and_cascade_needs_a_plugin(
        client: httpx.Client, source: dict[str, Any]) -> None:
    sid = source["id"]
    entries = by_path(client, sid)
    plugin = entries["plugins/finance"]
    client.patch(f"{BASE}/{sid}/artifacts/{plugin['id']}/exclude", json={})
    assert all(m["excluded_at"] is None for m in
               listing(client, sid, plugin_id=plugin["id"])["items"])
    skill_id = entries["loose/skills/solo"]["id"]
    resp = client.patch(f"{BASE}/{sid}/artifacts/{skill_id}/exclude", json={"cascade": True})
    assert resp.status_code == 422 and "plugin" in resp.json()["detail"]
    assert by_path(client, sid)["loose/skills/solo"]["excluded_at"] is None


def test_importing_a_plugin_copies_its_whole_folder_and_marks_its_members(
        client: httpx.Client, source: dict[str, Any], settings: Settings) -> None:
    sid = source["id"]
    entries = by_path(client, sid)
    resp = client.post(f"{BASE}/{sid}/import",
                       json={"entry_ids": [entries["plugins/finance"]["id"]]})
    assert resp.status_code == 200, resp.text
    target = settings.resolved_collection_dir / "plugins" / "finance"
    copied = {str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()}
    assert copied == {f.removeprefix("plugins/finance/") for f in FILES
                      if f.startswith("plugins/finance/")}
    after = by_path(client, sid)
    import_id = after["plugins/finance"]["import_id"]
    assert after["plugins/finance"]["status"] == "imported"
    for path in ("plugins/finance/skills/ledger", "plugins/finance/commands/close.md"):
        assert (after[path]["status"], after[path]["import_id"]) == ("imported", import_id)
    assert after["loose/skills/solo"]["status"] == "new"
    # A member alone still imports into its own place.
    resp = client.post(f"{BASE}/{sid}/import",
                       json={"entry_ids": [after["plugins/finance/skills/ledger"]["id"]],
                             "conflict_strategy": "overwrite"})
    assert resp.status_code == 200
    assert (settings.resolved_collection_dir / "plugins" / "ledger" / "skills" / "ledger"
            / "SKILL.md").is_file()
    # Removing the plugin's unit takes back the members that came with it, not the one
    # imported on its own.
    assert client.delete("/api/v1/collection/finance").status_code in (200, 204)
    final = by_path(client, sid)
    assert final["plugins/finance"]["status"] == "new"
    assert final["plugins/finance/commands/close.md"]["status"] == "new"
    assert final["plugins/finance/skills/ledger"]["status"] == "imported"


def test_remote_plugin_import_is_refused_and_writes_nothing(
        client: httpx.Client, source: dict[str, Any], settings: Settings) -> None:
    sid = source["id"]
    far = by_path(client, sid)[".claude-plugin/marketplace.json#far"]
    resp = client.post(f"{BASE}/{sid}/import", json={"entry_ids": [far["id"]]})
    assert resp.status_code == 409 and "add it as a source" in resp.json()["detail"]
    assert not (settings.resolved_collection_dir / "plugins").exists()


def test_a_plugin_at_the_repository_root_imports_the_whole_repository(
        client: httpx.Client, source: dict[str, Any], settings: Settings) -> None:
    sid = source["id"]
    docs = by_path(client, sid)["."]
    assert docs["name"] == "docs" and docs["plugin"]["strict"] is False
    resp = client.post(f"{BASE}/{sid}/import", json={"entry_ids": [docs["id"]]})
    assert resp.status_code == 200, resp.text
    target = settings.resolved_collection_dir / "plugins" / "docs"
    copied = {str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()}
    assert copied == set(FILES)  # every file, the marketplace manifest included
    after = by_path(client, sid)
    assert after["skills/guide"]["status"] == "imported"
    assert after["plugins/finance/commands/close.md"]["status"] == "new"  # another plugin's

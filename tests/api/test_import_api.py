"""Importing catalog entries into the collection, through the API, on a real database."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry
from skillmeat.config import Settings
from tests.fakes.github_server import FakeGitHub, GitEntry
from tests.gitrepo import agent, command, commit, skill

BASE = "/api/v1/marketplace/sources"

HOOKS = {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
    {"type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/hooks/check.sh"}]}]}}
MCP = {"mcpServers": {"files": {"command": "npx", "args": ["files-mcp"]}}}
FILES: dict[str, str | bytes] = {
    "skills/pdf/SKILL.md": skill("pdf"),
    "skills/pdf/scripts/extract.py": "print('extract')\n",
    ".claude/commands/deploy.md": command(),
    ".claude/agents/reviewer.md": agent("reviewer"),
    "plugins/guard/.claude-plugin/plugin.json": json.dumps({"name": "guard", "version": "1.0"}),
    "plugins/guard/hooks/hooks.json": json.dumps(HOOKS),
    "plugins/guard/hooks/check.sh": "#!/bin/sh\nexit 0\n",
    "plugins/guard/.mcp.json": json.dumps(MCP),
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "tools"
    commit(path, FILES, message="initial")
    os.chmod(path / "plugins/guard/hooks/check.sh", 0o755)
    commit(path, message="make the hook script executable")
    return path


@pytest.fixture
def collection(settings: Settings) -> Path:
    return settings.resolved_collection_dir


@pytest.fixture
def source(client: httpx.Client, repo: Path) -> dict[str, Any]:
    resp = client.post(BASE, json={"repo_url": str(repo), "scan": True})
    assert resp.json()["scan_status"] == "success", resp.text
    return resp.json()


def catalog(client: httpx.Client, sid: str) -> dict[str, dict[str, Any]]:
    body = client.get(f"{BASE}/{sid}/artifacts", params={"include_excluded": True,
                                                          "limit": 100}).json()
    return {i["path"]: i for i in body["items"]}


def do_import(client: httpx.Client, sid: str, ids: list[str],
              strategy: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"entry_ids": ids}
    if strategy:
        body["conflict_strategy"] = strategy
    return client.post(f"{BASE}/{sid}/import", json=body)


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} \
        if root.exists() else set()


def test_import_writes_each_type_in_its_layout_and_marks_it_imported(
        client: httpx.Client, source: dict[str, Any], collection: Path) -> None:
    sid = source["id"]
    # Each member on its own (the guard plugin as a whole: tests/api/test_plugins_api.py).
    entries = {p: e for p, e in catalog(client, sid).items() if e["artifact_type"] != "plugin"}
    assert {e["artifact_type"] for e in entries.values()} == {
        "skill", "command", "agent", "hook", "mcp_server"}
    resp = do_import(client, sid, [e["id"] for e in entries.values()])
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["import_id"].startswith("imp_")
    assert body["commit"] == source["last_scanned_sha"]
    assert str(collection) not in resp.text  # paths are relative: no server path leaves
    where = {i["artifact_type"]: (i["outcome"], i["path"]) for i in body["items"]}
    assert where == {"skill": ("imported", "skills/pdf"),
                     "command": ("imported", "commands/deploy.md"),
                     "agent": ("imported", "agents/reviewer.md"),
                     "hook": ("imported", "hooks/guard"),
                     "mcp_server": ("imported", "mcp/guard")}
    assert files_under(collection) == {
        "skills/pdf/SKILL.md", "skills/pdf/scripts/extract.py", "commands/deploy.md",
        "agents/reviewer.md", "hooks/guard/hooks.json", "hooks/guard/check.sh",
        "mcp/guard/.mcp.json"}
    assert (collection / "skills/pdf/SKILL.md").read_text() == FILES["skills/pdf/SKILL.md"]
    assert json.loads((collection / "mcp/guard/.mcp.json").read_text()) == MCP
    assert os.access(collection / "hooks/guard/check.sh", os.X_OK)
    assert not os.access(collection / "hooks/guard/hooks.json", os.X_OK)
    assert not (collection / ".skillmeat-staging").exists()
    after = catalog(client, sid)
    for path, entry in after.items():
        if entry["artifact_type"] == "plugin":
            continue
        assert entry["status"] == "imported", path
        assert entry["import_id"] == body["import_id"]
        assert entry["import_date"] is not None
    counts = client.get(f"{BASE}/{sid}/artifacts").json()["counts_by_status"]
    assert counts["imported"] == 5 and counts.get("new", 0) == 1  # the plugin itself


def test_upstream_change_shows_updated_and_overwrite_reimports_it(
        client: httpx.Client, source: dict[str, Any], repo: Path, collection: Path) -> None:
    sid = source["id"]
    pdf = catalog(client, sid)["skills/pdf"]
    first = do_import(client, sid, [pdf["id"]]).json()["items"][0]
    assert first["content_hash"] == pdf["detected_sha"]
    commit(repo, {"skills/pdf/SKILL.md": skill("pdf", "Now better at PDFs.")},
           remove=["skills/pdf/scripts"])
    client.post(f"{BASE}/{sid}/rescan")
    assert catalog(client, sid)["skills/pdf"]["status"] == "updated"
    again = do_import(client, sid, [pdf["id"]], "overwrite").json()["items"][0]
    assert (again["outcome"], again["path"]) == ("overwritten", "skills/pdf")
    assert "Now better at PDFs." in (collection / "skills/pdf/SKILL.md").read_text()
    assert files_under(collection) == {"skills/pdf/SKILL.md"}
    refreshed = catalog(client, sid)["skills/pdf"]
    assert refreshed["status"] == "imported"
    assert again["content_hash"] == refreshed["detected_sha"] != pdf["detected_sha"]


def test_skip_leaves_an_existing_artifact_and_the_entry_as_they_were(
        client: httpx.Client, source: dict[str, Any], collection: Path) -> None:
    sid = source["id"]
    entries = catalog(client, sid)
    (collection / "skills/pdf").mkdir(parents=True)
    (collection / "skills/pdf/SKILL.md").write_text("my own pdf skill")
    ids = [entries["skills/pdf"]["id"], entries[".claude/commands/deploy.md"]["id"]]
    items = do_import(client, sid, ids).json()["items"]
    assert [(i["outcome"], i["path"]) for i in items] == [
        ("skipped", "skills/pdf"), ("imported", "commands/deploy.md")]
    assert (collection / "skills/pdf/SKILL.md").read_text() == "my own pdf skill"
    assert not (collection / "skills/pdf/scripts").exists()
    after = catalog(client, sid)
    assert after["skills/pdf"]["status"] == "new"
    assert after["skills/pdf"]["import_id"] is None
    assert after[".claude/commands/deploy.md"]["status"] == "imported"


def test_rename_writes_beside_what_exists(client: httpx.Client, source: dict[str, Any],
                                          collection: Path) -> None:
    sid = source["id"]
    entries = catalog(client, sid)
    ids = [entries["skills/pdf"]["id"], entries[".claude/commands/deploy.md"]["id"]]
    assert do_import(client, sid, ids).status_code == 200
    (collection / "skills/pdf-2").mkdir()
    (collection / "skills/pdf-2/keep.txt").write_text("taken")
    items = do_import(client, sid, ids, "rename").json()["items"]
    assert [(i["outcome"], i["path"]) for i in items] == [
        ("renamed", "skills/pdf-3"), ("renamed", "commands/deploy-2.md")]
    assert (collection / "skills/pdf-3/scripts/extract.py").is_file()
    assert (collection / "commands/deploy-2.md").read_text() == FILES[".claude/commands/deploy.md"]
    assert (collection / "skills/pdf-2/keep.txt").read_text() == "taken"
    assert (collection / "skills/pdf/SKILL.md").is_file()


def test_overwrite_replaces_the_whole_artifact(client: httpx.Client, source: dict[str, Any],
                                               collection: Path) -> None:
    sid = source["id"]
    entries = catalog(client, sid)
    (collection / "skills/pdf").mkdir(parents=True)
    (collection / "skills/pdf/stale.txt").write_text("from an older version")
    (collection / "commands").mkdir()
    (collection / "commands/deploy.md").write_text("old deploy")
    ids = [entries["skills/pdf"]["id"], entries[".claude/commands/deploy.md"]["id"]]
    items = do_import(client, sid, ids, "overwrite").json()["items"]
    assert [(i["outcome"], i["path"]) for i in items] == [
        ("overwritten", "skills/pdf"), ("overwritten", "commands/deploy.md")]
    assert files_under(collection) == {"skills/pdf/SKILL.md", "skills/pdf/scripts/extract.py",
                                       "commands/deploy.md"}
    assert (collection / "commands/deploy.md").read_text() == FILES[".claude/commands/deploy.md"]


def test_overwrite_never_replaces_what_the_same_import_wrote(
        client: httpx.Client, repo: Path, collection: Path) -> None:
    commit(repo, {"more/pdf/SKILL.md": skill("pdf", "A second skill with the same name.")})
    sid = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()["id"]
    pdfs = [e["id"] for p, e in catalog(client, sid).items() if e["name"] == "pdf"]
    items = do_import(client, sid, pdfs, "overwrite").json()["items"]
    assert sorted((i["outcome"], i["path"]) for i in items) == [
        ("imported", "skills/pdf"), ("renamed", "skills/pdf-2")]


def test_excluded_entry_rejects_the_request_and_nothing_is_written(
        client: httpx.Client, source: dict[str, Any], collection: Path) -> None:
    sid = source["id"]
    entries = catalog(client, sid)
    docs = entries[".claude/agents/reviewer.md"]
    client.patch(f"{BASE}/{sid}/artifacts/{docs['id']}/exclude", json={"reason": "docs"})
    resp = do_import(client, sid, [entries["skills/pdf"]["id"], docs["id"]])
    assert resp.status_code == 409
    assert resp.json()["detail"] == (f"Entry {docs['id']} (reviewer) is excluded as not an "
                                     "artifact; restore it first")
    assert files_under(collection) == set()
    assert catalog(client, sid)["skills/pdf"]["status"] == "new"


def test_removed_entry_is_rejected_with_nothing_written(
        client: httpx.Client, source: dict[str, Any], repo: Path, collection: Path) -> None:
    sid = source["id"]
    entries = catalog(client, sid)
    commit(repo, remove=[".claude/commands"])
    client.post(f"{BASE}/{sid}/rescan")
    gone = entries[".claude/commands/deploy.md"]
    resp = do_import(client, sid, [entries["skills/pdf"]["id"], gone["id"]])
    assert resp.status_code == 409
    assert f"Entry {gone['id']} (deploy) was removed from the repository" in resp.json()["detail"]
    assert files_under(collection) == set()


def test_entries_of_another_source_are_not_found(client: httpx.Client, source: dict[str, Any],
                                                 tmp_path: Path, collection: Path) -> None:
    other_repo = tmp_path / "other"
    commit(other_repo, {"skills/x/SKILL.md": skill("x")})
    other = client.post(BASE, json={"repo_url": str(other_repo), "scan": True}).json()
    foreign = next(iter(catalog(client, other["id"]).values()))
    mine = catalog(client, source["id"])["skills/pdf"]
    resp = do_import(client, source["id"], [mine["id"], foreign["id"]])
    assert resp.status_code == 404
    assert foreign["id"] in resp.json()["detail"]
    assert do_import(client, "src_nope", [mine["id"]]).status_code == 404
    assert files_under(collection) == set()


def test_request_is_validated(client: httpx.Client, source: dict[str, Any]) -> None:
    sid = source["id"]
    assert do_import(client, sid, []).status_code == 422
    pdf = catalog(client, sid)["skills/pdf"]["id"]
    assert do_import(client, sid, [pdf], "merge").status_code == 422
    twice = do_import(client, sid, [pdf, pdf]).json()["items"]
    assert len(twice) == 1


def test_a_source_never_scanned_cannot_import(client: httpx.Client, repo: Path) -> None:
    sid = client.post(BASE, json={"repo_url": str(repo)}).json()["id"]
    resp = do_import(client, sid, ["cat_whatever"])
    assert resp.status_code == 409
    assert "scan the source first" in resp.json()["detail"]


# --- hostile repositories: nothing may land outside the collection --------------------------

def everything_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def assert_confined(tmp_path: Path, before: set[Path], collection: Path) -> None:
    """New paths appear only inside the collection (or the data caches), and none are links."""
    caches = (collection.parent / "git-cache", collection.parent / "blob-cache")
    new = everything_under(tmp_path) - before
    stray = [p for p in new if not p.is_relative_to(collection)
             and not any(p.is_relative_to(c) for c in caches) and p not in collection.parents]
    assert stray == []
    assert not any(p.is_symlink() for p in everything_under(collection))
    assert not any(p.name == "escape.txt" for p in everything_under(tmp_path))


def test_hostile_github_tree_and_names_never_escape_the_collection(
        client: httpx.Client, fake_github: FakeGitHub, live_server: Any, settings: Settings,
        db: Database, tmp_path: Path) -> None:

    fake_github.load({"acme/evil": {"refs": {"main": "v1"}, "commits": {"v1": {
        "skills/evil/SKILL.md": skill("evil"),
        "skills/evil/ok.md": "fine\n",
        "skills/evil/../../../../../escape.txt": "pwned",
        "skills/evil/link": GitEntry("120000", "../../../../../../etc/passwd"),
        "skills/evil/ctl\x07name.md": "bell",
        "skills/evil/back\\slash.md": "backslash",
    }}}})
    live_server.use(settings.model_copy(update={"github_api_url": fake_github.url}), db)
    collection = settings.resolved_collection_dir
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/evil"}).json()["id"]
    doc = {"commit": fake_github.commit_sha("acme/evil", "main"), "artifacts": [
        {"type": "skill", "name": "../../../../escape", "path": "skills/evil",
         "content_hash": "a", "confidence": 90},
        {"type": "command", "name": "/etc/cron.d/pwn", "path": "skills/evil/ok.md",
         "content_hash": "b", "confidence": 90},
        {"type": "agent", "name": "..", "path": "skills/evil/ok.md", "content_hash": "c",
         "confidence": 90},
        {"type": "hook", "name": "a\\b\nc", "path": "skills/evil/ok.md", "content_hash": "d",
         "confidence": 90},
    ]}
    assert client.post(f"{BASE}/{sid}/scan-results", json=doc).status_code == 200
    # The merge refuses ".." in pushed paths; a row written behind its back must fail safe too.
    with db.session() as session:
        session.add(MarketplaceCatalogEntry(source_id=sid, artifact_type="skill", name="up",
                                            path="skills/evil/..", detected_sha="e",
                                            status="new", confidence_score=90))
    listing = client.get(f"{BASE}/{sid}/artifacts", params={"limit": 100}).json()["items"]
    entries = {e["name"]: e for e in listing}
    before = everything_under(tmp_path)
    safe = [entries[n]["id"] for n in ("../../../../escape", "/etc/cron.d/pwn", "..", "a\\b\nc")]
    body = do_import(client, sid, safe, "overwrite").json()
    where = {i["name"]: i["path"] for i in body["items"]}
    assert where == {"../../../../escape": "skills/escape", "/etc/cron.d/pwn":
                     "commands/etc-cron.d-pwn.md", "..": f"agents/{entries['..']['id']}.md",
                     "a\\b\nc": "hooks/a-b-c"}
    skill_item = next(i for i in body["items"] if i["artifact_type"] == "skill")
    assert {f["path"] for f in skill_item["skipped_files"]} == {
        "../../../../../escape.txt", "link", "ctl\x07name.md", "back\\slash.md"}
    assert files_under(collection / "skills/escape") == {"SKILL.md", "ok.md"}
    # A folder named ".." in the listing: its files are all unsafe paths, so nothing to import.
    up = do_import(client, sid, [entries["up"]["id"]], "overwrite")
    assert up.status_code == 409
    assert "has no files that can be imported" in up.json()["detail"]
    assert_confined(tmp_path, before, collection)


def test_symlinks_and_hostile_names_in_a_git_repository_are_not_written(
        client: httpx.Client, settings: Settings, tmp_path: Path) -> None:
    repo = tmp_path / "evil"
    commit(repo, {"skills/evil/SKILL.md": skill("../../../../escape"),
                  "skills/evil/notes.md": "notes"})
    (repo / "skills/evil/passwd").symlink_to("/etc/passwd")
    (repo / "skills/evil/up").symlink_to("../../..")
    commit(repo, message="links")
    collection = settings.resolved_collection_dir
    sid = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()["id"]
    entry = catalog(client, sid)["skills/evil"]
    before = everything_under(tmp_path)
    item = do_import(client, sid, [entry["id"]]).json()["items"][0]
    assert item["path"].startswith("skills/") and "/" not in item["path"][len("skills/"):]
    assert {f["path"]: f["reason"].split(":")[0] for f in item["skipped_files"]} == {
        "passwd": "symbolic link", "up": "symbolic link"}
    assert files_under(collection / item["path"]) == {"SKILL.md", "notes.md"}
    assert_confined(tmp_path, before, collection)

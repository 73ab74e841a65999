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
    """Files of the units (plugins/...), the records and git left out."""
    top = root / "plugins"
    return {str(p.relative_to(top)) for p in top.rglob("*") if p.is_file()} \
        if top.exists() else set()


def lock(collection: Path) -> dict[str, Any]:
    units: dict[str, Any] = json.loads(
        (collection / ".claude-plugin/skillmeat.lock.json").read_text())["units"]
    return units


def test_import_wraps_each_type_in_a_plugin_and_marks_it_imported(
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
    hook_unit, mcp_unit = where["hook"][1], where["mcp_server"][1]
    assert {hook_unit, mcp_unit} == {"plugins/guard", "plugins/guard-2"}  # one name, twice
    assert where == {"skill": ("imported", "plugins/pdf"),
                     "command": ("imported", "plugins/deploy"),
                     "agent": ("imported", "plugins/reviewer"),
                     "hook": where["hook"], "mcp_server": where["mcp_server"]}
    hook, mcp = hook_unit.removeprefix("plugins/"), mcp_unit.removeprefix("plugins/")
    manifest = ".claude-plugin/plugin.json"
    assert files_under(collection) == {
        f"pdf/{manifest}", "pdf/skills/pdf/SKILL.md", "pdf/skills/pdf/scripts/extract.py",
        f"deploy/{manifest}", "deploy/commands/deploy.md",
        f"reviewer/{manifest}", "reviewer/agents/reviewer.md",
        f"{hook}/{manifest}", f"{hook}/hooks/hooks.json", f"{hook}/hooks/check.sh",
        f"{mcp}/{manifest}", f"{mcp}/.mcp.json"}
    units = collection / "plugins"
    assert (units / "pdf/skills/pdf/SKILL.md").read_text() == FILES["skills/pdf/SKILL.md"]
    assert json.loads((units / mcp / ".mcp.json").read_text()) == MCP
    assert os.access(units / hook / "hooks/check.sh", os.X_OK)
    assert not os.access(units / hook / "hooks/hooks.json", os.X_OK)
    assert json.loads((units / "pdf" / manifest).read_text())["name"] == "pdf"
    assert not (collection / ".skillmeat-staging").exists()
    market = json.loads((collection / ".claude-plugin/marketplace.json").read_text())
    assert market["name"] == "skillmeat"
    assert sorted(p["name"] for p in market["plugins"]) == sorted(
        ["pdf", "deploy", "reviewer", hook, mcp])
    record = lock(collection)["pdf"]
    assert (record["source_url"], record["path"], record["commit"]) == (
        source["repo_url"], "skills/pdf", source["last_scanned_sha"])
    assert record["entry_id"] == entries["skills/pdf"]["id"]
    assert set(record["files"]) == {manifest, "skills/pdf/SKILL.md",
                                    "skills/pdf/scripts/extract.py"}
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
    same_origin = do_import(client, sid, [pdf["id"]]).json()["items"][0]
    assert same_origin["outcome"] == "skipped"  # no strategy: the same origin is kept
    again = do_import(client, sid, [pdf["id"]], "overwrite").json()["items"][0]
    assert (again["outcome"], again["path"]) == ("overwritten", "plugins/pdf")
    assert "Now better at PDFs." in (collection / "plugins/pdf/skills/pdf/SKILL.md").read_text()
    assert files_under(collection) == {"pdf/.claude-plugin/plugin.json", "pdf/skills/pdf/SKILL.md"}
    refreshed = catalog(client, sid)["skills/pdf"]
    assert refreshed["status"] == "imported"
    assert again["content_hash"] == refreshed["detected_sha"] != pdf["detected_sha"]


def test_a_name_taken_by_another_origin_is_refused_naming_both(
        client: httpx.Client, source: dict[str, Any], tmp_path: Path, collection: Path) -> None:
    other_repo = tmp_path / "other"
    commit(other_repo, {"skills/pdf/SKILL.md": skill("pdf", "Another pdf.")})
    other = client.post(BASE, json={"repo_url": str(other_repo), "scan": True}).json()
    theirs = catalog(client, other["id"])["skills/pdf"]
    mine = catalog(client, source["id"])
    assert do_import(client, source["id"], [mine["skills/pdf"]["id"]]).status_code == 200
    before = files_under(collection)
    resp = do_import(client, other["id"], [theirs["id"]])
    assert resp.status_code == 409
    detail = resp.json()["detail"]
    assert f"{source['repo_url']}:skills/pdf" in detail and f"{other_repo}:skills/pdf" in detail
    assert files_under(collection) == before
    assert catalog(client, other["id"])["skills/pdf"]["status"] == "new"
    skipped = do_import(client, other["id"], [theirs["id"]], "skip").json()["items"][0]
    assert skipped["outcome"] == "skipped"
    renamed = do_import(client, other["id"], [theirs["id"]], "rename").json()["items"][0]
    assert (renamed["outcome"], renamed["path"]) == ("renamed", "plugins/pdf-2")
    over = do_import(client, other["id"], [theirs["id"]], "overwrite").json()["items"][0]
    assert (over["outcome"], over["path"]) == ("overwritten", "plugins/pdf")
    assert lock(collection)["pdf"]["source_url"] == str(other_repo)
    # The entry whose unit was replaced is no longer imported.
    assert catalog(client, source["id"])["skills/pdf"]["status"] == "new"


def test_a_command_shadowing_a_builtin_is_imported_with_a_warning(
        client: httpx.Client, tmp_path: Path) -> None:
    repo = tmp_path / "shadow"
    commit(repo, {".claude/commands/help.md": command()})
    sid = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()["id"]
    entry = catalog(client, sid)[".claude/commands/help.md"]
    item = do_import(client, sid, [entry["id"]]).json()["items"][0]
    assert item["outcome"] == "imported"
    assert item["warnings"] == ["command /help shadows Claude Code's built-in /help"]
    deploy_repo = tmp_path / "plain"
    commit(deploy_repo, {".claude/commands/deploy.md": command()})
    sid2 = client.post(BASE, json={"repo_url": str(deploy_repo), "scan": True}).json()["id"]
    plain = catalog(client, sid2)[".claude/commands/deploy.md"]
    assert do_import(client, sid2, [plain["id"]]).json()["items"][0]["warnings"] == []


def test_rename_writes_beside_what_exists(client: httpx.Client, source: dict[str, Any],
                                          collection: Path) -> None:
    sid = source["id"]
    entries = catalog(client, sid)
    ids = [entries["skills/pdf"]["id"], entries[".claude/commands/deploy.md"]["id"]]
    assert do_import(client, sid, ids).status_code == 200
    (collection / "plugins/pdf-2").mkdir()
    (collection / "plugins/pdf-2/keep.txt").write_text("taken")
    items = do_import(client, sid, ids, "rename").json()["items"]
    assert [(i["outcome"], i["path"]) for i in items] == [
        ("renamed", "plugins/pdf-3"), ("renamed", "plugins/deploy-2")]
    assert (collection / "plugins/pdf-3/skills/pdf/scripts/extract.py").is_file()
    assert json.loads((collection / "plugins/pdf-3/.claude-plugin/plugin.json").read_text())[
        "name"] == "pdf-3"
    assert (collection / "plugins/deploy-2/commands/deploy.md").read_text() == \
        FILES[".claude/commands/deploy.md"]
    assert (collection / "plugins/pdf-2/keep.txt").read_text() == "taken"
    assert (collection / "plugins/pdf/skills/pdf/SKILL.md").is_file()


def test_overwrite_never_replaces_what_the_same_import_wrote(
        client: httpx.Client, repo: Path, collection: Path) -> None:
    commit(repo, {"more/pdf/SKILL.md": skill("pdf", "A second skill with the same name.")})
    sid = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()["id"]
    pdfs = [e["id"] for p, e in catalog(client, sid).items() if e["name"] == "pdf"]
    items = do_import(client, sid, pdfs, "overwrite").json()["items"]
    assert sorted((i["outcome"], i["path"]) for i in items) == [
        ("imported", "plugins/pdf"), ("renamed", "plugins/pdf-2")]


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
    """Every path below `root`. A folder that vanishes while it is walked is skipped: git
    packs the collection's loose objects once an import has been answered."""
    found: set[Path] = set()
    for folder, dirs, files in os.walk(root):
        found.update(Path(folder) / name for name in (*dirs, *files))
    return found


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
        "skills/evil/hooks.json": json.dumps(HOOKS),
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
        {"type": "hook", "name": "a\\b\nc", "path": "skills/evil/hooks.json", "content_hash": "d",
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
    assert where == {"../../../../escape": "plugins/escape", "/etc/cron.d/pwn":
                     "plugins/etc-cron-d-pwn",
                     "..": f"plugins/{entries['..']['id'].replace('_', '-')}",
                     "a\\b\nc": "plugins/a-b-c"}
    skill_item = next(i for i in body["items"] if i["artifact_type"] == "skill")
    assert {f["path"] for f in skill_item["skipped_files"]} == {
        "../../../../../escape.txt", "link", "ctl\x07name.md", "back\\slash.md"}
    assert files_under(collection) >= {"escape/skills/escape/SKILL.md",
                                       "escape/skills/escape/ok.md"}
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
    assert item["path"].startswith("plugins/") and "/" not in item["path"][len("plugins/"):]
    assert {f["path"]: f["reason"].split(":")[0] for f in item["skipped_files"]} == {
        "passwd": "symbolic link", "up": "symbolic link"}
    name = item["path"].removeprefix("plugins/")
    assert files_under(collection) == {f"{name}/.claude-plugin/plugin.json",
                                       f"{name}/skills/{name}/SKILL.md",
                                       f"{name}/skills/{name}/notes.md"}
    assert_confined(tmp_path, before, collection)

"""Hostile repository content through the real server: YAML alias bombs, deep and huge JSON,
`.git` paths. Each scan must succeed, say what it skipped, and stay small."""

from __future__ import annotations

import json
import resource
from pathlib import Path
from typing import Any

import httpx
import pytest

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceSource
from skillmeat.config import Settings
from skillmeat.core.marketplace import browsing
from skillmeat.core.marketplace.collection import is_git_name
from tests.fakes.github_server import FakeGitHub
from tests.gitrepo import fast_commit
from tests.hostile import DOT_GIT_PATHS, deep_json, dot_git, yaml_bombs

BASE = "/api/v1/marketplace/sources"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scanned(client: httpx.Client, repo_url: str) -> dict[str, Any]:
    source = client.post(BASE, json={"repo_url": repo_url}).json()
    scan = client.post(f"{BASE}/{source['id']}/rescan")
    assert scan.status_code == 200, scan.text
    return {**source, "scan": scan.json()}


def entries(client: httpx.Client, sid: str) -> dict[str, dict[str, Any]]:
    items = client.get(f"{BASE}/{sid}/artifacts", params={
        "limit": 100, "include_below_threshold": True}).json()["items"]
    return {f"{i['artifact_type']}:{i['path']}": i for i in items}


def read(client: httpx.Client, sid: str, entry: str, path: str) -> httpx.Response:
    return client.get(f"{BASE}/{sid}/artifacts/{entry}/files/{path}")


def test_alias_bombs_in_every_markdown_type_are_refused_while_parsing(
        client: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_commit(tmp_path / "bombs", yaml_bombs())
    before = peak_rss_mb()
    source = scanned(client, str(tmp_path / "bombs"))
    found = entries(client, source["id"])
    bombs = ["skill:skills/bomb", "skill:skills/named-bomb", "command:.claude/commands/bomb.md",
             "agent:.claude/agents/bomb.md", "command:plugins/bombs/commands/boom.md",
             "agent:plugins/bombs/agents/boom.md"]
    for key in bombs:
        note = found[key]["score_breakdown"]["frontmatter_error"]
        assert note.startswith("frontmatter YAML refused: YAML expands to more than 10,000 nodes")
        assert len(json.dumps(found[key])) < 4000  # nothing expanded reached the catalog
    assert found["skill:skills/bomb"]["description"] == "Explodes when printed."
    assert found["skill:skills/fine"]["score_breakdown"].get("frontmatter_error") is None
    assert "skill:skills/huge-frontmatter" in found

    bomb = read(client, source["id"], found["skill:skills/bomb"]["id"], "SKILL.md").json()
    assert bomb["frontmatter"] is None and bomb["body"] == "Body.\n"
    assert bomb["frontmatter_error"].startswith("frontmatter not read: YAML expands")
    calls: list[str] = []
    parse = browsing.read_frontmatter
    monkeypatch.setattr(browsing, "read_frontmatter", lambda text: calls.append("") or parse(text))
    huge_id = found["skill:skills/huge-frontmatter"]["id"]
    for _ in range(3):  # the same blob: parsed once, then served from the cache by its id
        huge = read(client, source["id"], huge_id, "SKILL.md").json()
        assert huge["frontmatter_error"] == "frontmatter not read: YAML is larger than 64 KiB"
        assert huge["body"] == "# Huge\n" and huge["content"].startswith("---\nname: huge")
    assert len(calls) == 1
    # Expanded, the bombs would be gigabytes; the scan and the reads cost next to nothing.
    assert peak_rss_mb() - before < 150


def test_deep_and_huge_json_in_every_config_type_is_skipped_with_a_reason(
        client: httpx.Client, db: Database, tmp_path: Path) -> None:
    fast_commit(tmp_path / "deep", deep_json())
    source = scanned(client, str(tmp_path / "deep"))
    problems = source["scan"]["problems"]
    deep = [".claude-plugin/marketplace.json", "plugins/deep/.claude-plugin/plugin.json",
            ".claude/settings.json", ".mcp.json", "mcp/servers.json"]
    for path in deep:
        assert f"{path}: skipped: JSON is nested deeper than 64 levels" in problems, problems
    assert "tools/huge/.mcp.json: skipped: JSON is larger than 1 MiB" in problems
    assert source["scan"]["complete"] is True  # skipping a bad file does not make it partial
    found = entries(client, source["id"])
    assert {"hook:plugins/fine/hooks/hooks.json", "mcp_server:tools/fine/.mcp.json",
            "skill:skills/fine", "command:plugins/deep/commands/run.md"} <= set(found)
    assert not any(key.startswith(("mcp_server:.mcp.json", "hook:.claude")) for key in found)
    # The source is not stuck: a rescan under a new detector reads everything again.
    with db.session() as session:
        session.get_one(MarketplaceSource, source["id"]).detector_version = None
    again = client.post(f"{BASE}/{source['id']}/rescan")
    assert again.status_code == 200 and again.json()["problems"] == problems


@pytest.mark.parametrize("breakdown, problem", [
    ({"a": {"b": 1}}, ["score_breakdown", "a"]),
    ({"a": [1, 2]}, ["score_breakdown", "a"]),
    ({f"k{i}": 1 for i in range(51)}, ["score_breakdown"]),
    ({"k" * 65: 1}, ["score_breakdown"]),
    ({"note": "x" * 1001}, ["score_breakdown", "note"]),
])
def test_pushed_score_breakdowns_must_be_flat_and_small(
        client: httpx.Client, breakdown: dict[str, Any], problem: list[str]) -> None:
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/push"}).json()["id"]
    artifact = {"type": "skill", "name": "x", "path": "skills/x", "content_hash": "a",
                "confidence": 50, "score_breakdown": breakdown}
    resp = client.post(f"{BASE}/{sid}/scan-results",
                       json={"commit": "abcdef12", "artifacts": [artifact]})
    assert resp.status_code == 422, resp.text
    locs = [e["loc"] for e in resp.json()["detail"]]
    assert any(loc[3:3 + len(problem)] == problem for loc in locs), locs
    assert client.get(f"{BASE}/{sid}/artifacts").json()["items"] == []


@pytest.mark.parametrize("suspect", ["", ', "note": "\\ud800"'])
def test_a_push_nested_past_the_stack_is_refused_not_a_500(client: httpx.Client,
                                                           suspect: str) -> None:
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/deep"}).json()["id"]
    deep = "[" * 50_000 + "]" * 50_000
    body = '{"commit": "abcdef12"' + suspect + ', "artifacts": [{"score_breakdown": ' \
        + deep + "}]}"
    resp = client.post(f"{BASE}/{sid}/scan-results", content=body,
                       headers={"Content-Type": "application/json"})
    assert resp.status_code == 422, resp.text
    assert client.get(f"{BASE}/{sid}/scans").json()["items"] == []


def test_a_github_answer_nested_past_the_stack_fails_the_scan_with_a_reason(
        client: httpx.Client, fake_github: FakeGitHub, live_server: Any, settings: Settings,
        db: Database) -> None:
    fake_github.load({"acme/deep": {"refs": {"main": "v1"}, "commits": {"v1": {
        "skills/x/SKILL.md": "---\nname: x\n---\n"}}}})
    live_server.use(settings.model_copy(update={"github_api_url": fake_github.url}), db)
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/deep"}).json()["id"]
    fake_github.fail(200, match="/git/trees/", body=b"[" * 200_000 + b"]" * 200_000)
    resp = client.post(f"{BASE}/{sid}/rescan")
    assert resp.status_code == 502
    assert "GitHub sent an unreadable answer for acme/deep" in resp.json()["detail"]
    assert client.post(f"{BASE}/{sid}/rescan").status_code == 200  # and the next scan works


@pytest.fixture(params=["git", "github"])
def evil_source(request: pytest.FixtureRequest, client: httpx.Client, tmp_path: Path,
                fake_github: FakeGitHub, live_server: Any, settings: Settings,
                db: Database) -> dict[str, Any]:
    files = dot_git()
    if request.param == "git":
        fast_commit(tmp_path / "evil", files)
        return scanned(client, str(tmp_path / "evil"))
    fake_github.load({"acme/evil": {"refs": {"main": "v1"}, "commits": {"v1": files}}})
    live_server.use(settings.model_copy(update={"github_api_url": fake_github.url}), db)
    return scanned(client, "https://github.com/acme/evil")


def test_dot_git_paths_are_never_shown_read_or_imported(
        client: httpx.Client, evil_source: dict[str, Any], settings: Settings) -> None:
    sid = evil_source["id"]
    evil = entries(client, sid)["skill:skills/evil"]
    listing = client.get(f"{BASE}/{sid}/artifacts/{evil['id']}/files").json()
    problems = {f["path"]: f["problem"] for f in listing["files"]}
    for path in DOT_GIT_PATHS:
        assert problems[path] == "a .git path: git's own files are never shown nor copied"
        assert read(client, sid, evil["id"], path).status_code == 404
    assert {p for p, problem in problems.items() if problem is None} == {
        "SKILL.md", ".gitignore", ".github/notes.md"}
    assert listing["file_count"] == 3
    item = client.post(f"{BASE}/{sid}/import", json={"entry_ids": [evil["id"]]}).json()
    [imported] = item["items"]
    assert {f["path"] for f in imported["skipped_files"]} == set(DOT_GIT_PATHS)
    # The collection's own .git is SkillMeat's; nothing of the repository's reaches a unit.
    unit = settings.resolved_collection_dir / imported["path"]
    written = {str(p.relative_to(unit)) for p in unit.rglob("*") if p.is_file()}
    assert written == {".claude-plugin/plugin.json", "skills/evil/SKILL.md",
                       "skills/evil/.gitignore", "skills/evil/.github/notes.md"}
    assert not any(is_git_name(p.name) for p in unit.rglob("*"))

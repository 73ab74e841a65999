"""Looking inside catalog entries: file trees and file contents, from git and a fake GitHub."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from tests.fakes.github_server import FakeGitHub, blob_sha
from tests.gitrepo import command, commit, skill

BASE = "/api/v1/marketplace/sources"
BROKEN = "---\nname: broken\ndescription: [unclosed\n  - nope: {\n---\n\n# Broken\n\nBody.\n"
RICH = ("---\nname: rich\ndescription: Has nested fields.\nallowed-tools: [Read, Grep]\n"
        "metadata:\n  created: 2025-01-31\n  version: 2\n---\n# Rich\n\nThe body.\n")
FILES: dict[str, str | bytes] = {
    "skills/pdf/SKILL.md": skill("pdf"),
    "skills/pdf/scripts/extract.py": "print('extract')\n",
    "skills/pdf/logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "skills/pdf/big.txt": "x" * 1_100_000,
    "skills/broken/SKILL.md": BROKEN,
    "skills/rich/SKILL.md": RICH,
    ".claude/commands/deploy.md": command(),
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "tools"
    commit(path, FILES, message="initial")
    (path / "skills/pdf/passwd").symlink_to("/etc/passwd")
    commit(path, message="a link")
    return path


@pytest.fixture
def sid(client: httpx.Client, repo: Path) -> str:
    body = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()
    assert body["scan_status"] == "success", body["last_error"]
    return str(body["id"])


def entry_ids(client: httpx.Client, sid: str) -> dict[str, str]:
    items = client.get(f"{BASE}/{sid}/artifacts",
                       params={"limit": 100, "include_below_threshold": True}).json()["items"]
    return {i["path"]: i["id"] for i in items}


def read(client: httpx.Client, sid: str, entry: str, path: str) -> httpx.Response:
    return client.get(f"{BASE}/{sid}/artifacts/{entry}/files/{path}")


def test_file_tree_of_a_skill_lists_paths_sizes_and_links(client: httpx.Client,
                                                          sid: str) -> None:
    pdf = entry_ids(client, sid)["skills/pdf"]
    body = client.get(f"{BASE}/{sid}/artifacts/{pdf}/files").json()
    assert (body["entry_id"], body["root"], body["artifact_type"]) == (pdf, "skills/pdf", "skill")
    files = {f["path"]: f for f in body["files"]}
    assert sorted(files) == ["SKILL.md", "big.txt", "logo.png", "passwd", "scripts/extract.py"]
    # A listing reads no file: git knows the sizes of the blobs the scan fetched, no others.
    assert files["SKILL.md"]["size"] == len(FILES["skills/pdf/SKILL.md"])
    assert files["scripts/extract.py"]["size"] is None and files["big.txt"]["size"] is None
    assert (body["file_count"], body["unsized_files"]) == (4, 3)
    assert body["total_size"] == len(FILES["skills/pdf/SKILL.md"])
    assert body["page_info"] == {"next_cursor": None, "has_more": False}
    assert (files["passwd"]["kind"], files["SKILL.md"]["kind"]) == ("symlink", "file")
    assert files["passwd"]["problem"].startswith("symbolic link")
    assert files["SKILL.md"]["problem"] is None


def test_file_tree_of_a_command_is_its_one_file(client: httpx.Client, sid: str) -> None:
    deploy = entry_ids(client, sid)[".claude/commands/deploy.md"]
    body = client.get(f"{BASE}/{sid}/artifacts/{deploy}/files").json()
    assert body["root"] == ".claude/commands"
    assert [f["path"] for f in body["files"]] == ["deploy.md"]
    text = read(client, sid, deploy, "deploy.md").json()
    assert text["frontmatter"] == {"description": "Run the deploy"}


def test_markdown_content_comes_with_its_frontmatter_parsed(client: httpx.Client,
                                                            sid: str) -> None:
    rich = entry_ids(client, sid)["skills/rich"]
    body = read(client, sid, rich, "SKILL.md").json()
    assert body["frontmatter"] == {"name": "rich", "description": "Has nested fields.",
                                   "allowed-tools": ["Read", "Grep"],
                                   "metadata": {"created": "2025-01-31", "version": 2}}
    assert body["frontmatter_error"] is None
    assert body["body"] == "# Rich\n\nThe body.\n"
    assert body["content"] == RICH
    assert (body["binary"], body["too_large"], body["size"]) == (False, False, len(RICH))


def test_invalid_frontmatter_is_reported_not_a_500(client: httpx.Client, sid: str) -> None:
    broken = entry_ids(client, sid)["skills/broken"]
    resp = read(client, sid, broken, "SKILL.md")
    assert resp.status_code == 200
    body = resp.json()
    assert body["frontmatter"] is None
    assert body["frontmatter_error"].startswith("invalid YAML")
    assert body["body"] == "\n# Broken\n\nBody.\n"
    assert body["content"] == BROKEN


def test_plain_text_binary_and_oversized_files(client: httpx.Client, sid: str) -> None:
    pdf = entry_ids(client, sid)["skills/pdf"]
    script = read(client, sid, pdf, "scripts/extract.py").json()
    assert script["content"] == "print('extract')\n"
    assert (script["frontmatter"], script["body"]) == (None, None)
    logo = read(client, sid, pdf, "logo.png").json()
    assert (logo["binary"], logo["content"]) == (True, None)
    big = read(client, sid, pdf, "big.txt").json()
    assert (big["too_large"], big["content"]) == (True, None)


def raw_get(base_url: str, target: str) -> tuple[int, dict[str, Any]]:
    """GET a request target exactly as written: httpx would resolve the dot segments first."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.request("GET", target)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


@pytest.mark.parametrize("path", [
    "../broken/SKILL.md", "..%2Fbroken%2FSKILL.md", "%2E%2E/%2E%2E/README.md",
    "/etc/passwd", "//etc/passwd", "passwd", "scripts", "nope.md", "scripts/../SKILL.md",
    "./SKILL.md", "../../.claude/commands/deploy.md", "skills/pdf/SKILL.md",
])
def test_paths_outside_the_artifact_are_not_found(client: httpx.Client, live_server: Any,
                                                  sid: str, path: str) -> None:
    pdf = entry_ids(client, sid)["skills/pdf"]
    status, body = raw_get(live_server.url, f"{BASE}/{sid}/artifacts/{pdf}/files/{path}")
    assert status == 404
    assert body["detail"].startswith("no file"), body


def test_unknown_entry_or_unscanned_source(client: httpx.Client, sid: str,
                                           repo: Path, tmp_path: Path) -> None:
    assert client.get(f"{BASE}/{sid}/artifacts/cat_nope/files").status_code == 404
    other = tmp_path / "other"
    commit(other, {"skills/x/SKILL.md": skill("x")})
    fresh = client.post(BASE, json={"repo_url": str(other)}).json()["id"]
    resp = client.get(f"{BASE}/{fresh}/artifacts/cat_nope/files")
    assert resp.status_code == 409
    assert "scan the source first" in resp.json()["detail"]


def test_second_look_at_a_github_entry_makes_no_request(
        client: httpx.Client, fake_github: FakeGitHub, live_server: Any, settings: Settings,
        db: Database) -> None:
    fake_github.load({"acme/tools": {"refs": {"main": "v1"}, "commits": {"v1": {
        "skills/pdf/SKILL.md": skill("pdf"), "skills/pdf/notes.md": "notes\n"}}}})
    live_server.use(settings.model_copy(update={"github_api_url": fake_github.url}), db)
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/tools",
                                  "scan": True}).json()["id"]
    pdf = entry_ids(client, sid)["skills/pdf"]
    fake_github.reset_requests()
    first = read(client, sid, pdf, "notes.md").json()
    assert first["content"] == "notes\n"
    assert fake_github.paths("/git/blobs/")
    fake_github.reset_requests()
    assert read(client, sid, pdf, "notes.md").json() == first
    assert client.get(f"{BASE}/{sid}/artifacts/{pdf}/files").status_code == 200
    assert fake_github.paths() == []
    # An import right after fetches only the blob that was not looked at.
    assert client.post(f"{BASE}/{sid}/import", json={"entry_ids": [pdf]}).status_code == 200
    assert fake_github.paths("/git/blobs/") == [
        f"/repos/acme/tools/git/blobs/{blob_sha(skill('pdf'))}"]

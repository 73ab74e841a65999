"""What this can run, through the API: scanned from a real git repository, on a real database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.gitrepo import commit, fast_commit, skill

BASE = "/api/v1/marketplace/sources"
PLUGIN = "plugins/guard"
FILES = {
    f"{PLUGIN}/.claude-plugin/plugin.json": json.dumps({"name": "guard", "version": "1.0.0"}),
    f"{PLUGIN}/hooks/hooks.json": json.dumps({"hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [
            {"type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/hooks/check.sh"}]}],
        "Stop": [{"hooks": [{"type": "command", "command": "npx notify-me"}]}]}}),
    f"{PLUGIN}/hooks/check.sh": "#!/bin/bash\nexit 0\n",
    f"{PLUGIN}/.mcp.json": json.dumps({"mcpServers": {
        "db": {"command": "npx", "args": ["-y", "db-mcp@latest"], "env": {"DB_TOKEN": "s3cret"}},
        "docs": {"type": "http", "url": "https://mcp.docs.example/mcp"}}}),
    f"{PLUGIN}/commands/deploy.md": "---\ndescription: Deploy\nallowed-tools: Read, Bash\n---\n"
                                    "Deploy $ARGUMENTS\n",
    "skills/pdf/SKILL.md": skill("pdf"),
}


@pytest.fixture
def source(client: httpx.Client, tmp_path: Path) -> str:
    repo = tmp_path / "guard"
    commit(repo, FILES, message="initial")
    resp = client.post(BASE, json={"repo_url": str(repo), "scan": True})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def _listed(client: httpx.Client, sid: str) -> dict[str, dict[str, Any]]:
    body = client.get(f"{BASE}/{sid}/artifacts", params={"limit": 100}).json()
    return {i["path"]: i for i in body["items"]}


def test_cards_carry_a_one_line_summary_and_no_structure(client: httpx.Client,
                                                         source: str) -> None:
    found = _listed(client, source)
    assert found[f"{PLUGIN}/hooks/hooks.json"]["risk_summary"] == \
        "2 hooks · 1 script · 1 unpinned runner"
    assert found[f"{PLUGIN}/.mcp.json"]["risk_summary"] == \
        "2 MCP servers · 1 unpinned runner · 1 network endpoint"
    assert found[f"{PLUGIN}/commands/deploy.md"]["risk_summary"] == "Bash"
    assert found["skills/pdf"]["risk_summary"] is None
    assert all("risk" not in item for item in found.values())


def test_entry_detail_says_what_it_can_run(client: httpx.Client, source: str) -> None:
    found = _listed(client, source)
    mcp = client.get(f"{BASE}/{source}/artifacts/{found[f'{PLUGIN}/.mcp.json']['id']}")
    assert mcp.status_code == 200, mcp.text
    risk = mcp.json()["risk"]
    servers = {s["name"]: s for s in risk["mcp_servers"]}
    assert servers["db"]["env"] == ["DB_TOKEN"] and servers["docs"]["transport"] == "http"
    assert "s3cret" not in mcp.text
    assert [r["text"] for r in risk["unpinned"]] == ["npx db-mcp@latest"]
    hook = client.get(f"{BASE}/{source}/artifacts/{found[f'{PLUGIN}/hooks/hooks.json']['id']}")
    hooks = hook.json()["risk"]["hooks"]
    assert [(h["event"], h["matcher"], h["scripts"]) for h in hooks] == [
        ("PreToolUse", "Bash", ["hooks/check.sh"]), ("Stop", None, [])]
    plain = client.get(f"{BASE}/{source}/artifacts/{found['skills/pdf']['id']}").json()
    assert plain["risk"] is None and plain["name"] == "pdf"


def test_unknown_entry_is_a_readable_404(client: httpx.Client, source: str) -> None:
    resp = client.get(f"{BASE}/{source}/artifacts/cat_missing")
    assert resp.status_code == 404 and "not found" in resp.json()["detail"]


def test_an_executable_file_of_a_skill_is_listed_by_its_mode(client: httpx.Client,
                                                             tmp_path: Path) -> None:
    repo = tmp_path / "modes"
    fast_commit(repo, {"skills/run/SKILL.md": skill("run").encode(),
                       "skills/run/bin/tool": b"\x7fELF\0binary"},
                modes={"skills/run/bin/tool": "100755"})
    sid = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()["id"]
    entry = _listed(client, sid)["skills/run"]
    assert entry["risk_summary"] == "1 script"
    detail = client.get(f"{BASE}/{sid}/artifacts/{entry['id']}").json()
    assert detail["risk"]["executables"] == [{"path": "bin/tool", "language": None,
                                              "shebang": None}]

"""What this can run, in a real browser: the card's one line and the entry's own section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.gitrepo import commit, skill
from tests.web.conftest import Console

expect: Any = None
try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    pass

BASE = "/api/v1/marketplace/sources"


def test_cards_show_the_summary_and_the_entry_lists_what_it_runs(
    page: Any, console: Console, browser: Any, client: httpx.Client, tmp_path: Path,
) -> None:
    repo = tmp_path / "guard"
    commit(repo, {
        ".claude-plugin/plugin.json": json.dumps({"name": "guard"}),
        ".mcp.json": json.dumps({"mcpServers": {"db": {
            "command": "npx", "args": ["db-mcp@latest"], "env": {"DB_TOKEN": "s3cret"}}}}),
        "hooks/hooks.json": json.dumps({"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
            {"type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/hooks/check.sh"}]}]}}),
        "hooks/check.sh": "#!/bin/bash\nexit 0\n",
        "skills/plain/SKILL.md": skill("plain"),
    })
    source = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()
    page.goto(f"{str(client.base_url).rstrip('/')}/sources/{source['id']}")
    cards = page.locator(".entry-card")
    mcp = cards.filter(has_text=".mcp.json")
    expect(mcp.locator(".risk-line")).to_have_text("Can run: 1 MCP server · 1 unpinned runner")
    expect(cards.filter(has_text="hooks/hooks.json").locator(".risk-line")).to_have_text(
        "Can run: 1 hook · 1 script")
    expect(cards.filter(has_text="skills/plain").locator(".risk-line")).to_have_count(0)

    mcp.locator(".entry-open").click()
    section = page.locator("#entry-dialog .risk")
    expect(section.get_by_role("heading", name="What this can run")).to_be_visible()
    expect(section.locator(".risk-list li")).to_have_count(2)
    expect(section).to_contain_text("MCP server db: runs npx db-mcp@latest — env DB_TOKEN")
    expect(section).to_contain_text("Unpinned npx db-mcp@latest in .mcp.json")
    expect(section).not_to_contain_text("s3cret")
    page.keyboard.press("Escape")

    cards.filter(has_text="skills/plain").locator(".entry-open").click()
    expect(page.locator("#entry-dialog .risk")).to_contain_text(
        "Nothing: no hooks, MCP servers, scripts, Bash or network endpoints.")
    assert console.errors == []

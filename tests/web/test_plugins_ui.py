"""Plugins in the browser: the Plugins tab, a plugin card's member counts, the plugin detail's
members (each opens as any entry), a member's link to its plugin, and "Add as source"."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.gitrepo import agent, command, commit, skill
from tests.web.conftest import Console

expect: Any = None
try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    pass

BASE = "/api/v1/marketplace/sources"
MARKET = {"name": "acme", "owner": {"name": "Acme"}, "plugins": [
    {"name": "finance", "source": "./finance"},
    {"name": "far", "source": {"source": "github", "repo": "acme/far", "ref": "v1"}},
]}
FILES = {
    ".claude-plugin/marketplace.json": json.dumps(MARKET),
    "finance/.claude-plugin/plugin.json": json.dumps({"name": "finance", "version": "1.2.0",
                                                      "license": "MIT"}),
    "finance/skills/ledger/SKILL.md": skill("ledger", "Keep the ledger."),
    "finance/skills/tax/SKILL.md": skill("tax", "File taxes."),
    "finance/commands/close.md": command(),
    "finance/agents/auditor.md": agent("auditor"),
}


@pytest.fixture
def source(tmp_path: Path, client: httpx.Client) -> dict[str, Any]:
    repo = tmp_path / "acme"
    commit(repo, FILES, message="initial")
    resp = client.post(BASE, json={"repo_url": str(repo), "scan": True})
    assert resp.json()["scan_status"] == "success", resp.text
    return resp.json()


def tab(page: Any, name: str) -> Any:
    return page.get_by_role("tab", name=re.compile(rf"^{re.escape(name)} \(\d+\)$"))


def test_plugins_tab_detail_members_plugin_link_and_add_as_source(
        page: Any, console: Console, client: httpx.Client, source: dict[str, Any]) -> None:
    url = str(client.base_url).rstrip("/")
    page.goto(f"{url}/sources/{source['id']}")
    expect(tab(page, "Plugins")).to_have_text("Plugins (2)")
    tab(page, "Plugins").click()
    expect(page).to_have_url(re.compile(r"\?type=plugin$"))
    cards = page.locator(".entry-card")
    expect(cards).to_have_count(2)
    finance = cards.filter(has_text="finance")
    expect(finance.locator(".member-counts")).to_have_text("2 Skills · 1 Agent · 1 Command")

    # The plugin detail lists its members; one opens as any entry does, with its plugin link.
    finance.get_by_role("button", name="finance", exact=True).click()
    dialog = page.get_by_role("dialog", name="finance")
    expect(dialog.locator(".member-list li")).to_have_count(4)
    expect(dialog.locator(".facts")).to_contain_text("MIT")
    dialog.get_by_role("button", name="ledger", exact=True).click()
    member = page.get_by_role("dialog", name="ledger")
    expect(member).to_be_visible()
    member.get_by_role("button", name="finance").click()
    expect(page.get_by_role("dialog", name="finance")).to_be_visible()
    page.keyboard.press("Escape")

    # Member cards name their plugin as a link to it.
    tab(page, "Skills").click()
    ledger = page.locator(".entry-card").filter(has_text="ledger")
    expect(ledger.locator(".plugin-of")).to_have_text("Plugin: finance")
    ledger.get_by_role("button", name="finance").click()
    expect(page.get_by_role("dialog", name="finance")).to_be_visible()
    page.keyboard.press("Escape")

    # A remote plugin cannot be imported here; it is added as a source in one click.
    tab(page, "Plugins").click()
    far = page.locator(".entry-card").filter(has_text="far")
    expect(far.get_by_role("button", name="Import far")).to_be_disabled()
    far.get_by_role("button", name="Add far's repository as a source").click()
    expect(page.locator("#toasts")).to_contain_text("Added https://github.com/acme/far")
    added = [s for s in client.get(BASE).json()["items"]
             if s["repo_url"] == "https://github.com/acme/far"]
    assert len(added) == 1 and added[0]["ref"] == "v1"

    # "Not an artifact" on a plugin offers its members too; restoring brings them back.
    finance = page.locator(".entry-card").filter(has_text="finance")
    finance.get_by_role("button", name="Not an artifact").click()
    confirm = page.get_by_role("dialog", name="Not an artifact?")
    expect(confirm.get_by_label("Also hide its members (4)")).to_be_checked()
    confirm.get_by_role("button", name="Hide from catalog").click()
    expect(tab(page, "Skills")).to_have_text("Skills (0)")
    expect(tab(page, "Plugins")).to_have_text("Plugins (1)")
    excluded = page.locator("details#excluded")
    expect(excluded.locator("summary")).to_contain_text("Excluded artifacts (5)")
    excluded.locator("summary").click()
    excluded.get_by_role("button", name="Restore finance").click()
    expect(tab(page, "Skills")).to_have_text("Skills (2)")
    expect(excluded.locator("summary")).to_contain_text("Excluded artifacts (0)")
    assert console.errors == []

"""The Collection page in a real browser: units, origin, imported commit, local edits, the
two one-liners with copy buttons, and removal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from tests.core.collection_fixtures import scanned_repo
from tests.web.conftest import Console

expect: Any = None
try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    pass

BASE = "/api/v1/marketplace/sources"


def test_collection_page_lists_units_copies_one_liners_and_removes(
        page: Any, console: Console, client: httpx.Client, db: Database, settings: Settings,
        tmp_path: Path) -> None:
    sid, ids = scanned_repo(db, settings, tmp_path)
    wanted = [ids["skills/pdf"], ids[".claude/commands/deploy.md"]]
    commit = client.post(f"{BASE}/{sid}/import", json={"entry_ids": wanted}).json()["commit"]
    (settings.resolved_collection_dir / "plugins/pdf/skills/pdf/SKILL.md").write_text("mine")
    url = str(client.base_url).rstrip("/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page.goto(f"{url}/collection")
    rows = page.locator("#unit-rows tr")
    expect(rows).to_have_count(2)
    pdf = page.locator('tr[data-unit="pdf"]')
    expect(pdf).to_contain_text("skills/pdf")
    expect(pdf).to_contain_text(commit[:12])
    expect(pdf.locator("td.edits")).to_contain_text("1 file")
    expect(page.locator('tr[data-unit="deploy"] td.edits')).to_have_text("none")
    remote = f"claude plugin marketplace add {url}/collection.git"
    expect(page.locator(".one-liner").nth(1)).to_have_text(remote)
    expect(page.locator(".one-liner").first).to_contain_text("claude plugin marketplace add ")
    page.get_by_role("button", name="Copy: From another machine (this server)").click()
    assert page.evaluate("navigator.clipboard.readText()") == remote
    remove = page.get_by_role("button", name="Remove deploy")
    remove.click()
    expect(remove).to_have_text("Confirm remove")
    remove.click()
    expect(rows).to_have_count(1)
    assert [u["name"] for u in client.get("/api/v1/collection").json()["items"]] == ["pdf"]
    assert console.errors == []

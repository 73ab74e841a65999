"""The Updates page in a real browser: units with upstream changes and what they can run; the
review dialog (files, diff, risk difference) with "Not now" and "Update"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from tests.core.collection_fixtures import scanned_repo
from tests.gitrepo import commit, skill
from tests.web.conftest import Console, screenshot

expect: Any = None
try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    pass

BASE = "/api/v1/marketplace/sources"


def test_updates_page_reviews_and_updates_a_unit(
        page: Any, console: Console, client: httpx.Client, db: Database, settings: Settings,
        tmp_path: Path) -> None:
    sid, ids = scanned_repo(db, settings, tmp_path)
    wanted = [ids["skills/pdf"], ids[".claude/commands/deploy.md"]]
    assert client.post(f"{BASE}/{sid}/import", json={"entry_ids": wanted}).status_code == 200
    text = skill("pdf").replace("---\n\n", "allowed-tools: Bash\n---\n\n", 1)
    commit(tmp_path / "tools", {"skills/pdf/SKILL.md": text + "Now with forms.\n"})
    assert client.post(f"{BASE}/{sid}/rescan").status_code == 200
    url = str(client.base_url).rstrip("/")
    page.goto(f"{url}/updates")
    expect(page.locator("#update-total")).to_have_text("(1)")
    row = page.locator('tr[data-unit="pdf"]')
    expect(row.locator("td.risk .risk-change")).to_contain_text("now Bash")
    page.get_by_role("button", name="Review pdf").click()
    dialog = page.locator("#review-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#review-risk")).to_contain_text("`skills/pdf/SKILL.md` now allows Bash")
    expect(page.locator("#review-files")).to_contain_text("skills/pdf/SKILL.md")
    page.locator("#review-files button", has_text="skills/pdf/SKILL.md").click()
    expect(page.locator("#review-diff .add", has_text="Now with forms.")).to_have_count(1)
    screenshot(page, "updates-review")
    dialog.get_by_role("button", name="Not now").click()
    expect(dialog).to_be_hidden()
    assert client.get("/api/v1/collection/updates").json()["count"] == 1

    page.get_by_role("button", name="Review pdf").click()
    page.locator("#review-update").click()
    expect(dialog).to_be_hidden()
    expect(row).to_have_count(0)
    expect(page.locator("#update-total")).to_have_text("(0)")
    expect(page).to_have_title("Updates (0) · SkillMeat Marketplace")
    assert client.get("/api/v1/collection/updates").json()["count"] == 0
    entries = client.get(f"{BASE}/{sid}/artifacts", params={"limit": 100}).json()["items"]
    assert {e["path"]: e["status"] for e in entries}["skills/pdf"] == "imported"
    assert console.errors == []

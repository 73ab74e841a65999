"""Exclusions at scale in a real browser: several cards at once, restoring several, rules
with their dry-run count, an entry's history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.gitrepo import commit, skill
from tests.web.conftest import Console
from tests.web.test_ui import BASE, FILES, entry_ids, tab

expect: Any = None
try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    pass


@pytest.fixture
def url(browser: Any, client: httpx.Client) -> str:
    return str(client.base_url).rstrip("/")


def open_source(page: Any, url: str, client: httpx.Client, repo: Path) -> str:
    source = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()
    page.goto(f"{url}/sources/{source['id']}")
    return str(source["id"])


def test_select_cards_exclude_with_one_reason_then_restore_several(
        page: Any, console: Console, url: str, client: httpx.Client, tmp_path: Path) -> None:
    repo = tmp_path / "tools"
    commit(repo, FILES)
    sid = open_source(page, url, client, repo)
    cards = page.locator("#entry-grid .entry-card")
    expect(tab(page, "All")).to_have_text("All (5)")
    for name in ("docx", "broken"):
        cards.filter(has_text=name).get_by_role("checkbox").check()
    page.get_by_role("button", name="Not an artifact (2)").click()
    confirm = page.get_by_role("dialog", name="Not an artifact?")
    expect(confirm).to_contain_text("This will hide 2 entries from the catalog.")
    confirm.get_by_label("Reason").fill("Templates")
    with page.expect_request("**/artifacts/exclude") as request:
        confirm.get_by_role("button", name="Hide from catalog").click()
    assert request.value.headers.get("x-skillmeat-client") == "ui"
    expect(cards.filter(has_text="docx")).to_have_count(0)
    expect(tab(page, "All")).to_have_text("All (3)")
    ids = entry_ids(client, sid)
    assert (ids["docx"]["status"], ids["broken"]["excluded_reason"]) == ("excluded", "Templates")
    trail = client.get(f"{BASE}/{sid}/exclusion-events").json()["items"]
    assert {(e["action"], e["actor"]) for e in trail} == {("bulk_exclude", "ui")}

    excluded = page.locator("details#excluded")
    excluded.locator("summary").click()
    expect(excluded.locator("tbody tr")).to_have_count(2)
    expect(excluded.locator("tbody tr").first).to_contain_text("by hand")
    excluded.get_by_label("Select every excluded entry shown").check()
    excluded.get_by_role("button", name="Restore selected (2)").click()
    expect(excluded.locator("summary")).to_contain_text("Excluded artifacts (0)")
    expect(tab(page, "All")).to_have_text("All (5)")

    # The entry's history, in its detail.
    cards.filter(has_text="docx").get_by_role("button", name="docx", exact=True).click()
    history = page.get_by_role("dialog", name="docx").locator(".history")
    expect(history.locator("li")).to_have_count(2)
    expect(history.locator("li").first).to_contain_text("Restored with others by ui")
    expect(history.locator("li").last).to_contain_text("Templates")
    assert console.errors == []


def test_rules_panel_counts_before_saving_and_delete_restores(
        page: Any, console: Console, url: str, client: httpx.Client, tmp_path: Path) -> None:
    repo = tmp_path / "tools"
    commit(repo, {**FILES, "examples/one/SKILL.md": skill("one"),
                  "examples/two/SKILL.md": skill("two")})
    sid = open_source(page, url, client, repo)
    expect(tab(page, "All")).to_have_text("All (7)")
    rules = page.locator("details#rules")
    rules.locator("summary").click()
    expect(rules.get_by_text("No rules yet.")).to_be_visible()
    rules.get_by_label("Pattern").fill("examples/**")
    save = rules.get_by_role("button", name="Add rule")
    expect(save).to_be_disabled()
    rules.get_by_role("button", name="Check matches").click()
    expect(rules.locator("#rule-preview")).to_contain_text("Would exclude 2 entries")
    assert entry_ids(client, sid)["one"]["status"] == "new"  # a dry run changes nothing
    rules.get_by_label("Reason").fill("Examples")
    save.click()
    row = rules.locator("tbody tr", has_text="examples/**")
    expect(row).to_contain_text("You")
    expect(row.locator("td").nth(2)).to_have_text("2")
    expect(tab(page, "All")).to_have_text("All (5)")
    excluded = page.locator("details#excluded")
    excluded.locator("summary").click()
    expect(excluded.locator("tbody tr", has_text="one")).to_contain_text("examples/**")

    # A changed pattern must be checked again before it can be saved.
    rules.get_by_label("Pattern").fill("skills/pdf")
    expect(save).to_be_disabled()

    row.get_by_role("button", name="Delete rule examples/**").click()
    expect(rules.get_by_text("No rules yet.")).to_be_visible()
    expect(tab(page, "All")).to_have_text("All (7)")
    expect(excluded.locator("summary")).to_contain_text("Excluded artifacts (0)")
    assert console.errors == []

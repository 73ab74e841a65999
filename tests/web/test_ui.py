"""The web UI in a real browser, against the real server, a real database and a real git repo."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.gitrepo import agent, command, commit, skill
from tests.web.conftest import PHONE, Console

expect: Any = None
try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    pass

BASE = "/api/v1/marketplace/sources"
PDF_SKILL = """---
name: pdf
description: Fill, merge and split PDF files.
allowed-tools:
  - Read
  - Bash
metadata:
  version: "1.2"
  author: Docs team
---

# PDF

Merge with `pypdf`, then check the page count.
"""
FILES = {
    "README.md": "# tools\n",
    "skills/pdf/SKILL.md": PDF_SKILL,
    "skills/pdf/scripts/merge.py": "print('merge')\n",
    "skills/docx/SKILL.md": skill("docx", "Edit Word documents."),
    "skills/broken/SKILL.md": "---\nname: broken\ndescription: [oops\n---\n\nStill readable.\n",
    ".claude/agents/reviewer.md": agent("reviewer"),
    ".claude/commands/deploy.md": command(),
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "tools"
    commit(path, FILES, message="initial")
    return path


@pytest.fixture
def url(browser: Any, client: httpx.Client) -> str:
    return str(client.base_url).rstrip("/")


def entry_ids(client: httpx.Client, source_id: str) -> dict[str, dict[str, Any]]:
    body = client.get(f"{BASE}/{source_id}/artifacts",
                      params={"include_excluded": True, "limit": 100}).json()
    return {e["name"]: e for e in body["items"]}


def tab(page: Any, name: str) -> Any:
    return page.get_by_role("tab", name=re.compile(rf"^{re.escape(name)} \(\d+\)$"))


def test_add_scan_filter_view_exclude_restore_and_import(
    page: Any, console: Console, url: str, repo: Path, client: httpx.Client, settings: Any,
) -> None:
    console.allow_status(409)  # adding the same repository twice, on purpose
    page.goto(url + "/")
    expect(page.get_by_text("No sources yet")).to_be_visible()

    # A GitHub /tree/<ref>/<path> URL fills in the ref and the subdirectory.
    page.get_by_label("Repository URL").fill("https://github.com/acme/tools/tree/v2/skills/core")
    expect(page.get_by_label("Ref")).to_have_value("v2")
    expect(page.get_by_label("Subdirectory")).to_have_value("skills/core")

    # Add the local repository and scan it.
    page.get_by_label("Repository URL").fill(str(repo))
    expect(page.get_by_label("Ref")).to_have_value("")
    page.get_by_role("button", name="Add source").click()
    card = page.locator(".source-card")
    expect(card).to_have_count(1)
    expect(card.locator(".type-counts")).to_have_text(re.compile(r"3 Skills\s*1 Agent\s*1 Command"))
    expect(card.locator(".scan-line .badge")).to_have_text("Scanned")

    # The same repository again: the API's detail is shown next to the field.
    page.get_by_label("Repository URL").fill(str(repo))
    page.get_by_role("button", name="Add source").click()
    expect(page.locator("#repo-url-error")).to_contain_text("already exists")
    expect(page.get_by_label("Repository URL")).to_have_attribute("aria-invalid", "true")

    # Rescan shows progress while the scan runs, then its result.
    held: list[Any] = []
    page.route("**/rescan", lambda route: held.append(route))
    card.get_by_role("button", name="Rescan").click()
    expect(card.get_by_role("progressbar")).to_be_visible()
    expect(card.get_by_role("button", name="Scanning…")).to_be_disabled()
    held[0].continue_()
    page.unroute("**/rescan")
    expect(card.locator(".alert-ok")).to_contain_text("No changes")

    # Source detail: the Skills tab filters, and the URL carries the view.
    card.get_by_role("link", name="Browse catalog").click()
    expect(page).to_have_url(re.compile(r"/sources/src_\w+$"))
    expect(tab(page, "All")).to_have_text("All (5)")
    expect(tab(page, "Hooks")).to_have_text("Hooks (0)")
    expect(tab(page, "Hooks")).to_have_class(re.compile("is-empty"))
    cards = page.locator(".entry-card")
    expect(cards).to_have_count(5)
    tab(page, "Skills").click()
    expect(page).to_have_url(re.compile(r"\?type=skill$"))
    expect(tab(page, "Skills")).to_have_attribute("aria-selected", "true")
    expect(tab(page, "Skills")).to_have_text("Skills (3)")
    expect(cards).to_have_count(3)
    expect(cards.locator(".badge.type-skill")).to_have_count(3)

    # Arrow keys move between tabs and select them.
    page.keyboard.press("ArrowRight")
    expect(tab(page, "Agents")).to_be_focused()
    expect(tab(page, "Agents")).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(re.compile(r"\?type=agent$"))
    expect(cards).to_have_count(1)
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(re.compile(r"\?type=skill$"))

    # Search goes into the URL too; a reload shows the same view.
    page.get_by_role("searchbox").fill("pdf")
    expect(page).to_have_url(re.compile(r"\?type=skill&q=pdf$"))
    expect(cards).to_have_count(1)
    page.reload()
    expect(page.get_by_role("searchbox")).to_have_value("pdf")
    expect(tab(page, "Skills")).to_have_attribute("aria-selected", "true")
    expect(cards).to_have_count(1)
    page.get_by_role("searchbox").fill("")
    expect(cards).to_have_count(3)

    # Entry detail: the score breakdown, then the frontmatter above the stripped body.
    page.get_by_role("button", name="pdf", exact=True).click()
    dialog = page.get_by_role("dialog", name="pdf")
    expect(dialog).to_be_visible()
    expect(page).to_have_url(re.compile(r"&entry=cat_\w+$"))
    expect(dialog.locator(".breakdown")).to_contain_text("Layout")
    dialog.get_by_role("tab", name="Contents").click()
    frontmatter = dialog.locator("details.frontmatter")
    expect(frontmatter).to_have_attribute("open", "")
    fields = frontmatter.locator("dl.fm").first
    expect(fields.locator("> dt").first).to_have_text("name")
    assert int(fields.locator("> dt").first.evaluate("e => getComputedStyle(e).fontWeight")) >= 700
    expect(fields.locator("> dd").nth(2)).to_have_text("Read, Bash")
    expect(fields.locator("dl.fm-nested")).to_contain_text("Docs team")
    body = dialog.locator("pre.file-body")
    expect(body).to_contain_text("# PDF")
    expect(body).not_to_contain_text("allowed-tools")
    expect(dialog.locator(".file-tree")).to_contain_text("merge.py")
    for _ in range(12):  # the focus stays inside the modal dialog
        page.keyboard.press("Tab")
        assert dialog.evaluate("d => d.contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile(r"\?type=skill$"))

    # Invalid YAML: a warning, and the raw text.
    page.get_by_role("button", name="broken", exact=True).click()
    dialog = page.get_by_role("dialog", name="broken")
    dialog.get_by_role("tab", name="Contents").click()
    expect(dialog.locator(".alert-warn")).to_contain_text("Frontmatter could not be read")
    expect(dialog.locator("pre.file-body")).to_contain_text("description: [oops")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    # "Not an artifact": confirm, and the card leaves while the counts follow.
    docx = cards.filter(has_text="docx")
    docx.get_by_role("button", name="Not an artifact").click()
    confirm = page.get_by_role("dialog", name="Not an artifact?")
    expect(confirm).to_contain_text(
        "This will hide docx from the catalog. You can restore it later from the Excluded list.")
    confirm.get_by_label("Reason").fill("A template, not a skill")
    confirm.get_by_role("button", name="Hide from catalog").click()
    expect(confirm).to_be_hidden()
    expect(docx).to_have_count(0)
    expect(tab(page, "Skills")).to_have_text("Skills (2)")
    expect(tab(page, "All")).to_have_text("All (4)")
    excluded = page.locator("details#excluded")
    expect(excluded.locator("summary")).to_contain_text("Excluded artifacts (1)")
    expect(excluded).not_to_have_attribute("open", "")
    excluded.locator("summary").click()
    row = excluded.locator("tbody tr", has_text="docx")
    expect(row).to_contain_text("A template, not a skill")
    expect(row.locator("time")).to_have_attribute("title", re.compile(r"\d{4}"))
    expect(row.locator("time")).to_have_text("just now")

    # Restore: the row goes, the card comes back where the API's order puts it.
    row.get_by_role("button", name="Restore docx").click()
    expect(row).to_have_count(0)
    expect(docx).to_have_count(1)
    expect(tab(page, "Skills")).to_have_text("Skills (3)")
    expect(excluded.locator("summary")).to_contain_text("Excluded artifacts (0)")
    source_id = page.url.split("/sources/")[1].split("?")[0]
    in_order = client.get(f"{BASE}/{source_id}/artifacts", params={"artifact_type": "skill"})
    expect(cards.locator(".card-title")).to_have_text([e["name"] for e in in_order.json()["items"]])

    # "Select all" leaves excluded entries out of the import.
    by_name = entry_ids(client, source_id)
    resp = client.patch(f"{BASE}/{source_id}/artifacts/{by_name['broken']['id']}/exclude",
                        json={"excluded": True})
    assert resp.status_code == 200, resp.text
    page.reload()
    expect(cards).to_have_count(2)
    page.get_by_label("Select all").check()
    button = page.get_by_role("button", name="Import selected (2)")
    with page.expect_request("**/import") as request:
        button.click()
    sent = json.loads(request.value.post_data or "{}")
    assert set(sent["entry_ids"]) == {by_name["pdf"]["id"], by_name["docx"]["id"]}
    expect(page.locator(".toast-ok").last).to_contain_text("Imported")
    expect(cards.locator(".badge.status-imported")).to_have_count(2)
    after = entry_ids(client, source_id)
    assert (after["pdf"]["status"], after["broken"]["status"]) == ("imported", "excluded")
    unit = settings.resolved_collection_dir / "plugins" / "pdf"
    assert (unit / "skills" / "pdf" / "SKILL.md").is_file()

    assert console.errors == []


def test_narrow_screen_scrolls_the_tabs_not_the_page(
    page: Any, console: Console, url: str, repo: Path, client: httpx.Client,
) -> None:
    source = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()
    page.set_viewport_size(PHONE)
    page.goto(f"{url}/sources/{source['id']}?type=hook")
    hooks = tab(page, "Hooks")
    expect(hooks).to_have_attribute("aria-selected", "true")
    expect(hooks).to_be_in_viewport()
    strip = page.locator(".tabs-scroll")
    assert strip.evaluate("e => e.scrollWidth > e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.get_by_text("No hooks in this source.")).to_be_visible()
    tab(page, "All").click()
    expect(page.locator(".entry-card")).to_have_count(5)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert console.errors == []


def test_failed_actions_show_the_api_detail(
    page: Any, console: Console, url: str, repo: Path, client: httpx.Client,
) -> None:
    console.allow_status(404, 422)
    page.goto(url + "/")
    page.get_by_label("Repository URL").fill("http://example.com/tools.git")
    page.get_by_role("button", name="Add source").click()
    expect(page.locator("#repo-url-error")).to_have_text(
        "plain http:// repository URLs are not allowed; use https://")
    # The API names the field an error is about; the form shows it there.
    page.get_by_label("Repository URL").fill(str(repo))
    page.get_by_label("Ref").fill("a..b")
    page.get_by_role("button", name="Add source").click()
    expect(page.locator("#repo-ref-error")).to_have_text(
        "ref 'a..b' is not a valid branch, tag or commit")
    expect(page.get_by_label("Ref")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#repo-url-error")).to_be_hidden()

    source = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()
    page.goto(f"{url}/sources/{source['id']}")
    cards = page.locator(".entry-card")
    expect(cards).to_have_count(5)
    assert client.delete(f"{BASE}/{source['id']}").status_code == 204

    # The card leaves at once, comes back when the API refuses, and the detail is shown.
    cards.filter(has_text="deploy").get_by_role("button", name="Not an artifact").click()
    page.get_by_role("button", name="Hide from catalog").click()
    expect(page.get_by_role("alert").filter(has_text="not found")).to_contain_text(
        f"source {source['id']!r} not found")
    expect(cards).to_have_count(5)
    expect(tab(page, "All")).to_have_text("All (5)")

    page.get_by_role("button", name="Rescan").click()
    expect(page.locator(".scan-status .alert-error")).to_contain_text("not found")

    page.goto(f"{url}/sources/{source['id']}")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    assert console.errors == []


def test_scrolling_down_loads_the_next_pages(
    page: Any, console: Console, url: str, tmp_path: Path, client: httpx.Client,
) -> None:
    repo = tmp_path / "many"
    commit(repo, {f"skills/skill-{i:02d}/SKILL.md": skill(f"skill-{i:02d}") for i in range(30)})
    source = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()
    page.goto(f"{url}/sources/{source['id']}?sort=name:asc")
    cards = page.locator(".entry-card")
    expect(cards).to_have_count(24)
    expect(page.get_by_label("Sort")).to_have_value("name:asc")
    expect(cards.first).to_contain_text("skill-00")
    page.locator(".entry-card").last.scroll_into_view_if_needed()
    page.mouse.wheel(0, 5000)
    expect(cards).to_have_count(30)
    expect(cards.last).to_contain_text("skill-29")
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    expect(page.locator("#result-count")).to_have_text("Showing 30 of 30 artifacts")
    assert console.errors == []


def test_a_shared_link_opens_the_entry_and_back_returns_to_the_last_tab(
    page: Any, console: Console, url: str, repo: Path, client: httpx.Client,
) -> None:
    source = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()
    pdf = entry_ids(client, source["id"])["pdf"]
    page.goto(f"{url}/sources/{source['id']}?type=skill&entry={pdf['id']}")
    dialog = page.get_by_role("dialog", name="pdf")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".entry-desc")).to_have_text("Fill, merge and split PDF files.")
    dialog.get_by_role("button", name="Close").click()
    expect(page).to_have_url(re.compile(r"\?type=skill$"))
    tab(page, "Commands").click()
    expect(page).to_have_url(re.compile(r"\?type=command$"))
    expect(page.locator(".entry-card")).to_have_count(1)
    page.go_back()
    expect(tab(page, "Skills")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".entry-card")).to_have_count(3)
    assert console.errors == []


def test_a_big_skill_lists_its_files_a_page_at_a_time(
    page: Any, console: Console, url: str, client: httpx.Client, tmp_path: Path,
) -> None:
    files = {"skills/big/SKILL.md": skill("big"),
             **{f"skills/big/data/f{i:03}.txt": f"{i}\n" for i in range(130)}}
    commit(tmp_path / "big", files)
    source = client.post(BASE, json={"repo_url": str(tmp_path / "big"), "scan": True}).json()
    big = entry_ids(client, source["id"])["big"]
    page.goto(f"{url}/sources/{source['id']}?type=skill&entry={big['id']}")
    dialog = page.get_by_role("dialog", name="big")
    dialog.get_by_role("tab", name="Contents").click()
    listed = dialog.locator(".file-tree button.file")
    expect(listed).to_have_count(100)
    expect(dialog.locator("pre.file-body")).to_contain_text("# big")
    more = dialog.get_by_role("button", name=re.compile(r"^Show more files"))
    expect(more).to_have_text("Show more files (100 of 131 shown)")
    more.click()
    expect(listed).to_have_count(131)
    expect(more).to_be_hidden()
    assert console.errors == []

"""Search in a real browser: the top bar field on every page, and the results page."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.api.test_marketplace_sources import artifact, make_source, push
from tests.web.conftest import Console

expect: Any = None
try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    pass


def seed(client: httpx.Client) -> tuple[str, str]:
    a = make_source(client, "https://github.com/acme/tools")["id"]
    b = make_source(client, "https://github.com/other/awesome")["id"]
    push(client, a, [artifact("skills/pdf", sha="same", description="Fill PDF forms"),
                     artifact("agents/reviewer.md", "agent", sha="r1",
                              description="Reviews <b>code</b>")])
    push(client, b, [artifact("skills/pdf", sha="same", description="Fill PDF forms"),
                     artifact("commands/pdf-split.md", "command", sha="s1")])
    return a, b


def test_slash_focuses_search_and_hits_appear_as_you_type(
        page: Any, console: Console, client: httpx.Client, browser: Any) -> None:
    a, _b = seed(client)
    page.goto(str(client.base_url).rstrip("/") + f"/sources/{a}")
    box = page.get_by_role("combobox", name="Search all sources")
    page.locator("body").press("/")
    expect(box).to_be_focused()
    box.press_sequentially("cod", delay=30)
    options = page.get_by_role("listbox", name="Matching artifacts").get_by_role("option")
    expect(options).to_have_count(2)  # the reviewer, and "See all results"
    expect(options.first).to_contain_text("reviewer")
    expect(options.first.locator("mark")).to_have_text("code")
    expect(options.first).to_contain_text("Reviews <b>code</b>")  # text, never markup
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/sources/{a}\?entry=cat_"))
    assert console.errors == []


def test_results_page_filters_by_facet_and_lists_copies(
        page: Any, console: Console, client: httpx.Client, browser: Any) -> None:
    a, b = seed(client)
    page.goto(str(client.base_url).rstrip("/") + "/")
    box = page.get_by_role("combobox", name="Search all sources")
    box.fill("pdf")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=pdf$"))
    results = page.locator("#result-list > li")
    expect(results).to_have_count(3)
    expect(page.get_by_role("status")).to_have_text("3 results")
    expect(results.first).to_contain_text("also in 1 source")

    page.get_by_role("checkbox", name=re.compile(r"^Commands 1$")).check()
    expect(page).to_have_url(re.compile(r"type=command"))
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("pdf-split")
    page.go_back()
    expect(results).to_have_count(3)

    page.get_by_role("checkbox", name=re.compile("One per duplicate group")).check()
    expect(results).to_have_count(2)
    results.first.get_by_role("button", name="Show the 1 other source").click()
    copies = page.get_by_role("list", name="Copies of pdf")
    expect(copies).to_contain_text("https://github.com/")
    expect(copies.get_by_role("link")).to_have_count(1)

    # The entry's detail names the other source that holds the same content.
    results.first.get_by_role("link", name="pdf", exact=True).click()
    dialog = page.get_by_role("dialog", name="pdf")
    other = dialog.get_by_role("link", name=re.compile(r"^github\.com.(acme.tools|other.awesome)$"))
    expect(other).to_have_count(1)
    assert other.get_attribute("href").split("/")[2].split("?")[0] in {a, b}
    assert console.errors == []

"""docs/screenshots: the main views over a realistic catalog (run with SKILLMEAT_SCREENSHOTS=1).

The sources live on the fake GitHub so the pictures show repository URLs and upstream links.
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import pytest

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from tests.fakes.github_server import FakeGitHub
from tests.gitrepo import agent, command
from tests.web.conftest import DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.skipif(os.environ.get("SKILLMEAT_SCREENSHOTS") != "1",
                                reason="set SKILLMEAT_SCREENSHOTS=1 to refresh docs/screenshots")
BASE = "/api/v1/marketplace/sources"


def skill_md(name: str, description: str, extra: str = "", body: str = "") -> str:
    return (f"---\nname: {name}\ndescription: {description}\n{extra}---\n\n"
            f"# {name}\n\n{body or 'Follow the steps below.'}\n")


PDF = skill_md(
    "pdf", "Extract text and tables, fill forms, merge and split PDF documents.",
    "license: Apache-2.0\nallowed-tools:\n  - Read\n  - Bash\n  - Write\n"
    "metadata:\n  version: \"2.1\"\n  author: Document tools team\n  tags: [pdf, forms]\n",
    "## Merging\n\nUse `pypdf` to merge files in order:\n\n```python\nfrom pypdf import "
    "PdfWriter\n\nwriter = PdfWriter()\nfor path in paths:\n    writer.append(path)\n"
    "writer.write(\"merged.pdf\")\n```\n\n## Forms\n\nRead the fields first, then fill them "
    "with `scripts/fill_form.py`.",
)
TOOLKIT = {
    "README.md": "# Claude toolkit\n\nSkills, agents and commands for everyday work.\n",
    "skills/pdf/SKILL.md": PDF,
    "skills/pdf/reference.md": "# Reference\n\nField types and their values.\n",
    "skills/pdf/scripts/fill_form.py": "import sys\n\nprint(sys.argv)\n",
    "skills/pdf/scripts/merge.py": "from pypdf import PdfWriter\n",
    "skills/docx/SKILL.md": skill_md("docx", "Create and edit Word documents with tracked "
                                             "changes and comments."),
    "skills/xlsx/SKILL.md": skill_md("xlsx", "Build spreadsheets with formulas, charts and "
                                             "formatting."),
    "skills/brand-guidelines/SKILL.md": skill_md(
        "brand-guidelines", "Apply the company's colours, type and voice to any document."),
    "skills/webapp-testing/SKILL.md": skill_md(
        "webapp-testing", "Test local web applications with a headless browser."),
    "skills/mcp-builder/SKILL.md": skill_md(
        "mcp-builder", "Guide for building high-quality MCP servers."),
    "skills/template-skill/SKILL.md": skill_md("template-skill", "Replace with a description."),
    ".claude/agents/code-reviewer.md": agent("code-reviewer"),
    ".claude/agents/test-runner.md": agent("test-runner"),
    ".claude/agents/security-auditor.md": agent("security-auditor"),
    ".claude/commands/deploy.md": command("Deploy the current branch to staging"),
    ".claude/commands/release-notes.md": command("Draft release notes from merged pulls"),
    ".claude/commands/triage.md": command("Label and prioritise new issues"),
    ".mcp.json": json.dumps({"mcpServers": {"github": {
        "command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]}}}, indent=2),
    ".claude/settings.json": json.dumps({"hooks": {"PostToolUse": [{
        "matcher": "Edit|Write",
        "hooks": [{"type": "command", "command": "ruff format $CLAUDE_FILE_PATHS"}]}]}},
        indent=2),
}
LAB = {
    "claude/skills/changelog/SKILL.md": skill_md("changelog", "Keep CHANGELOG.md in order."),
    "claude/skills/sql-review/SKILL.md": skill_md("sql-review", "Review SQL migrations."),
    "claude/agents/planner.md": agent("planner"),
}


@pytest.fixture
def tour(fake_github: FakeGitHub, live_server: Any, settings: Settings, db: Database,
         client: httpx.Client) -> dict[str, Any]:
    fake_github.load({"acme/claude-toolkit": {"refs": {"main": "v1"}, "commits": {"v1": TOOLKIT}},
                      "acme/prompt-lab": {"refs": {"dev": "v1"}, "commits": {"v1": LAB}}})
    live_server.use(settings.model_copy(update={"github_api_url": fake_github.url,
                                                "github_retries": 0}), db)
    made = {}
    for name, url in [("gone", "https://github.com/acme/retired-prompts"),
                      ("lab", "https://github.com/acme/prompt-lab/tree/dev/claude"),
                      ("toolkit", "https://github.com/acme/claude-toolkit")]:
        made[name] = client.post(BASE, json={"repo_url": url, "scan": True}).json()
    return made


def test_screenshots_of_the_main_views(browser: Any, tour: dict[str, Any],
                                       client: httpx.Client) -> None:
    from playwright.sync_api import expect

    url = str(client.base_url).rstrip("/")
    toolkit = tour["toolkit"]
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport=DESKTOP, color_scheme=scheme, locale="en-US")
        page = context.new_page()
        suffix = "" if scheme == "light" else "-dark"
        page.goto(url + "/")
        expect(page.locator(".source-card")).to_have_count(3)
        screenshot(page, f"sources{suffix}")
        page.goto(f"{url}/sources/{toolkit['id']}")
        expect(page.locator(".entry-card").first).to_be_visible()
        screenshot(page, f"source-detail{suffix}")
        context.close()

    context = browser.new_context(viewport=DESKTOP, color_scheme="light", locale="en-US")
    page = context.new_page()
    page.goto(f"{url}/sources/{toolkit['id']}?type=skill")
    cards = page.locator(".entry-card")
    expect(cards).to_have_count(7)
    cards.filter(has_text="template-skill").get_by_role("button", name="Not an artifact").click()
    page.get_by_label("Reason").fill("Scaffold for new skills, not a skill itself")
    screenshot(page, "not-an-artifact-dialog")
    page.get_by_role("button", name="Hide from catalog").click()
    expect(cards).to_have_count(6)
    for name, reason in [("webapp-testing", "Duplicate of our own"), ("xlsx", None)]:
        entry = next(e for e in client.get(f"{BASE}/{toolkit['id']}/artifacts",
                                           params={"search": name}).json()["items"])
        client.patch(f"{BASE}/{toolkit['id']}/artifacts/{entry['id']}/exclude",
                     json={"excluded": True, "reason": reason})
    page.reload()
    page.locator("#excluded summary").click()
    expect(page.locator("#excluded tbody tr")).to_have_count(3)
    page.evaluate("document.querySelectorAll('.toast').forEach((t) => t.remove())")
    page.locator("#excluded").scroll_into_view_if_needed()
    page.mouse.wheel(0, 2000)
    screenshot(page, "excluded-section")

    page.goto(f"{url}/sources/{toolkit['id']}?type=skill")
    page.get_by_role("button", name="pdf", exact=True).click()
    dialog = page.get_by_role("dialog", name="pdf")
    expect(dialog.locator(".breakdown")).to_be_visible()
    screenshot(page, "entry-overview")
    dialog.get_by_role("tab", name="Contents").click()
    expect(dialog.locator("details.frontmatter")).to_be_visible()
    page.mouse.move(0, 0)
    screenshot(page, "entry-detail")
    context.close()

    context = browser.new_context(viewport=PHONE, color_scheme="light", locale="en-US",
                                  device_scale_factor=2)
    page = context.new_page()
    page.goto(url + "/")
    expect(page.locator(".source-card")).to_have_count(3)
    screenshot(page, "sources-375")
    page.goto(f"{url}/sources/{toolkit['id']}?type=skill")
    expect(page.locator(".entry-card").first).to_be_visible()
    screenshot(page, "source-detail-375")
    page.get_by_role("button", name="pdf", exact=True).click()
    page.get_by_role("dialog", name="pdf").get_by_role("tab", name="Contents").click()
    expect(page.locator("details.frontmatter")).to_be_visible()
    screenshot(page, "entry-detail-375")
    context.close()

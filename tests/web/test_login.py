"""With an API token set, the web UI logs in through a form and writes with a CSRF header."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from tests.gitrepo import commit, skill
from tests.web.conftest import Console

BASE = "/api/v1/marketplace/sources"
TOKEN = "ui-token-0123456789"


@pytest.fixture
def guarded(browser: Any, live_server: Any, settings: Settings, db: Database, tmp_path: Path,
            client: httpx.Client) -> str:
    repo = tmp_path / "repo"
    commit(repo, {"skills/pdf/SKILL.md": skill("pdf"), "skills/docx/SKILL.md": skill("docx")})
    source = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()
    live_server.use(settings.model_copy(update={"api_token": SecretStr(TOKEN),
                                                "protect_reads": True}), db)
    return f"{live_server.url}/sources/{source['id']}"


def test_login_form_sets_cookies_and_writes_carry_csrf(page: Any, console: Console,
                                                       guarded: str) -> None:
    console.allow_status(401, 403)
    page.goto(guarded)
    assert "/login?next=" in page.url
    page.fill("#token", "wrong")
    page.click("button[type=submit]")
    assert "not right" in page.inner_text("#token-error")
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url(guarded)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["skillmeat_session"]["httpOnly"] is True
    assert cookies["skillmeat_session"]["sameSite"] == "Strict"
    assert TOKEN not in {c["value"] for c in cookies.values()}
    assert "skillmeat_session" not in page.evaluate("document.cookie")
    card = page.locator("article", has_text="docx").first
    card.get_by_role("button", name="Not an artifact").click()
    confirm = page.get_by_role("dialog", name="Not an artifact?")
    confirm.get_by_role("button", name="Hide from catalog").click()
    page.locator("details#excluded summary", has_text="Excluded artifacts (1)").wait_for()
    page.reload()  # the exclusion is stored, not only shown
    page.locator("details#excluded summary", has_text="Excluded artifacts (1)").wait_for()
    assert console.errors == []


def test_cookie_without_csrf_header_cannot_write(guarded: str, client: httpx.Client) -> None:
    sid = guarded.rsplit("/", 1)[-1]
    client.post("/login", data={"token": TOKEN})
    assert "skillmeat_session" in client.cookies
    resp = client.post(f"{BASE}/{sid}/rescan")
    assert resp.status_code == 403
    assert "CSRF" in resp.json()["detail"]
    assert client.get("/login?next=//evil.example").status_code == 200
    login = client.post("/login", data={"token": TOKEN, "next": "//evil.example"},
                        follow_redirects=False)
    assert login.headers["location"] == "/"

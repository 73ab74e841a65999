"""Browser fixtures: Debian's Chromium driven by Playwright, watching the console for errors.

No Chromium (or no Playwright) skips the browser tests, except when CI=true, where it fails.
They run on the SQLite pass only: the PostgreSQL pass re-runs database code, not the UI.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (browser tests must run in CI)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(live_server: Any) -> Iterator[Any]:
    # Depends on the server so it closes first: open keep-alive connections would hold up
    # the server's shutdown.
    if os.environ.get("SKILLMEAT_TEST_DATABASE_URL"):
        pytest.skip("browser tests run on the SQLite pass")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium not found: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Console:
    """Console errors and uncaught exceptions of a page; expected HTTP failures can be allowed."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow_status(self, *statuses: int) -> None:
        # Chromium logs every 4xx/5xx fetch as a console error; tests of failures expect some.
        for status in statuses:
            self.allowed.append(re.compile(rf"status of {status} "))

    def record(self, text: str) -> None:
        if not any(p.search(text) for p in self.allowed):
            self.errors.append(text)


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser: Any, console: Console) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, color_scheme="light", locale="en-US",
                                  timezone_id="UTC")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", lambda msg: msg.type == "error" and console.record(msg.text))
    page.on("pageerror", lambda exc: console.record(f"uncaught: {exc}"))
    yield page
    context.close()


def screenshot(page: Any, name: str) -> None:
    """Saves docs/screenshots/<name>.png when SKILLMEAT_SCREENSHOTS=1."""
    if os.environ.get("SKILLMEAT_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(250)  # let entry animations finish
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled")

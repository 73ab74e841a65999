"""/docs works offline: Swagger UI comes from the package, inside the UI's CSP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from skillmeat.api.routers.web import STATIC_DIR
from skillmeat.cache.db import Database
from skillmeat.config import Settings
from tests.web.conftest import Console

VENDOR = STATIC_DIR / "vendor" / "swagger-ui"


def test_docs_page_loads_only_packaged_files_under_the_csp(client: httpx.Client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert "<script>" not in page.text and "http" not in page.text.replace("http-equiv", "")
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        served = client.get(f"/static/vendor/swagger-ui/{asset}")
        assert served.status_code == 200 and served.content == (VENDOR / asset).read_bytes()
    assert client.get("/redoc").status_code == 404  # it would load from a CDN


def test_vendored_swagger_ui_ships_with_its_license() -> None:
    assert "Apache License" in (VENDOR / "LICENSE").read_text()
    assert (VENDOR / "NOTICE").exists() and (VENDOR / "swagger-ui-bundle.js.LICENSE.txt").exists()
    assert "5.35.0" in (VENDOR / "VERSION").read_text()


def test_docs_render_the_api_offline_without_csp_violations(
        page: Any, console: Console, live_server: Any, client: httpx.Client) -> None:
    outside: list[str] = []
    page.on("request", lambda r: r.url.startswith(live_server.url) or r.url.startswith("data:")
            or outside.append(r.url))
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(
        (live_server.url, "data:")) else route.continue_())  # the machine is offline
    page.goto(f"{live_server.url}/docs")
    page.get_by_text("/api/v1/marketplace/sources/{source_id}/artifacts").first.wait_for()
    assert "SkillMeat Marketplace" in page.inner_text("#swagger-ui")
    assert outside == [] and console.errors == []


def test_try_it_out_writes_carry_the_session_csrf_header(
        page: Any, console: Console, live_server: Any, settings: Settings, db: Database,
        tmp_path: Path) -> None:
    live_server.use(settings.model_copy(update={"api_token": SecretStr("docs-token-123")}), db)
    page.goto(f"{live_server.url}/login?next=/docs")
    page.fill("#token", "docs-token-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/docs")
    operation = page.locator("#operations-marketplace-sources-marketplace-sources-create_source")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.locator("textarea.body-param__text").fill(
        '{"repo_url": "https://github.com/acme/from-docs"}')
    operation.get_by_role("button", name="Execute").click()
    operation.locator(".live-responses-table .response-col_status", has_text="201").wait_for()
    assert console.errors == []

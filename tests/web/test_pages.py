"""The web UI's HTTP side: pages, static files, and staying out of the API schema."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.gitrepo import commit, skill


def test_pages_are_html_with_a_strict_content_security_policy(client: httpx.Client) -> None:
    resp = client.get("/")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert "script-src" not in resp.headers["content-security-policy"]  # default-src 'self'
    assert "default-src 'self'" in resp.headers["content-security-policy"]
    assert '<script type="module" src="/static/js/sources.js">' in resp.text


def test_unknown_source_page_is_a_404_page(client: httpx.Client) -> None:
    resp = client.get("/sources/src_missing")
    assert resp.status_code == 404
    assert "Not found" in resp.text


def test_boot_data_cannot_close_its_script_element(client: httpx.Client, tmp_path: Path) -> None:
    repo = tmp_path / "tools"
    commit(repo, {"skills/pdf/SKILL.md": skill("pdf")})
    source = client.post("/api/v1/marketplace/sources",
                         json={"repo_url": str(repo), "description": "</script><b>x</b>"}).json()
    page = client.get(f"/sources/{source['id']}").text
    assert "</script><b>" not in page
    assert "\\u003c/script\\u003e" in page


def test_static_files_are_served_and_cannot_escape_their_folder(client: httpx.Client) -> None:
    css = client.get("/static/app.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    js = client.get("/static/js/catalog.js")
    assert js.headers["content-type"].startswith("text/javascript")
    assert client.head("/static/app.css").status_code == 200
    assert client.get("/favicon.ico").headers["content-type"] == "image/svg+xml"
    for path in ("/static/..%2F..%2Fapi%2Fapp.py", "/static/%2e%2e/pages/source.html",
                 "/static/nothing.js"):
        assert client.get(path).status_code == 404


def test_html_routes_stay_out_of_the_openapi_schema(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths
    assert not [p for p in paths if p.startswith(("/sources", "/static", "/favicon"))]

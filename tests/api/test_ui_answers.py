"""What the API answers so that no client re-derives its rules: URLs, error fields, paging."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceSource
from skillmeat.core.marketplace.vocabulary import CONFIDENCE_THRESHOLD, ArtifactType, CatalogStatus

BASE = "/api/v1/marketplace/sources"


def test_a_tree_url_is_read_into_repository_ref_and_folder(client: httpx.Client) -> None:
    resp = client.get(f"{BASE}/url",
                      params={"repo_url": "https://github.com/acme/tools/tree/v2/skills/core"})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"repo_url": "https://github.com/acme/tools", "kind": "github",
                           "owner": "acme", "repo_name": "tools", "ref": "v2",
                           "root_hint": "skills/core"}
    plain = client.get(f"{BASE}/url", params={"repo_url": "https://github.com/acme/tools"})
    assert (plain.json()["ref"], plain.json()["root_hint"]) == (None, None)


def test_a_url_that_cannot_be_added_is_a_422_about_repo_url(client: httpx.Client) -> None:
    resp = client.get(f"{BASE}/url", params={"repo_url": "http://example.com/tools.git"})
    assert resp.status_code == 422
    assert resp.json() == {"detail": "plain http:// repository URLs are not allowed; use https://",
                           "field": "repo_url"}


@pytest.mark.parametrize("body, field", [
    ({"repo_url": "http://example.com/x.git"}, "repo_url"),
    ({"repo_url": "https://github.com/acme/tools", "ref": "a..b"}, "ref"),
    ({"repo_url": "https://github.com/acme/tools", "root_hint": "../etc"}, "root_hint"),
    ({"repo_url": "https://github.com/acme/tools", "description": "nul\x00"}, "description"),
])
def test_errors_about_one_field_of_a_new_source_name_it(client: httpx.Client,
                                                        body: dict[str, Any], field: str) -> None:
    resp = client.post(BASE, json=body)
    assert resp.status_code == 422, resp.text
    assert resp.json()["field"] == field


def test_a_duplicate_source_is_a_conflict_about_repo_url(client: httpx.Client) -> None:
    assert client.post(BASE, json={"repo_url": "https://github.com/acme/tools"}).is_success
    resp = client.post(BASE, json={"repo_url": "https://github.com/acme/tools/"})
    assert (resp.status_code, resp.json()["field"]) == (409, "repo_url")


def test_errors_about_no_one_field_name_none(client: httpx.Client) -> None:
    resp = client.get(f"{BASE}/src_missing")
    assert resp.json() == {"detail": "source 'src_missing' not found"}


def test_entries_say_whether_an_import_would_take_them(client: httpx.Client) -> None:
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/tools"}).json()["id"]
    arts = [{"type": "skill", "name": n, "path": f"skills/{n}", "content_hash": "a1",
             "confidence": 90} for n in ("keep", "drop", "gone")]
    client.post(f"{BASE}/{sid}/scan-results", json={"commit": "c0ffee01", "artifacts": arts})
    client.post(f"{BASE}/{sid}/scan-results", json={"commit": "c0ffee02", "artifacts": arts[:2]})
    ids = {e["name"]: e["id"] for e in client.get(f"{BASE}/{sid}/artifacts").json()["items"]}
    excluded = client.patch(f"{BASE}/{sid}/artifacts/{ids['drop']}/exclude", json={}).json()
    assert excluded["importable"] is False
    items = client.get(f"{BASE}/{sid}/artifacts", params={"include_excluded": True}).json()
    by_name = {e["name"]: (e["status"], e["importable"]) for e in items["items"]}
    assert by_name == {"keep": ("new", True), "drop": ("excluded", False),
                       "gone": ("removed", False)}


def test_sources_created_in_the_same_instant_page_without_repeats(client: httpx.Client,
                                                                  db: Database) -> None:
    ids = {client.post(BASE, json={"repo_url": f"https://github.com/acme/r{i}"}).json()["id"]
           for i in range(7)}
    with db.session() as session:  # one created_at for all: the id alone orders them
        session.execute(update(MarketplaceSource).values(created_at=datetime(2026, 1, 1,
                                                                             tzinfo=UTC)))
    seen: list[str] = []
    cursor = None
    while True:
        body = client.get(BASE, params={"limit": 3, **({"cursor": cursor} if cursor else {})})
        seen += [s["id"] for s in body.json()["items"]]
        cursor = body.json()["page_info"]["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)


def test_pages_boot_with_the_api_vocabulary(client: httpx.Client) -> None:
    page = client.get("/").text
    boot = json.loads(re.search(r'<script type="application/json" id="boot">(.*?)</script>',
                                page, re.S).group(1))  # type: ignore[union-attr]
    words = boot["vocabulary"]
    assert words["artifact_types"] == [t.value for t in ArtifactType]
    assert words["catalog_statuses"] == [s.value for s in CatalogStatus]
    assert words["confidence_threshold"] == CONFIDENCE_THRESHOLD
    assert words["sort_by"] == ["confidence", "name", "date"]

"""Access control, request limits, probes and request ids, over HTTP."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from skillmeat.cache.db import Database
from skillmeat.config import Settings

BASE = "/api/v1/marketplace/sources"
TOKEN = "s3cret-api-token-value"


@pytest.fixture
def protected(live_server: Any, settings: Settings, db: Database) -> Settings:
    guarded = settings.model_copy(update={"api_token": SecretStr(TOKEN)})
    live_server.use(guarded, db)
    return guarded


def test_writes_need_the_token_and_reads_stay_open(client: httpx.Client,
                                                    protected: Settings) -> None:
    body = {"repo_url": "https://github.com/acme/tools"}
    missing = client.post(BASE, json=body)
    assert missing.status_code == 401
    assert "Bearer" in missing.json()["detail"]
    wrong = client.post(BASE, json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert client.post(BASE, json=body, headers={"Authorization": "Basic x"}).status_code == 401
    ok = client.post(BASE, json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 201
    assert client.get(BASE).status_code == 200
    for resp in (missing, wrong, ok):
        assert TOKEN not in resp.text


def test_reads_can_be_closed_too(client: httpx.Client, live_server: Any,
                                 protected: Settings, db: Database) -> None:
    live_server.use(protected.model_copy(update={"protect_reads": True}), db)
    assert client.get(BASE).status_code == 401
    assert client.get(BASE, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_a_cookie_holding_the_raw_token_is_not_a_session(client: httpx.Client,
                                                         protected: Settings) -> None:
    body = {"repo_url": "https://github.com/acme/tools"}
    for name in ("skillmeat_token", "skillmeat_session"):
        client.cookies.clear()
        client.cookies.update({name: TOKEN, "skillmeat_csrf": "abc123"})
        resp = client.post(BASE, json=body, headers={"X-CSRF-Token": "abc123"})
        assert resp.status_code == 401, name


def test_oversized_body_is_413(client: httpx.Client, settings: Settings) -> None:
    huge = {"repo_url": "https://github.com/a/b", "description": "x" * (settings.max_body_bytes)}
    resp = client.post(BASE, json=huge)
    assert resp.status_code == 413
    assert "larger than" in resp.json()["detail"]

    def chunks() -> Any:
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b" " * 65536

    streamed = client.post(BASE, content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413


def test_probes_and_request_ids(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    caplog.set_level(logging.INFO, logger="skillmeat.access")
    resp = client.get(f"{BASE}/src_missing", headers={"X-Request-ID": "req-42"})
    assert resp.headers["x-request-id"] == "req-42"
    line = next(r for r in caplog.records if getattr(r, "request_id", None) == "req-42")
    assert (line.method, line.path, line.status) == ("GET", f"{BASE}/src_missing", 404)
    assert line.duration_ms >= 0
    assert len(client.get("/healthz").headers["x-request-id"]) == 32


@pytest.mark.parametrize("text", [
    "名前 ✓ émoji 🚀", "'; DROP TABLE marketplace_catalog_entries; --", "%", "_", "*?[]",
    "\\", "a" * 200,
])
def test_odd_search_strings_are_safe(client: httpx.Client, text: str) -> None:
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/tools"}).json()["id"]
    client.post(f"{BASE}/{sid}/scan-results", json={"commit": "abcd1234", "artifacts": [
        {"type": "skill", "name": "pdf", "path": "skills/pdf", "content_hash": "a",
         "confidence": 90}]})
    resp = client.get(f"{BASE}/{sid}/artifacts", params={"search": text})
    assert resp.status_code == 200
    assert resp.json()["items"] == []


def test_unicode_reason_and_control_characters(client: httpx.Client) -> None:
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/tools"}).json()["id"]
    client.post(f"{BASE}/{sid}/scan-results", json={"commit": "abcd1234", "artifacts": [
        {"type": "skill", "name": "pdf", "path": "skills/pdf", "content_hash": "a",
         "confidence": 90}]})
    entry = client.get(f"{BASE}/{sid}/artifacts").json()["items"][0]
    url = f"{BASE}/{sid}/artifacts/{entry['id']}/exclude"
    ok = client.patch(url, json={"reason": "doublon — pas un artefact 🚫"})
    assert ok.json()["excluded_reason"] == "doublon — pas un artefact 🚫"
    bad = client.patch(url, content=json.dumps({"reason": "bell\u0007"}),
                       headers={"content-type": "application/json"})
    assert bad.status_code == 422
    assert client.get(f"{BASE}/{sid}/artifacts", params={"cursor": "x" * 5000}
                      ).status_code == 422


def test_nul_bytes_never_reach_the_database(client: httpx.Client) -> None:
    sid = client.post(BASE, json={"repo_url": "https://github.com/acme/tools"}).json()["id"]
    assert client.get(f"{BASE}/{sid}/artifacts", params={"search": "a\x00b"}).status_code == 422
    assert client.get(f"{BASE}/src%00x").status_code == 404
    assert client.patch(f"{BASE}/{sid}/artifacts/cat%00x/exclude", json={}).status_code == 404
    resp = client.post(BASE, json={"repo_url": "https://github.com/acme/x", "description": "\x00"})
    assert resp.status_code == 422
    doc = {"commit": "abcd1234", "artifacts": [{"type": "skill", "name": "a\x00", "path": "s/a",
                                                "content_hash": "a", "confidence": 50}]}
    assert client.post(f"{BASE}/{sid}/scan-results", json=doc).status_code == 422
    entries = {"entry_ids": ["cat_\x00"], "conflict_strategy": "skip"}
    assert client.post(f"{BASE}/{sid}/import", json=entries).status_code in (404, 409, 422)

"""Request bodies with lone surrogates or numbers no float holds: a 422, never a 500."""

from __future__ import annotations

import httpx
import pytest

BASE = "/api/v1/marketplace/sources"
SCAN = ('{{"commit": "abcd1234", "artifacts": [{{"type": "skill", "name": "x", "path": "s/x", '
        '"content_hash": "a", "confidence": 50, "score_breakdown": {breakdown}}}]}}')


def post(client: httpx.Client, path: str, raw: str, method: str = "POST") -> httpx.Response:
    return client.request(method, path, content=raw.encode(),
                          headers={"content-type": "application/json"})


@pytest.fixture
def sid(client: httpx.Client) -> str:
    return str(client.post(BASE, json={"repo_url": "https://github.com/acme/tools"}).json()["id"])


@pytest.mark.parametrize("raw", [
    '{"repo_url": "\\ud800"}',
    '{"repo_url": "https://github.com/a/b", "description": "ok \\udfff"}',
    '{"repo_url": "https://github.com/a/b", "ref": "\\ud800main"}',
    '{"repo_url": 1e999}',
    '{"repo_url": "https://github.com/a/b", "scan": 1e999}',
    '{"repo_url": "https://github.com/a/b", "scan": -1E+400}',
    '{"repo_url": NaN}',
    '{"repo_url": "https://github.com/a/b", "scan": Infinity}',
    '{"\\ud800": 1, "repo_url": "https://github.com/a/b"}',
    '["\\ud800"]',
    '"\\ud800"',
])
def test_unrepresentable_text_and_numbers_in_a_body_are_422(client: httpx.Client,
                                                            raw: str) -> None:
    resp = post(client, BASE, raw)
    assert resp.status_code == 422, resp.text
    assert resp.json()["detail"]
    assert client.get(BASE).json()["items"] == []


@pytest.mark.parametrize("breakdown", [
    '{"k": "\\udc00"}', '{"k\\ud800": 1}', '{"n": 1e999}', '{"n": [1, [2, "\\ud800"]]}',
    '{"n": -Infinity}', '{"n": ' + "9" * 400 + '.0}',
])
def test_free_form_fields_cannot_store_what_no_listing_could_render(
        client: httpx.Client, sid: str, breakdown: str) -> None:
    assert post(client, f"{BASE}/{sid}/scan-results", SCAN.format(breakdown=breakdown)
                ).status_code == 422
    listing = client.get(f"{BASE}/{sid}/artifacts")
    assert listing.status_code == 200 and listing.json()["items"] == []


def test_paired_surrogate_escapes_and_lookalike_text_are_fine(client: httpx.Client,
                                                              sid: str) -> None:
    raw = SCAN.format(breakdown='{"note": "NaN and Infinity are words; 1e999 too", '
                                '"sha": "3e1004fa", "big": ' + "9" * 400 + ', '
                                '"emoji": "\\ud83d\\ude80", "small": 1e-999}')
    assert post(client, f"{BASE}/{sid}/scan-results", raw).status_code == 200
    item = client.get(f"{BASE}/{sid}/artifacts").json()["items"][0]
    assert item["score_breakdown"]["emoji"] == "🚀" and item["score_breakdown"]["small"] == 0
    patched = post(client, f"{BASE}/{sid}", '{"description": "launch \\ud83d\\ude80"}', "PATCH")
    assert patched.status_code == 200 and patched.json()["description"] == "launch 🚀"


def test_validation_errors_never_echo_input_and_always_render(client: httpx.Client) -> None:
    resp = client.get(BASE, params={"limit": "1e999"})
    assert resp.status_code == 422
    assert resp.json()["detail"][0]["loc"] == ["query", "limit"]
    assert "input" not in resp.json()["detail"][0]
    big = post(client, BASE, '{"repo_url": "xy", "scan": "' + "z" * 50_000 + '"}')
    assert big.status_code == 422 and len(big.content) < 2000

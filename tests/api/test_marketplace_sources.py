"""The marketplace sources API, end to end over HTTP against a real database."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

BASE = "/api/v1/marketplace/sources"


def make_source(client: httpx.Client, url: str = "https://github.com/acme/tools",
                **extra: Any) -> dict[str, Any]:
    resp = client.post(BASE, json={"repo_url": url, **extra})
    assert resp.status_code == 201, resp.text
    return resp.json()


def artifact(path: str, type_: str = "skill", sha: str = "a1", confidence: int = 90,
             **extra: Any) -> dict[str, Any]:
    name = path.rsplit("/", 1)[-1].removesuffix(".md")
    return {"type": type_, "name": name, "path": path, "content_hash": sha,
            "confidence": confidence, **extra}


def push(client: httpx.Client, source_id: str, artifacts: list[dict[str, Any]],
         commit: str = "c0ffee01") -> dict[str, Any]:
    resp = client.post(f"{BASE}/{source_id}/scan-results",
                       json={"commit": commit, "artifacts": artifacts})
    assert resp.status_code == 200, resp.text
    return resp.json()


def listing(client: httpx.Client, source_id: str, **params: Any) -> dict[str, Any]:
    resp = client.get(f"{BASE}/{source_id}/artifacts", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def entry_by_path(client: httpx.Client, source_id: str, path: str) -> dict[str, Any]:
    items = listing(client, source_id, include_excluded=True, include_below_threshold=True,
                    search=path, limit=100)["items"]
    return next(i for i in items if i["path"] == path)


@pytest.fixture
def seeded(client: httpx.Client) -> dict[str, Any]:
    source = make_source(client)
    push(client, source["id"], [
        artifact("skills/pdf"),
        artifact("skills/docx", confidence=70),
        artifact("commands/deploy.md", "command", confidence=80),
        artifact("agents/reviewer.md", "agent", confidence=60),
        artifact("docs/skill-guide", confidence=20),
    ])
    return source


# --- sources -------------------------------------------------------------------------------

def test_create_source_from_github_url_fills_owner_repo_and_defaults(client: httpx.Client) -> None:
    source = make_source(client, "https://github.com/anthropics/skills.git")
    assert source["id"].startswith("src_")
    assert (source["owner"], source["repo_name"], source["ref"]) == ("anthropics", "skills", "main")
    assert source["repo_url"] == "https://github.com/anthropics/skills"
    assert source["scan_status"] == "pending"


def test_tree_url_sets_ref_and_root_hint(client: httpx.Client) -> None:
    source = make_source(client, "https://github.com/acme/tools/tree/v2/plugins/x")
    assert (source["ref"], source["root_hint"]) == ("v2", "plugins/x")


@pytest.mark.parametrize("url, fragment", [
    ("http://github.com/a/b", "https://"),
    ("https://github.com/onlyowner", "OWNER/REPO"),
    ("ftp://example.com/x.git", "unsupported"),
    ("https://user:pw@github.com/a/b", "credentials"),
    ("", "at least 1 character"),
])
def test_invalid_repo_urls_are_rejected_with_a_clear_422(client: httpx.Client, url: str,
                                                         fragment: str) -> None:
    resp = client.post(BASE, json={"repo_url": url})
    assert resp.status_code == 422
    assert fragment in str(resp.json()["detail"])


def test_duplicate_repo_url_is_409(client: httpx.Client) -> None:
    make_source(client)
    resp = client.post(BASE, json={"repo_url": "https://github.com/acme/tools/"})
    assert resp.status_code == 409
    assert "already exists" in resp.json()["detail"]


def test_list_sources_pages_with_a_cursor(client: httpx.Client) -> None:
    ids = {make_source(client, f"https://github.com/acme/r{i}")["id"] for i in range(5)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(BASE, params=params).json()
        seen += [s["id"] for s in body["items"]]
        cursor = body["page_info"]["next_cursor"]
        if not body["page_info"]["has_more"]:
            break
    assert sorted(seen) == sorted(ids)


def test_get_patch_and_delete_source(client: httpx.Client, seeded: dict[str, Any]) -> None:
    sid = seeded["id"]
    assert client.get(f"{BASE}/{sid}").json()["artifact_count"] == 4
    patched = client.patch(f"{BASE}/{sid}", json={"ref": "dev", "description": "ours"}).json()
    assert (patched["ref"], patched["description"]) == ("dev", "ours")
    assert client.delete(f"{BASE}/{sid}").status_code == 204
    assert client.get(f"{BASE}/{sid}").status_code == 404
    assert client.get(f"{BASE}/{sid}/artifacts").status_code == 404


def test_patch_rejects_unknown_fields_and_bad_refs(client: httpx.Client) -> None:
    sid = make_source(client)["id"]
    assert client.patch(f"{BASE}/{sid}", json={"repo_url": "x"}).status_code == 422
    assert client.patch(f"{BASE}/{sid}", json={"ref": "a..b"}).status_code == 422
    assert client.patch(f"{BASE}/{sid}", json={"root_hint": "../etc"}).status_code == 422


def test_unknown_source_is_404_everywhere(client: httpx.Client) -> None:
    for method, path in [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("GET", "/artifacts"),
                         ("PATCH", "/artifacts/cat_x/exclude"),
                         ("DELETE", "/artifacts/cat_x/exclude")]:
        resp = client.request(method, f"{BASE}/src_missing{path}", json={} if method == "PATCH"
                              else None)
        assert resp.status_code == 404, (method, path)
        assert "not found" in resp.json()["detail"]


# --- listing -------------------------------------------------------------------------------

def test_listing_hides_below_threshold_and_reports_counts(client: httpx.Client,
                                                          seeded: dict[str, Any]) -> None:
    body = listing(client, seeded["id"])
    assert [i["path"] for i in body["items"]] == [
        "skills/pdf", "commands/deploy.md", "skills/docx", "agents/reviewer.md"]
    assert body["counts_by_status"]["new"] == 4
    assert body["counts_by_type"] == {"skill": 2, "command": 1, "agent": 1, "hook": 0,
                                      "mcp_server": 0, "plugin": 0}
    hidden = listing(client, seeded["id"], include_below_threshold=True)
    assert len(hidden["items"]) == 5


def test_listing_filters(client: httpx.Client, seeded: dict[str, Any]) -> None:
    sid = seeded["id"]
    assert [i["path"] for i in listing(client, sid, artifact_type="command")["items"]] == [
        "commands/deploy.md"]
    assert len(listing(client, sid, min_confidence=75)["items"]) == 2
    assert len(listing(client, sid, max_confidence=65)["items"]) == 1
    assert [i["path"] for i in listing(client, sid, search="DEPLOY")["items"]] == [
        "commands/deploy.md"]
    assert listing(client, sid, search="%")["items"] == []
    assert listing(client, sid, search="_")["items"] == []


def test_listing_sorts_by_name_and_date(client: httpx.Client, seeded: dict[str, Any]) -> None:
    names = [i["name"] for i in listing(client, seeded["id"], sort_by="name",
                                        sort_order="asc")["items"]]
    assert names == sorted(names)
    dated = listing(client, seeded["id"], sort_by="date")["items"]
    assert len(dated) == 4


def test_listing_rejects_bad_parameters(client: httpx.Client, seeded: dict[str, Any]) -> None:
    sid = seeded["id"]
    for params in ({"limit": 0}, {"limit": 101}, {"sort_by": "size"}, {"status": "gone"},
                   {"min_confidence": 80, "max_confidence": 10}, {"cursor": "garbage"}):
        resp = client.get(f"{BASE}/{sid}/artifacts", params=params)
        assert resp.status_code == 422, params
        assert resp.json()["detail"]


def test_cursor_walks_every_entry_once_while_entries_are_excluded_and_added(
        client: httpx.Client) -> None:
    sid = make_source(client)["id"]
    push(client, sid, [artifact(f"skills/s{i:02d}", confidence=50 + i) for i in range(30)])
    first = listing(client, sid, limit=10)
    seen = [i["path"] for i in first["items"]]
    # Between pages: exclude an entry not yet seen, and add a new one.
    client.patch(f"{BASE}/{sid}/artifacts/{entry_by_path(client, sid, 'skills/s05')['id']}"
                 "/exclude", json={})
    push(client, sid, [artifact(f"skills/s{i:02d}", confidence=50 + i) for i in range(31)],
         commit="c0ffee02")
    cursor = first["page_info"]["next_cursor"]
    while cursor:
        page = listing(client, sid, limit=10, cursor=cursor)
        seen += [i["path"] for i in page["items"]]
        cursor = page["page_info"]["next_cursor"]
    assert len(seen) == len(set(seen))
    assert "skills/s05" not in seen
    assert set(seen) == {f"skills/s{i:02d}" for i in range(30) if i != 5}


def test_cursor_from_another_source_or_query_is_rejected(client: httpx.Client) -> None:
    a = make_source(client, "https://github.com/acme/a")["id"]
    b = make_source(client, "https://github.com/acme/b")["id"]
    for sid in (a, b):
        push(client, sid, [artifact(f"skills/s{i}") for i in range(3)])
    cursor = listing(client, a, limit=1)["page_info"]["next_cursor"]
    assert client.get(f"{BASE}/{b}/artifacts", params={"limit": 1, "cursor": cursor}
                      ).status_code == 422
    assert client.get(f"{BASE}/{a}/artifacts", params={"limit": 1, "cursor": cursor,
                                                       "sort_by": "name"}).status_code == 422
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    assert client.get(f"{BASE}/{a}/artifacts", params={"limit": 1, "cursor": tampered}
                      ).status_code == 422


# --- exclusions ----------------------------------------------------------------------------

def test_exclude_hides_entry_and_counts_follow(client: httpx.Client,
                                               seeded: dict[str, Any]) -> None:
    sid = seeded["id"]
    entry = entry_by_path(client, sid, "skills/docx")
    resp = client.patch(f"{BASE}/{sid}/artifacts/{entry['id']}/exclude",
                        json={"excluded": True, "reason": "docs page"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "excluded"
    assert body["excluded_reason"] == "docs page"
    assert body["excluded_at"].endswith(("Z", "+00:00"))
    view = listing(client, sid)
    assert "skills/docx" not in [i["path"] for i in view["items"]]
    assert view["counts_by_status"]["excluded"] == 1
    assert view["counts_by_type"]["skill"] == 1
    assert client.get(f"{BASE}/{sid}").json()["artifact_count"] == 3
    shown = listing(client, sid, include_excluded=True)
    assert "skills/docx" in [i["path"] for i in shown["items"]]
    only = listing(client, sid, status="excluded")
    assert [i["path"] for i in only["items"]] == ["skills/docx"]


def test_exclude_without_body_defaults_to_excluded(client: httpx.Client,
                                                   seeded: dict[str, Any]) -> None:
    entry = entry_by_path(client, seeded["id"], "skills/pdf")
    resp = client.patch(f"{BASE}/{seeded['id']}/artifacts/{entry['id']}/exclude")
    assert resp.status_code == 200
    assert resp.json()["status"] == "excluded"
    assert resp.json()["excluded_reason"] is None


def test_exclude_twice_is_idempotent_and_keeps_first_timestamp(
        client: httpx.Client, seeded: dict[str, Any]) -> None:
    sid = seeded["id"]
    url = f"{BASE}/{sid}/artifacts/{entry_by_path(client, sid, 'skills/pdf')['id']}/exclude"
    first = client.patch(url, json={"reason": "first"}).json()
    again = client.patch(url, json={}).json()
    assert again["excluded_at"] == first["excluded_at"]
    assert again["excluded_reason"] == "first"
    changed = client.patch(url, json={"reason": "second"}).json()
    assert (changed["excluded_at"], changed["excluded_reason"]) == (first["excluded_at"],
                                                                     "second")
    assert listing(client, sid)["counts_by_status"]["excluded"] == 1


def test_restore_with_delete_and_with_patch_false(client: httpx.Client,
                                                  seeded: dict[str, Any]) -> None:
    sid = seeded["id"]
    entry_id = entry_by_path(client, sid, "skills/pdf")["id"]
    url = f"{BASE}/{sid}/artifacts/{entry_id}/exclude"
    client.patch(url, json={"reason": "nope"})
    restored = client.delete(url).json()
    assert (restored["status"], restored["excluded_at"], restored["excluded_reason"]) == (
        "new", None, None)
    client.patch(url, json={})
    assert client.patch(url, json={"excluded": False}).json()["status"] == "new"
    body = listing(client, sid)
    assert body["counts_by_status"]["excluded"] == 0
    assert body["counts_by_status"]["new"] == 4


def test_restoring_an_entry_that_is_not_excluded_changes_nothing(
        client: httpx.Client, seeded: dict[str, Any]) -> None:
    sid = seeded["id"]
    before = entry_by_path(client, sid, "skills/pdf")
    after = client.delete(f"{BASE}/{sid}/artifacts/{before['id']}/exclude")
    assert after.status_code == 200
    assert after.json() == before


def test_entry_of_another_source_is_404_and_untouched(client: httpx.Client,
                                                     seeded: dict[str, Any]) -> None:
    other = make_source(client, "https://github.com/acme/other")["id"]
    entry = entry_by_path(client, seeded["id"], "skills/pdf")
    for method in ("PATCH", "DELETE"):
        resp = client.request(method, f"{BASE}/{other}/artifacts/{entry['id']}/exclude",
                              json={} if method == "PATCH" else None)
        assert resp.status_code == 404
    assert client.patch(f"{BASE}/{other}/artifacts/{entry['id']}",
                        json={"name": "x"}).status_code == 404
    assert entry_by_path(client, seeded["id"], "skills/pdf") == entry


def test_unknown_entry_is_404(client: httpx.Client, seeded: dict[str, Any]) -> None:
    resp = client.patch(f"{BASE}/{seeded['id']}/artifacts/cat_nope/exclude", json={})
    assert resp.status_code == 404
    assert "cat_nope" in resp.json()["detail"]


def test_reason_over_500_chars_and_malformed_json_are_422(client: httpx.Client,
                                                          seeded: dict[str, Any]) -> None:
    sid = seeded["id"]
    url = f"{BASE}/{sid}/artifacts/{entry_by_path(client, sid, 'skills/pdf')['id']}/exclude"
    assert client.patch(url, json={"reason": "x" * 501}).status_code == 422
    resp = client.patch(url, content=b"{not json", headers={"content-type": "application/json"})
    assert resp.status_code == 422
    assert "detail" in resp.json()
    assert client.patch(url, json={"excluded": "maybe"}).status_code == 422
    assert entry_by_path(client, sid, "skills/pdf")["status"] == "new"


def test_rename_changes_display_name_and_survives_rescan(client: httpx.Client,
                                                         seeded: dict[str, Any]) -> None:
    sid = seeded["id"]
    entry = entry_by_path(client, sid, "skills/pdf")
    resp = client.patch(f"{BASE}/{sid}/artifacts/{entry['id']}", json={"name": "PDF tools"})
    assert resp.json()["name"] == "PDF tools"
    push(client, sid, [artifact("skills/pdf", sha="b2")], commit="c0ffee02")
    assert entry_by_path(client, sid, "skills/pdf")["name"] == "PDF tools"
    assert client.patch(f"{BASE}/{sid}/artifacts/{entry['id']}",
                        json={"name": ""}).status_code == 422


# --- merge through the API ------------------------------------------------------------------

def test_rescan_keeps_exclusion_when_artifact_disappears_and_returns(
        client: httpx.Client, seeded: dict[str, Any]) -> None:
    sid = seeded["id"]
    entry = entry_by_path(client, sid, "skills/docx")
    client.patch(f"{BASE}/{sid}/artifacts/{entry['id']}/exclude", json={"reason": "dup"})
    gone = push(client, sid, [artifact("skills/pdf")], commit="c0ffee02")
    assert gone["removed"] == 4
    assert entry_by_path(client, sid, "skills/docx")["status"] == "excluded"
    back = push(client, sid, [artifact("skills/pdf"), artifact("skills/docx", sha="new")],
                commit="c0ffee03")
    assert back["updated"] == 1
    again = entry_by_path(client, sid, "skills/docx")
    assert (again["status"], again["excluded_reason"]) == ("excluded", "dup")
    assert again["excluded_at"] == client.patch(
        f"{BASE}/{sid}/artifacts/{entry['id']}/exclude", json={}).json()["excluded_at"]


def test_merge_counts_new_updated_removed_unchanged(client: httpx.Client,
                                                    seeded: dict[str, Any]) -> None:
    result = push(client, seeded["id"], [
        artifact("skills/pdf"), artifact("skills/docx", sha="changed", confidence=70),
        artifact("hooks/hooks.json", "hook"),
    ], commit="abcdef12")
    assert (result["new"], result["updated"], result["removed"], result["unchanged"]) == (
        1, 1, 3, 1)
    body = listing(client, seeded["id"], include_below_threshold=True)
    statuses = {i["path"]: i["status"] for i in body["items"]}
    assert statuses["commands/deploy.md"] == "removed"
    assert statuses["hooks/hooks.json"] == "new"
    source = client.get(f"{BASE}/{seeded['id']}").json()
    assert source["last_scanned_sha"] == "abcdef12"
    assert source["counts_by_type"]["hook"] == 1


@pytest.mark.parametrize("doc, fragment", [
    ({"commit": "zz", "artifacts": []}, "commit"),
    ({"commit": "abcd1234", "artifacts": [{"type": "widget", "name": "x", "path": "x",
                                            "content_hash": "a", "confidence": 1}]}, "type"),
    ({"commit": "abcd1234", "artifacts": [{**artifact("a"), "plugin_path": "nowhere"}]},
     "plugin_path"),
    ({"commit": "abcd1234", "artifacts": [{**artifact("p"), "type": "plugin",
                                           "plugin_meta": {"root": {"deep": 1}}}]},
     "plugin_meta"),
    ({"commit": "abcd1234", "artifacts": [artifact("../etc")]}, "path"),
    ({"commit": "abcd1234", "artifacts": [artifact("a"), artifact("a")]}, "repeats"),
    ({"commit": "abcd1234", "artifacts": [artifact("a", confidence=101)]}, "confidence"),
])
def test_bad_scan_documents_are_422_and_change_nothing(client: httpx.Client,
                                                       seeded: dict[str, Any],
                                                       doc: dict[str, Any],
                                                       fragment: str) -> None:
    before = listing(client, seeded["id"], include_below_threshold=True)
    resp = client.post(f"{BASE}/{seeded['id']}/scan-results", json=doc)
    assert resp.status_code == 422
    assert fragment in str(resp.json()["detail"])
    assert listing(client, seeded["id"], include_below_threshold=True) == before


@pytest.mark.parametrize("sort_by, order", [("name", "asc"), ("name", "desc"), ("date", "desc"),
                                            ("date", "asc"), ("confidence", "asc")])
def test_cursor_walk_visits_every_entry_once_in_order(client: httpx.Client, sort_by: str,
                                                     order: str) -> None:
    sid = make_source(client)["id"]
    # Few distinct confidences, so ties are broken by id across page boundaries.
    push(client, sid, [artifact(f"skills/s{i:02d}", confidence=50 + i % 3) for i in range(25)])
    push(client, sid, [artifact(f"skills/s{i:02d}", confidence=50 + i % 3) for i in range(30)],
         commit="c0ffee02")
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 4, "sort_by": sort_by, "sort_order": order}
        if cursor:
            params["cursor"] = cursor
        page = listing(client, sid, **params)
        seen += page["items"]
        cursor = page["page_info"]["next_cursor"]
        if not cursor:
            break
    assert len({i["id"] for i in seen}) == len(seen) == 30
    key = {"name": "name", "date": "detected_at", "confidence": "confidence_score"}[sort_by]
    values = [(i[key], i["id"]) for i in seen]
    assert values == sorted(values, reverse=order == "desc")

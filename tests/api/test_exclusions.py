"""Exclusions at scale over HTTP: bulk changes, rules through rescans, the audit trail,
export and import, against a real database."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from skillmeat.cache.db import Database
from skillmeat.core.marketplace import catalog, rules, sources
from tests.api.test_marketplace_sources import (
    BASE,
    artifact,
    entry_by_path,
    listing,
    make_source,
    push,
)

PATHS = ["skills/pdf", "skills/docx", "docs/commands/ls.md", "docs/commands/cp.md",
         "tests/fixtures/plugin/skill", "examples/demo"]


def arts(paths: list[str] = PATHS) -> list[dict[str, Any]]:
    return [artifact(p, "command" if p.endswith(".md") else "skill") for p in paths]


@pytest.fixture
def src(client: httpx.Client) -> str:
    source = make_source(client)
    push(client, source["id"], arts())
    return str(source["id"])


def ids(client: httpx.Client, sid: str, *paths: str) -> list[str]:
    return [entry_by_path(client, sid, p)["id"] for p in paths]


def excluded_paths(client: httpx.Client, sid: str) -> set[str]:
    return {e["path"] for e in listing(client, sid, status="excluded", limit=100)["items"]}


def events(client: httpx.Client, sid: str, **params: Any) -> list[dict[str, Any]]:
    resp = client.get(f"{BASE}/{sid}/exclusion-events", params={"limit": 100, **params})
    assert resp.status_code == 200, resp.text
    return list(resp.json()["items"])


def assert_counts_exact(db: Database, sid: str) -> None:
    with db.session(write=False) as session:
        source = sources.get_source(session, sid)
        assert source.catalog_counts == catalog.counted_matrix(session, sid)


# --- bulk ------------------------------------------------------------------------------------

def test_bulk_exclude_by_ids_counts_changed_and_already_and_writes_one_event_each(
        client: httpx.Client, src: str, db: Database) -> None:
    first = ids(client, src, "skills/pdf", "skills/docx")
    resp = client.post(f"{BASE}/{src}/artifacts/exclude",
                       json={"entry_ids": first, "reason": "demo skills"})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"changed": 2, "already": 0}
    again = client.post(f"{BASE}/{src}/artifacts/exclude",
                        json={"entry_ids": [*first, *ids(client, src, "examples/demo")]})
    assert again.json() == {"changed": 1, "already": 2}
    assert excluded_paths(client, src) == {"skills/pdf", "skills/docx", "examples/demo"}
    counts = listing(client, src)["counts_by_status"]
    assert counts["excluded"] == 3 and counts["new"] == 3
    assert_counts_exact(db, src)
    trail = events(client, src)
    assert sorted(e["entry_id"] for e in trail) == sorted([*first, *ids(client, src,
                                                                          "examples/demo")])
    assert {e["action"] for e in trail} == {"bulk_exclude"}
    assert {e["actor"] for e in trail} == {"api"}
    pdf = next(e for e in trail if e["entry_id"] == first[0])
    assert pdf["reason"] == "demo skills"


def test_bulk_by_filter_then_restore_by_filter(client: httpx.Client, src: str,
                                                db: Database) -> None:
    resp = client.post(f"{BASE}/{src}/artifacts/exclude",
                       json={"filter": {"artifact_type": "command"}, "reason": "man pages"})
    assert resp.json() == {"changed": 2, "already": 0}
    assert excluded_paths(client, src) == {"docs/commands/ls.md", "docs/commands/cp.md"}
    assert_counts_exact(db, src)
    resp = client.post(f"{BASE}/{src}/artifacts/restore",
                       json={"filter": {"search": "ls.md"}})
    assert resp.json() == {"changed": 1, "already": 0}
    assert excluded_paths(client, src) == {"docs/commands/cp.md"}
    entry = entry_by_path(client, src, "docs/commands/ls.md")
    assert (entry["status"], entry["excluded_reason"]) == ("new", None)
    assert_counts_exact(db, src)


def test_bulk_refuses_other_sources_ids_and_empty_or_oversized_selections(
        client: httpx.Client, src: str) -> None:
    other = make_source(client, "https://github.com/acme/other")["id"]
    push(client, other, arts(["skills/x"]))
    foreign = ids(client, other, "skills/x")
    resp = client.post(f"{BASE}/{src}/artifacts/exclude", json={"entry_ids": foreign})
    assert resp.status_code == 404 and foreign[0] in resp.json()["detail"]
    assert excluded_paths(client, other) == set()
    for body in ({"entry_ids": []}, {}, {"entry_ids": ["cat_1"], "filter": {}},
                 {"entry_ids": [f"cat_{i}" for i in range(1001)]}):
        resp = client.post(f"{BASE}/{src}/artifacts/exclude", json=body)
        assert resp.status_code == 422, (body, resp.text)
        assert resp.json()["detail"]
    resp = client.post(f"{BASE}/src_missing/artifacts/restore", json={"entry_ids": ["cat_1"]})
    assert resp.status_code == 404


def test_single_entry_exclusions_are_events_too_and_history_is_per_entry(
        client: httpx.Client, src: str) -> None:
    (pdf,) = ids(client, src, "skills/pdf")
    client.patch(f"{BASE}/{src}/artifacts/{pdf}/exclude", json={"reason": "a demo"},
                 headers={"X-SkillMeat-Client": "ui"})
    client.patch(f"{BASE}/{src}/artifacts/{pdf}/exclude", json={"reason": "a demo"})  # no-op
    client.delete(f"{BASE}/{src}/artifacts/{pdf}/exclude")
    history = events(client, src, entry_id=pdf)
    assert [(e["action"], e["actor"]) for e in history] == [("restore", "api"),
                                                            ("exclude", "ui")]
    page = client.get(f"{BASE}/{src}/exclusion-events", params={"entry_id": pdf, "limit": 1})
    second = client.get(f"{BASE}/{src}/exclusion-events",
                        params={"entry_id": pdf, "limit": 1,
                                "cursor": page.json()["page_info"]["next_cursor"]})
    assert second.json()["items"][0]["action"] == "exclude"


# --- rules -----------------------------------------------------------------------------------

def add_rule(client: httpx.Client, sid: str, pattern: str, **extra: Any) -> dict[str, Any]:
    resp = client.post(f"{BASE}/{sid}/exclusion-rules", json={"pattern": pattern, **extra})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def test_rule_dry_run_counts_without_changing_anything(client: httpx.Client, src: str) -> None:
    resp = client.post(f"{BASE}/{src}/exclusion-rules", params={"dry_run": "true"},
                       json={"pattern": "docs/**"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["would_exclude"] == 2
    assert {i["path"] for i in body["items"]} == {"docs/commands/ls.md", "docs/commands/cp.md"}
    assert excluded_paths(client, src) == set()
    assert client.get(f"{BASE}/{src}/exclusion-rules").json()["items"] == []


def test_rule_excludes_now_and_on_rescans_and_delete_restores_only_its_own(
        client: httpx.Client, src: str, db: Database) -> None:
    (demo,) = ids(client, src, "examples/demo")
    client.patch(f"{BASE}/{src}/artifacts/{demo}/exclude", json={"reason": "by hand"})
    rule = add_rule(client, src, "**/fixtures/**", reason="test fixtures")
    docs = add_rule(client, src, "docs/**", artifact_type="command")
    assert (rule["excluded_count"], docs["excluded_count"]) == (1, 2)
    listed = client.get(f"{BASE}/{src}/exclusion-rules").json()["items"]
    assert [(r["pattern"], r["excluded_count"], r["origin"]) for r in listed] == [
        ("**/fixtures/**", 1, "user"), ("docs/**", 2, "user")]
    fixture = entry_by_path(client, src, "tests/fixtures/plugin/skill")
    assert (fixture["status"], fixture["excluded_reason"]) == ("excluded", "test fixtures")

    # A new matching entry arrives excluded, by the rule.
    push(client, src, arts([*PATHS, "docs/commands/mv.md", "more/fixtures/x"]), "c0ffee02")
    assert excluded_paths(client, src) == {
        "examples/demo", "tests/fixtures/plugin/skill", "more/fixtures/x",
        "docs/commands/ls.md", "docs/commands/cp.md", "docs/commands/mv.md"}
    scan_events = [e for e in events(client, src) if e["action"] == "scan_rule"]
    assert sorted((e["actor"], e["rule_id"]) for e in scan_events) == sorted([
        ("scan", docs["id"]), ("scan", rule["id"])])
    assert_counts_exact(db, src)

    # Deleting the docs rule restores its three entries, not the hand-made exclusion.
    resp = client.delete(f"{BASE}/{src}/exclusion-rules/{docs['id']}")
    assert resp.status_code == 200 and resp.json() == {"restored": 3}
    assert excluded_paths(client, src) == {"examples/demo", "tests/fixtures/plugin/skill",
                                           "more/fixtures/x"}
    assert_counts_exact(db, src)
    assert client.delete(f"{BASE}/{src}/exclusion-rules/{docs['id']}").status_code == 404


def test_hand_restore_of_a_rule_excluded_entry_survives_rescans(client: httpx.Client,
                                                                src: str) -> None:
    add_rule(client, src, "skills/*")
    (pdf,) = ids(client, src, "skills/pdf")
    client.post(f"{BASE}/{src}/artifacts/restore", json={"entry_ids": [pdf]})
    push(client, src, arts([*PATHS, "skills/new"]), "c0ffee03")
    assert excluded_paths(client, src) == {"skills/docx", "skills/new"}
    restored = [e for e in events(client, src, entry_id=pdf) if e["action"] == "bulk_restore"]
    assert restored and restored[0]["rule_id"] is not None


@pytest.mark.parametrize("pattern", ["!docs/**", "   ", "# comment", "a\x00b"])
def test_bad_patterns_are_refused_readably(client: httpx.Client, src: str,
                                           pattern: str) -> None:
    resp = client.post(f"{BASE}/{src}/exclusion-rules", json={"pattern": pattern})
    assert resp.status_code == 422 and resp.json()["detail"]


# --- export and import -----------------------------------------------------------------------

def test_export_then_import_into_another_instance_is_idempotent(
        client: httpx.Client, src: str, db: Database) -> None:
    add_rule(client, src, "docs/**", reason="man pages")
    (pdf,) = ids(client, src, "skills/pdf")
    client.patch(f"{BASE}/{src}/artifacts/{pdf}/exclude", json={"reason": "demo"})
    doc = client.get("/api/v1/marketplace/exclusions/export").json()
    assert (doc["format"], doc["version"]) == ("skillmeat-exclusions", 1)
    (entry,) = doc["sources"]
    assert entry["repo_url"] == "https://github.com/acme/tools"
    assert [r["pattern"] for r in entry["rules"]] == ["docs/**"]
    assert [(e["artifact_type"], e["path"], e["reason"]) for e in entry["exclusions"]] == [
        ("skill", "skills/pdf", "demo")]

    # "Another instance": the same repository, its entries have other ids.
    client.delete(f"{BASE}/{src}")
    fresh = make_source(client)["id"]
    push(client, fresh, arts())
    doc["sources"][0]["exclusions"].append(
        {"artifact_type": "skill", "path": "skills/gone", "reason": None})
    doc["sources"].append({"repo_url": "https://github.com/acme/unknown", "rules": [],
                           "exclusions": [{"artifact_type": "skill", "path": "x"}]})
    resp = client.post("/api/v1/marketplace/exclusions/import", content=json.dumps(doc))
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert (report["sources_matched"], report["sources_unmatched"]) == (
        1, ["https://github.com/acme/unknown"])
    assert (report["rules_added"], report["excluded"], report["unmatched_count"]) == (1, 1, 2)
    assert excluded_paths(client, fresh) == {"skills/pdf", "docs/commands/ls.md",
                                             "docs/commands/cp.md"}
    again = client.post("/api/v1/marketplace/exclusions/import", content=json.dumps(doc)).json()
    assert (again["rules_added"], again["rules_existing"], again["excluded"],
            again["already_excluded"]) == (0, 1, 0, 1)
    assert {e["action"] for e in events(client, fresh)} >= {"import", "rule_added",
                                                            "rule_exclude"}
    assert_counts_exact(db, fresh)


@pytest.mark.parametrize("body, fragment", [
    (b"[" * 5000 + b"]" * 5000, "nested"),
    (b"not json", "not JSON"),
    (json.dumps({"format": "other", "version": 1, "sources": []}).encode(), "format"),
    (json.dumps({"format": "skillmeat-exclusions", "version": 99, "sources": []}).encode(),
     "version"),
])
def test_hostile_import_documents_are_refused_readably(client: httpx.Client, body: bytes,
                                                       fragment: str) -> None:
    resp = client.post("/api/v1/marketplace/exclusions/import", content=body)
    assert resp.status_code == 422, resp.text
    assert fragment in json.dumps(resp.json()["detail"])


def test_costly_patterns_are_refused_and_a_scan_outlives_a_slow_rule(
        client: httpx.Client, src: str, monkeypatch: pytest.MonkeyPatch) -> None:
    resp = client.post(f"{BASE}/{src}/exclusion-rules", json={"pattern": "*a*/**/*b*"})
    assert resp.status_code == 422 and "wildcards" in resp.json()["detail"]
    add_rule(client, src, "docs/**")
    monkeypatch.setattr(rules, "MATCH_SECONDS", -1.0)  # every match is past its budget
    resp = client.post(f"{BASE}/{src}/exclusion-rules", json={"pattern": "skills/**"})
    assert resp.status_code == 422 and "too long" in resp.json()["detail"]
    push(client, src, arts([*PATHS, "docs/new.md"]), "c0ffee04")  # the scan still merges
    assert entry_by_path(client, src, "docs/new.md")["status"] == "new"
    monkeypatch.undo()
    push(client, src, arts([*PATHS, "docs/new.md"]), "c0ffee05")  # the next scan applies it
    assert entry_by_path(client, src, "docs/new.md")["status"] == "excluded"

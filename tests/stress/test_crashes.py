"""SIGKILL the server at bad moments; after a restart nothing acknowledged is lost and
nothing half-done remains."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry, MarketplaceScan, MarketplaceSource
from tests.gitrepo import commit, skill
from tests.server_process import ServerProcess

BASE = "/api/v1/marketplace/sources"
BIG = 6000  # skills in the repository a rescan is killed in the middle of


def _catalog(db: Database, sid: str) -> list[tuple[Any, ...]]:
    with db.session(write=False) as s:
        rows = s.execute(select(
            MarketplaceCatalogEntry.id, MarketplaceCatalogEntry.path,
            MarketplaceCatalogEntry.status, MarketplaceCatalogEntry.detected_sha,
            MarketplaceCatalogEntry.excluded_at, MarketplaceCatalogEntry.removed_at,
        ).where(MarketplaceCatalogEntry.source_id == sid).order_by(MarketplaceCatalogEntry.id))
        return [tuple(r) for r in rows]


def _wait_until(predicate: Any, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def _scanning(db: Database, sid: str) -> bool:
    with db.session(write=False) as s:
        return s.get(MarketplaceSource, sid).scan_status == "scanning"


@pytest.fixture
def server(db: Database, tmp_path: Path) -> Any:
    proc = ServerProcess(db.url, tmp_path / "data", SKILLMEAT_SCAN_LEASE_SECONDS="5").start()
    yield proc
    proc.stop()


def test_kill_mid_rescan_keeps_pre_scan_catalog_and_lease_expires(
        server: ServerProcess, db: Database, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    commit(repo, {f"skills/s{i}/SKILL.md": skill(f"s{i}") for i in range(50)})
    with httpx.Client(base_url=server.url, timeout=120) as http:
        sid = http.post(BASE, json={"repo_url": str(repo), "scan": True}).json()["id"]
        entry = http.get(f"{BASE}/{sid}/artifacts", params={"limit": 1}).json()["items"][0]
        http.patch(f"{BASE}/{sid}/artifacts/{entry['id']}/exclude", json={"reason": "keep"})
    commit(repo, {f"skills/big{i}/SKILL.md": skill(f"big{i}") for i in range(BIG)},
           remove=["skills/s1"])
    before = _catalog(db, sid)

    threading.Thread(target=lambda: _post_quietly(f"{server.url}{BASE}/{sid}/rescan"),
                     daemon=True).start()
    _wait_until(lambda: _scanning(db, sid), what="the scan to start")
    server.kill()

    assert _catalog(db, sid) == before
    server.start()
    with httpx.Client(base_url=server.url, timeout=300) as http:
        first = http.post(f"{BASE}/{sid}/rescan")
        assert first.status_code in (200, 409)
        if first.status_code == 409:  # the dead scan's lease: it runs out on its own
            _wait_until(lambda: http.post(f"{BASE}/{sid}/rescan").status_code == 200,
                        timeout=60, what="the lease to expire")
        body = http.get(f"{BASE}/{sid}/artifacts", params={"status": "excluded"}).json()
        assert [i["id"] for i in body["items"]] == [entry["id"]]
        # Every skill but the excluded one shows; the deleted s1 shows as removed.
        assert http.get(f"{BASE}/{sid}").json()["artifact_count"] == 50 + BIG - 1
        removed = http.get(f"{BASE}/{sid}/artifacts", params={"status": "removed"}).json()
        assert [i["path"] for i in removed["items"]] in (["skills/s1"], [])
    with db.session(write=False) as s:
        outcomes = [o for (o,) in s.execute(select(MarketplaceScan.outcome).where(
            MarketplaceScan.source_id == sid))]
    assert "abandoned" in outcomes


def _post_quietly(url: str) -> None:
    try:
        httpx.post(url, timeout=300)
    except httpx.HTTPError:
        pass  # the server is killed under this request on purpose


def test_acknowledged_exclusions_survive_sigkill(server: ServerProcess, db: Database) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        sid = http.post(BASE, json={"repo_url": "https://github.com/acme/durable"}).json()["id"]
        http.post(f"{BASE}/{sid}/scan-results", json={"commit": "abcd1234", "artifacts": [
            {"type": "skill", "name": f"s{i}", "path": f"skills/s{i}", "content_hash": "a",
             "confidence": 90} for i in range(10)]})
        ids = [e["id"] for e in http.get(f"{BASE}/{sid}/artifacts").json()["items"]]
    for entry_id in ids:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            resp = http.patch(f"{BASE}/{sid}/artifacts/{entry_id}/exclude",
                              json={"reason": "acknowledged"})
            assert resp.status_code == 200
        server.kill()  # right after the 200: nothing may be lost
        server.start()
    with db.session(write=False) as s:
        excluded = {e.id for e in s.query(MarketplaceCatalogEntry).filter(
            MarketplaceCatalogEntry.excluded_at.is_not(None))}
    assert excluded == set(ids)


def test_kill_mid_import_leaves_no_half_written_artifact(db: Database, tmp_path: Path) -> None:
    collection = tmp_path / "collection"
    server = ServerProcess(db.url, tmp_path / "data",
                           SKILLMEAT_COLLECTION_DIR=str(collection)).start()
    repo = tmp_path / "repo"
    files = {f"skills/big/data/f{i:03d}.md": f"part {i}\n" * 2000 for i in range(900)}
    commit(repo, {"skills/big/SKILL.md": skill("big"), **files})
    try:
        with httpx.Client(base_url=server.url, timeout=120) as http:
            sid = http.post(BASE, json={"repo_url": str(repo), "scan": True}).json()["id"]
            entry = http.get(f"{BASE}/{sid}/artifacts").json()["items"][0]
        threading.Thread(target=lambda: _post_quietly_json(
            f"{server.url}{BASE}/{sid}/import", {"entry_ids": [entry["id"]]}), daemon=True).start()
        staging = collection / ".skillmeat-staging"
        _wait_until(lambda: staging.is_dir() and any(staging.rglob("*.md")),
                    what="the import to start writing")
        server.kill()

        target = collection / "plugins" / "big"
        assert not target.exists() or len(list(target.rglob("*.md"))) == 901
        with db.session(write=False) as s:
            row = s.get(MarketplaceCatalogEntry, entry["id"])
            assert (row.import_id is None) == (not target.exists())
        server.start()
        with httpx.Client(base_url=server.url, timeout=120) as http:
            resp = http.post(f"{BASE}/{sid}/import", json={"entry_ids": [entry["id"]],
                                                           "conflict_strategy": "overwrite"})
            assert resp.status_code == 200, resp.text
        assert len(list(target.rglob("*.md"))) == 901
    finally:
        server.stop()


def _post_quietly_json(url: str, body: dict[str, Any]) -> None:
    try:
        httpx.post(url, json=body, timeout=300)
    except httpx.HTTPError:
        pass  # killed on purpose

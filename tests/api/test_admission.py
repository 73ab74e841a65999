"""Admission: a full lane answers fast with Retry-After, and what was admitted still commits.

Each test fills one lane for real (a held database lock, a taken scan slot, a browse stuck
on a host that never answers) and asserts outcomes, never how long anything took.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from skillmeat.cache.db import POOL_SIZE, Database
from skillmeat.cache.models import MarketplaceSource
from skillmeat.config import Settings
from skillmeat.core.marketplace import sources
from tests.conftest import LiveServer
from tests.fakes.hanging_host import HangingHost
from tests.gitrepo import commit, skill

BASE = "/api/v1/marketplace/sources"


Answers = queue.Queue[httpx.Response]


def in_background(answers: Answers, send: Callable[[], httpx.Response]) -> Answers:
    """Send from a thread of its own; the answer lands in `answers`."""
    threading.Thread(target=lambda: answers.put(send()), daemon=True).start()
    return answers


@pytest.fixture
def scanned(client: httpx.Client, tmp_path: Path) -> dict[str, Any]:
    repo = tmp_path / "repo"
    commit(repo, {f"skills/s{i}/SKILL.md": skill(f"s{i}") for i in range(POOL_SIZE + 6)})
    source = client.post(BASE, json={"repo_url": str(repo), "scan": True}).json()
    items = client.get(f"{BASE}/{source['id']}/artifacts", params={"limit": 100}).json()["items"]
    return {"id": source["id"], "entries": [i["id"] for i in items]}


def test_writes_past_the_database_lane_get_503_with_retry_after_and_admitted_ones_commit(
        client: httpx.Client, live_server: LiveServer, settings: Settings, db: Database,
        scanned: dict[str, Any]) -> None:
    live_server.use(settings.model_copy(update={"queue_wait_seconds": 0.2}), db)
    sid, entries = scanned["id"], scanned["entries"]
    extra = 6
    answers: Answers = queue.Queue()
    with db.session() as holder:
        sources.get_source(holder, sid, lock=True)  # the write lock / the source's row lock
        for e in entries[:POOL_SIZE + extra]:
            in_background(answers, lambda e=e: httpx.patch(
                f"{live_server.url}{BASE}/{sid}/artifacts/{e}/exclude", json={}, timeout=60))
        # While the lock is held nothing can commit: the first answers are the refusals.
        refused = [answers.get(timeout=30) for _ in range(extra)]
        assert client.get("/healthz").status_code == 200  # probes need no database slot
    for resp in refused:
        assert resp.status_code == 503, resp.text
        assert resp.headers["Retry-After"] == "1"
    admitted = [answers.get(timeout=60) for _ in range(POOL_SIZE)]
    assert [r.status_code for r in admitted] == [200] * POOL_SIZE
    excluded = client.get(f"{BASE}/{sid}/artifacts", params={
        "limit": 100, "include_excluded": True, "status": "excluded"}).json()["items"]
    # Every 200 committed, every 503 changed nothing.
    assert sorted(e["id"] for e in excluded) == sorted(r.json()["id"] for r in admitted)


def test_a_pool_that_runs_dry_answers_503_not_500(
        client: httpx.Client, live_server: LiveServer, settings: Settings, db: Database) -> None:
    small = Database(db.url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    live_server.use(settings, small)
    try:
        with small.engine.connect():  # someone else holds the only connection
            resp = client.get(BASE)
        assert resp.status_code == 503, resp.text
        assert resp.headers["Retry-After"] == "1"
        assert client.get(BASE).status_code == 200
    finally:
        small.dispose()


def test_scans_past_the_bound_get_429_at_once_and_create_nothing(
        client: httpx.Client, live_server: LiveServer, settings: Settings, db: Database,
        scanned: dict[str, Any], tmp_path: Path) -> None:
    live_server.use(settings.model_copy(update={"max_concurrent_scans": 1}), db)
    slots = live_server.app.state.lanes.scans.slots
    assert slots.try_take()  # the one scan slot: a scan in progress, or the scheduler's
    try:
        resp = client.post(f"{BASE}/{scanned['id']}/rescan")
        assert resp.status_code == 429, resp.text
        assert int(resp.headers["Retry-After"]) > 0
        assert "SKILLMEAT_MAX_CONCURRENT_SCANS" in resp.json()["detail"]
        other = tmp_path / "other"
        commit(other, {"skills/x/SKILL.md": skill("x")})
        created = client.post(BASE, json={"repo_url": str(other), "scan": True})
        assert created.status_code == 429
        assert len(client.get(BASE).json()["items"]) == 1
    finally:
        slots.give()
    assert client.post(f"{BASE}/{scanned['id']}/rescan").status_code == 200


def test_a_browse_of_a_host_that_never_answers_is_bounded_and_ends_at_the_deadline(
        client: httpx.Client, live_server: LiveServer, settings: Settings, db: Database,
        scanned: dict[str, Any], hanging_host: HangingHost,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLMEAT_GIT_PROTOCOLS", "file:git")
    live_server.use(settings.model_copy(update={
        "max_concurrent_browses": 1, "queue_wait_seconds": 0.2, "scan_deadline_seconds": 2}), db)
    sid, entry = scanned["id"], scanned["entries"][0]
    with db.session() as session:  # the repository moved to a host that hangs
        session.get(MarketplaceSource, sid).repo_url = hanging_host.url("git", "moved")
    files = f"{live_server.url}{BASE}/{sid}/artifacts/{entry}/files"
    stuck = in_background(queue.Queue(), lambda: httpx.get(files, timeout=60))
    assert hanging_host.wait_accepted(1)
    second = client.get(f"{BASE}/{sid}/artifacts/{entry}/files")
    assert second.status_code == 429, second.text
    assert int(second.headers["Retry-After"]) > 0
    assert client.get("/healthz").status_code == 200
    assert client.get(f"{BASE}/{sid}").status_code == 200  # database work has its own lane
    assert stuck.empty()  # all of the above answered while the browse was still stuck
    ended = stuck.get(timeout=60)
    assert ended.status_code == 504, ended.text
    assert "SKILLMEAT_SCAN_DEADLINE_SECONDS" in ended.json()["detail"]
    assert hanging_host.wait_all_closed()

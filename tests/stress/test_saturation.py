"""Saturation against a real `skillmeat serve`: a write storm and scans of a host that hangs.

Outcomes and bounds only, no timing: every write answers 200 or 503 with Retry-After (never
500) and the catalog stays consistent; /healthz answers while the storm and the stuck scans
are still going; scans past the bound get 429; stuck scans end at the deadline with their git
processes gone. bench/bench_saturation.py measures the latencies.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry, MarketplaceSource
from skillmeat.core.marketplace import catalog
from skillmeat.core.marketplace.catalog import counted_matrix
from skillmeat.core.marketplace.status import status_of
from tests.fakes.hanging_host import HangingHost
from tests.gitrepo import commit, skill
from tests.server_process import ServerProcess

BASE = "/api/v1/marketplace/sources"
WRITES = 200
MAX_SCANS = 2
DEADLINE = 5


@pytest.fixture
def server(db: Database, tmp_path: Path) -> Any:
    proc = ServerProcess(db.url, tmp_path / "data", SKILLMEAT_GIT_PROTOCOLS="file:git",
                         SKILLMEAT_MAX_CONCURRENT_SCANS=str(MAX_SCANS),
                         SKILLMEAT_SCAN_DEADLINE_SECONDS=str(DEADLINE)).start()
    yield proc
    proc.stop()


class HealthSampler(threading.Thread):
    """Asks /healthz again and again until stopped; keeps each status and when it arrived."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop = url, threading.Event()
        self.answers: list[int] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as http:
            while not self.stop.is_set():
                self.answers.append(http.get("/healthz").status_code)


async def _storm(url: str, sid: str, excludes: list[str],
                 restores: list[str]) -> dict[str, httpx.Response]:
    limits = httpx.Limits(max_connections=WRITES, max_keepalive_connections=WRITES)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        async def exclude(e: str) -> httpx.Response:
            return await http.patch(f"{BASE}/{sid}/artifacts/{e}/exclude", json={"reason": "x"})

        async def restore(e: str) -> httpx.Response:
            return await http.delete(f"{BASE}/{sid}/artifacts/{e}/exclude")

        answers = await asyncio.gather(*[exclude(e) for e in excludes],
                                       *[restore(e) for e in restores])
    return dict(zip(excludes + restores, answers, strict=True))


def test_200_concurrent_excludes_and_restores_answer_200_or_fast_503_and_lose_nothing(
        server: ServerProcess, db: Database, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    commit(repo, {f"skills/s{i}/SKILL.md": skill(f"s{i}") for i in range(WRITES)})
    with httpx.Client(base_url=server.url, timeout=60) as http:
        sid = http.post(BASE, json={"repo_url": str(repo), "scan": True}).json()["id"]
    with db.session() as session:
        ids = list(session.scalars(MarketplaceCatalogEntry.__table__.select()
                                   .with_only_columns(MarketplaceCatalogEntry.id)
                                   .where(MarketplaceCatalogEntry.source_id == sid)))
        excludes, restores = ids[: WRITES // 2], ids[WRITES // 2:]
        for entry_id in restores:  # half start excluded, so each write changes something
            catalog.exclude_entry(session, sid, entry_id)
    assert len(ids) == WRITES

    sampler = HealthSampler(server.url)
    sampler.start()
    before = len(sampler.answers)
    answers = asyncio.run(_storm(server.url, sid, excludes, restores))
    sampled_during_storm = len(sampler.answers) - before
    sampler.stop.set()
    sampler.join()

    assert sampled_during_storm >= 3 and set(sampler.answers) == {200}
    for resp in answers.values():
        assert resp.status_code in (200, 503), resp.text
        if resp.status_code == 503:
            assert int(resp.headers["Retry-After"]) > 0
    with db.session(write=False) as session:
        rows = {e.id: e for e in session.query(MarketplaceCatalogEntry).filter_by(source_id=sid)}
        for entry in rows.values():
            assert entry.status == status_of(entry), repr(entry)
        assert session.get(MarketplaceSource, sid).catalog_counts == counted_matrix(session, sid)
    for entry_id, resp in answers.items():
        wanted_excluded = entry_id in excludes if resp.status_code == 200 \
            else entry_id in restores  # a refused write left the entry as it was
        assert (rows[entry_id].excluded_at is not None) == wanted_excluded, entry_id


def test_scans_of_a_host_that_never_answers_are_bounded_and_end_at_the_deadline(
        server: ServerProcess, hanging_host: HangingHost, tmp_path: Path) -> None:
    http = httpx.Client(base_url=server.url, timeout=120)
    sids = [http.post(BASE, json={"repo_url": hanging_host.url("git", f"r{i}")}).json()["id"]
            for i in range(MAX_SCANS + 4)]
    answers: queue.Queue[tuple[str, httpx.Response]] = queue.Queue()
    for sid in sids:
        threading.Thread(target=lambda s=sid: answers.put(
            (s, httpx.post(f"{server.url}{BASE}/{s}/rescan", timeout=120))), daemon=True).start()

    assert hanging_host.wait_accepted(MAX_SCANS)  # that many scans are stuck on the host
    refused = [answers.get(timeout=60) for _ in range(len(sids) - MAX_SCANS)]
    for _sid, resp in refused:
        assert resp.status_code == 429, resp.text
        assert int(resp.headers["Retry-After"]) > 0
    # The server goes on answering while the stuck scans hold every scan slot.
    assert {http.get("/healthz").status_code for _ in range(20)} == {200}
    assert http.get(BASE).status_code == 200
    assert http.get("/").status_code == 200
    assert answers.empty()  # ...and all of that arrived before the stuck scans ended

    stuck = [answers.get(timeout=120) for _ in range(MAX_SCANS)]
    for sid, resp in stuck:
        assert resp.status_code == 504, resp.text
        source = http.get(f"{BASE}/{sid}").json()
        assert source["scan_status"] == "error"
        assert "SKILLMEAT_SCAN_DEADLINE_SECONDS" in source["last_error"]
        assert http.get(f"{BASE}/{sid}/scans").json()["items"][0]["outcome"] == "error"
    assert hanging_host.accepted == MAX_SCANS
    assert hanging_host.wait_all_closed()  # every git process of those scans was killed

    repo = tmp_path / "reachable"  # the slots are free again
    commit(repo, {"skills/ok/SKILL.md": skill("ok")})
    created = http.post(BASE, json={"repo_url": str(repo), "scan": True})
    assert created.status_code == 201 and created.json()["scan_status"] == "success"
    http.close()

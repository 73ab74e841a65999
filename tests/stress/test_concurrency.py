"""Many clients at once against real server processes while the repository changes.

8 threads x 500 operations (exclude, restore, rename, list, import) on overlapping entries,
with rescans of the same source running and the repository changing between them. On
PostgreSQL two server processes share the database, so the scan guard is tested across them.
"""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry, MarketplaceSource
from skillmeat.core.marketplace.catalog import counted_matrix
from skillmeat.core.marketplace.status import status_of
from tests.gitrepo import commit, skill
from tests.server_process import ServerProcess

BASE = "/api/v1/marketplace/sources"
THREADS = int(os.environ.get("SKILLMEAT_STRESS_THREADS", "8"))
OPERATIONS = int(os.environ.get("SKILLMEAT_STRESS_OPS", "500"))
SKILLS = 48
EXPECTED = {  # operation -> statuses the API promises for it
    "exclude": {200}, "restore": {200}, "rename": {200}, "list": {200},
    "import": {200, 409}, "rescan": {200, 409},
}


@pytest.fixture
def servers(db: Database, pg_url: str | None, tmp_path: Path) -> Any:
    count = 2 if pg_url else 1
    procs = [ServerProcess(db.url, tmp_path / f"data{i}",
                           SKILLMEAT_COLLECTION_DIR=str(tmp_path / "collection")).start()
             for i in range(count)]
    yield procs
    for proc in procs:
        proc.stop()


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.errors: list[str] = []
        self.last_ack: dict[str, str] = {}  # entry id -> "exclude" | "restore"

    def record(self, op: str, resp: httpx.Response) -> None:
        with self.lock:
            self.statuses[(op, resp.status_code)] += 1
            if resp.status_code >= 500 or resp.status_code not in EXPECTED[op]:
                self.errors.append(f"{op} -> {resp.status_code}: {resp.text[:200]}")


def _client_thread(url: str, sid: str, owned: list[str], shared: list[str], seed: int,
                   tally: Tally) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=60) as http:
        for i in range(OPERATIONS):
            try:
                _one_operation(http, rng, sid, owned, shared, seed, i, tally)
            except httpx.HTTPError as exc:  # a dropped connection is a failure to report
                with tally.lock:
                    tally.errors.append(f"transport error: {type(exc).__name__}: {exc}")


def _one_operation(http: httpx.Client, rng: random.Random, sid: str, owned: list[str],
                   shared: list[str], seed: int, i: int, tally: Tally) -> None:
    roll = rng.random()
    if roll < 0.3 and owned:  # exclude/restore only on this thread's own entries
        entry = rng.choice(owned)
        op = "exclude" if rng.random() < 0.5 else "restore"
        if op == "exclude":
            resp = http.patch(f"{BASE}/{sid}/artifacts/{entry}/exclude",
                              json={"reason": f"t{seed}-{i}"})
        else:
            resp = http.delete(f"{BASE}/{sid}/artifacts/{entry}/exclude")
        tally.record(op, resp)
        if resp.status_code == 200:
            tally.last_ack[entry] = op
    elif roll < 0.45:
        resp = http.patch(f"{BASE}/{sid}/artifacts/{rng.choice(shared)}",
                          json={"name": f"renamed-{seed}-{i}"})
        tally.record("rename", resp)
    elif roll < 0.55:
        resp = http.post(f"{BASE}/{sid}/import", json={
            "entry_ids": [rng.choice(shared)], "conflict_strategy": "overwrite"})
        tally.record("import", resp)
    else:
        params: dict[str, Any] = {"limit": rng.choice([5, 20, 100])}
        if rng.random() < 0.3:
            params["artifact_type"] = "skill"
        if rng.random() < 0.2:
            params["include_excluded"] = True
        resp = http.get(f"{BASE}/{sid}/artifacts", params=params)
        tally.record("list", resp)
        cursor = resp.json().get("page_info", {}).get("next_cursor")
        if cursor and resp.status_code == 200:
            params["cursor"] = cursor
            tally.record("list", http.get(f"{BASE}/{sid}/artifacts", params=params))


def _rescanner(urls: list[str], sid: str, repo: Path, stop: threading.Event,
               tally: Tally) -> None:
    rng = random.Random(99)
    step = 0
    with httpx.Client(timeout=120) as http:
        while not stop.is_set():
            step += 1
            n = rng.randrange(SKILLS)
            if rng.random() < 0.5:
                commit(repo, {f"skills/s{n}/SKILL.md": skill(f"s{n}", f"Version {step}.")})
            else:
                commit(repo, remove=[f"skills/s{n}"]) if (repo / f"skills/s{n}").exists() \
                    else commit(repo, {f"skills/s{n}/SKILL.md": skill(f"s{n}")})
            # Two rescans at once, through different processes where there are two.
            threads = [threading.Thread(target=lambda u=u: tally.record(
                "rescan", http.post(f"{u}{BASE}/{sid}/rescan"))) for u in urls * 2]
            for t in threads:
                t.start()
            for t in threads:
                t.join()


def test_concurrent_clients_and_rescans_lose_nothing(servers: list[ServerProcess],
                                                    db: Database, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    commit(repo, {f"skills/s{i}/SKILL.md": skill(f"s{i}") for i in range(SKILLS)})
    urls = [s.url for s in servers]
    with httpx.Client(base_url=urls[0], timeout=60) as http:
        sid = http.post(BASE, json={"repo_url": str(repo), "scan": True}).json()["id"]
        ids = [e["id"] for e in http.get(f"{BASE}/{sid}/artifacts",
                                         params={"limit": 100}).json()["items"]]
    assert len(ids) == SKILLS
    tally = Tally()
    stop = threading.Event()
    rescanner = threading.Thread(target=_rescanner, args=(urls, sid, repo, stop, tally))
    rescanner.start()
    workers = [threading.Thread(target=_client_thread, args=(
        urls[i % len(urls)], sid, ids[i::THREADS], ids, i, tally)) for i in range(THREADS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    rescanner.join()

    print(f"\nstress: {sum(tally.statuses.values())} requests: {dict(tally.statuses)}")
    assert tally.errors == []
    assert tally.statuses[("rescan", 200)] > 0
    with db.session(write=False) as session:
        entries = session.query(MarketplaceCatalogEntry).filter_by(source_id=sid).all()
        for entry in entries:
            assert entry.status == status_of(entry), repr(entry)
        stored = session.get(MarketplaceSource, sid).catalog_counts
        assert stored == counted_matrix(session, sid)
        by_id = {e.id: e for e in entries}
        for entry_id, op in tally.last_ack.items():
            assert (by_id[entry_id].excluded_at is not None) == (op == "exclude"), entry_id

"""Exclusions under concurrency: bulk excludes and restores, rule changes and rescans at once,
against real server processes (two sharing the database on PostgreSQL).

Afterwards: no acknowledged exclusion is lost, the stored counts equal a fresh count, and every
entry's events replay to its state with exactly one event per change.
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
from sqlalchemy import select

from skillmeat.cache.db import Database
from skillmeat.cache.models import ExclusionEvent, MarketplaceCatalogEntry, MarketplaceSource
from skillmeat.core.marketplace.catalog import counted_matrix
from skillmeat.core.marketplace.status import status_of
from tests.gitrepo import commit, skill

BASE = "/api/v1/marketplace/sources"
THREADS = 4
OPERATIONS = int(os.environ.get("SKILLMEAT_STRESS_OPS", "25"))
SKILLS, DOCS = 40, 12
EXCLUDING = {"exclude", "bulk_exclude", "rule_exclude", "scan_rule", "import"}
RESTORING = {"restore", "bulk_restore", "rule_restore"}


@pytest.fixture
def servers(db: Database, pg_url: str | None, tmp_path: Path) -> Any:
    from tests.server_process import ServerProcess

    procs = [ServerProcess(db.url, tmp_path / f"data{i}").start()
             for i in range(2 if pg_url else 1)]
    yield procs
    for proc in procs:
        proc.stop()


class Log:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self.last_ack: dict[str, bool] = {}  # entry id -> excluded, as last acknowledged
        self.done: Counter[str] = Counter()

    def check(self, what: str, resp: httpx.Response, ok: set[int]) -> bool:
        with self.lock:
            self.done[f"{what} {resp.status_code}"] += 1
            if resp.status_code not in ok:
                self.errors.append(f"{what} -> {resp.status_code}: {resp.text[:200]}")
        return resp.status_code in ok and resp.status_code < 300


def _bulk_worker(url: str, sid: str, owned: list[str], seed: int, log: Log) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=60) as http:
        for i in range(OPERATIONS):
            chosen = rng.sample(owned, rng.randint(1, len(owned)))
            exclude = rng.random() < 0.5
            if rng.random() < 0.2:  # by filter: this thread's entries are named t<seed>-*
                body: dict[str, Any] = {"filter": {"search": f"t{seed}-"}}
                chosen = owned
            else:
                body = {"entry_ids": chosen}
            if exclude:
                body["reason"] = f"w{seed}-{i}"
            resp = http.post(f"{BASE}/{sid}/artifacts/{'exclude' if exclude else 'restore'}",
                             json=body)
            if log.check("bulk", resp, {200}):
                for entry_id in chosen:
                    log.last_ack[entry_id] = exclude


def _rule_worker(url: str, sid: str, stop: threading.Event, log: Log) -> None:
    with httpx.Client(base_url=url, timeout=60) as http:
        while not stop.is_set():
            resp = http.post(f"{BASE}/{sid}/exclusion-rules", json={"pattern": "docs/**"})
            if log.check("add rule", resp, {201}):
                log.check("delete rule", http.delete(
                    f"{BASE}/{sid}/exclusion-rules/{resp.json()['id']}"), {200})


def _rescanner(urls: list[str], sid: str, repo: Path, stop: threading.Event, log: Log) -> None:
    rng = random.Random(7)
    step = 0
    with httpx.Client(timeout=120) as http:
        while not stop.is_set():
            step += 1
            n = rng.randrange(DOCS)
            commit(repo, {f"docs/d{n}/SKILL.md": skill(f"d{n}", f"Version {step}."),
                          f"docs/new{step}/SKILL.md": skill(f"new{step}")})
            for url in urls:
                log.check("rescan", http.post(f"{url}{BASE}/{sid}/rescan"), {200, 409})


def test_bulk_rules_and_rescans_at_once_lose_nothing_and_log_every_change(
        servers: list[Any], db: Database, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    files = {f"skills/t{i % THREADS}-s{i}/SKILL.md": skill(f"t{i % THREADS}-s{i}")
             for i in range(SKILLS)}
    files.update({f"docs/d{i}/SKILL.md": skill(f"d{i}") for i in range(DOCS)})
    commit(repo, files)
    urls = [s.url for s in servers]
    with httpx.Client(base_url=urls[0], timeout=60) as http:
        sid = http.post(BASE, json={"repo_url": str(repo), "scan": True}).json()["id"]
        items = http.get(f"{BASE}/{sid}/artifacts", params={"limit": 100}).json()["items"]
    owned = {t: [e["id"] for e in items if e["path"].startswith(f"skills/t{t}-")]
             for t in range(THREADS)}
    log = Log()
    stop = threading.Event()
    helpers = [threading.Thread(target=_rule_worker, args=(urls[-1], sid, stop, log)),
               threading.Thread(target=_rescanner, args=(urls, sid, repo, stop, log))]
    workers = [threading.Thread(target=_bulk_worker, args=(
        urls[t % len(urls)], sid, owned[t], t, log)) for t in range(THREADS)]
    for thread in [*helpers, *workers]:
        thread.start()
    for thread in workers:
        thread.join()
    stop.set()
    for thread in helpers:
        thread.join()

    assert log.errors == []
    assert log.done["add rule 201"] and log.done["rescan 200"] and log.done["bulk 200"], log.done
    with db.session(write=False) as session:
        entries = {e.id: e for e in session.scalars(select(MarketplaceCatalogEntry).where(
            MarketplaceCatalogEntry.source_id == sid))}
        for entry in entries.values():
            assert entry.status == status_of(entry), repr(entry)
        assert session.get(MarketplaceSource, sid).catalog_counts == counted_matrix(session, sid)
        for entry_id, excluded in log.last_ack.items():  # no acknowledged change lost
            assert (entries[entry_id].excluded_at is not None) == excluded, entry_id
        for entry in entries.values():  # the rule worker ends with its rule deleted
            if entry.path.startswith("docs/"):
                trail = [(e.action, e.rule_id, e.actor) for e in session.scalars(
                    select(ExclusionEvent).where(ExclusionEvent.entry_id == entry.id))]
                assert entry.excluded_at is None and entry.excluded_by_rule is None, (
                    entry, entry.excluded_by_rule, trail)
        events = session.scalars(select(ExclusionEvent).where(
            ExclusionEvent.source_id == sid, ExclusionEvent.entry_id.is_not(None))
            .order_by(ExclusionEvent.id)).all()
    state: dict[str, bool] = {}
    for event in events:  # each event changes its entry's state: exactly one per change
        excluding = event.action in EXCLUDING
        assert event.action in EXCLUDING | RESTORING, event.action
        assert state.get(str(event.entry_id), False) != excluding, (event.entry_id,
                                                                      event.action)
        state[str(event.entry_id)] = excluding
    for entry_id, entry in entries.items():
        assert state.get(entry_id, False) == (entry.excluded_at is not None), entry_id

"""Two server processes sharing one data folder, browsing and importing at once through a
blob cache far smaller than what they read: every answer right, the limit held."""

from __future__ import annotations

import hashlib
import random
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from skillmeat.cache.db import Database
from tests.gitrepo import commit, skill
from tests.server_process import ServerProcess

BASE = "/api/v1/marketplace/sources"
SKILLS, FILES, SIZE = 16, 4, 96 << 10  # 6 MiB of files through a 1 MiB cache
CACHE_MAX = 1 << 20


def content(skill_no: int, file_no: int) -> str:
    seed = f"{skill_no}-{file_no}".encode()
    return (hashlib.sha256(seed).hexdigest() * (SIZE // 64 + 1))[:SIZE]


@pytest.fixture
def servers(db: Database, tmp_path: Path) -> Any:
    shared = {"SKILLMEAT_BLOB_CACHE_MAX_BYTES": str(CACHE_MAX),
              "SKILLMEAT_COLLECTION_DIR": str(tmp_path / "collection")}
    procs = [ServerProcess(db.url, tmp_path / "data", **shared).start() for _ in range(2)]
    yield procs
    for proc in procs:
        proc.stop()


def test_browsing_through_a_small_shared_cache_from_two_processes(
        servers: list[ServerProcess], tmp_path: Path) -> None:
    files = {f"skills/s{i}/data/f{j}.txt": content(i, j)
             for i in range(SKILLS) for j in range(FILES)}
    files.update({f"skills/s{i}/SKILL.md": skill(f"s{i}") for i in range(SKILLS)})
    commit(tmp_path / "repo", files)
    with httpx.Client(base_url=servers[0].url, timeout=60) as http:
        sid = http.post(BASE, json={"repo_url": str(tmp_path / "repo"), "scan": True}).json()["id"]
        ids = {e["name"]: e["id"] for e in http.get(f"{BASE}/{sid}/artifacts",
                                                      params={"limit": 100}).json()["items"]}
    errors: list[str] = []

    def browse(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=servers[seed % 2].url, timeout=60) as http:
            for _ in range(40):
                i, j = rng.randrange(SKILLS), rng.randrange(FILES)
                url = f"{BASE}/{sid}/artifacts/{ids[f's{i}']}/files"
                view = http.get(f"{url}/data/f{j}.txt")
                if view.status_code != 200 or view.json()["content"] != content(i, j):
                    errors.append(f"s{i}/f{j}: {view.status_code} {view.text[:120]}")
                if rng.random() < 0.2 and http.get(url).status_code != 200:
                    errors.append(f"listing s{i} failed")

    threads = [threading.Thread(target=browse, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    cache = tmp_path / "data" / "blob-cache"
    on_disk = sum(p.stat().st_size for p in cache.glob("??/*")) + \
        sum(p.stat().st_size for p in cache.glob("trees/??/*"))
    assert on_disk <= CACHE_MAX
    # Two processes may fetch one blob at once and both count it: the count errs high, so
    # eviction starts early, never late.
    assert int((cache / "usage").read_text()) >= on_disk

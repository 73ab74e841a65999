"""The collection's three budgets, measured through a real `skillmeat serve`.

    python bench/bench_collection.py [--units 1000] [--batch 100]

A repository of `--units` skills (a SKILL.md and a script each) is built with `git
fast-import` and scanned. Then, against a running server with its own SQLite catalog:
1. importing `--batch` entries in one POST /import, commit of the collection included
   (budget 5 s);
2. importing the rest, `--batch` at a time, then `collection verify` over every unit
   (re-hashing every file, checking marketplace.json, lock and folders; budget 2 s);
3. `git clone --depth 1` of http://127.0.0.1:PORT/collection.git, as Claude Code clones
   (budget 3 s).
Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import httpx  # noqa: E402

from skillmeat.cache import migrate  # noqa: E402
from skillmeat.config import Settings  # noqa: E402
from skillmeat.core.collection import service  # noqa: E402
from tests.gitrepo import fast_commit, skill  # noqa: E402
from tests.server_process import ServerProcess  # noqa: E402

BASE = "/api/v1/marketplace/sources"
BUDGETS = {"import": 5.0, "verify": 2.0, "clone": 3.0}


def build_repo(repo: Path, units: int) -> None:
    files: list[tuple[str, bytes]] = []
    for i in range(units):
        files.append((f"skills/s{i:04d}/SKILL.md", skill(f"s{i:04d}").encode()))
        files.append((f"skills/s{i:04d}/scripts/run.py", f"print({i})\n".encode()))
    fast_commit(repo, files)


@contextmanager
def served(prefix: str, build: Callable[[Path, int], None],
           units: int) -> Iterator[tuple[ServerProcess, Path]]:
    """A repository of `units` made by `build` in a temporary folder, and `skillmeat serve` on
    a SQLite database there; yields the server and the folder."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        work = Path(tmp)
        build(work / "repo", units)
        url = f"sqlite:///{work / 'bench.db'}"
        migrate.upgrade(url)
        server = ServerProcess(url, work / "data").start()
        try:
            yield server, work
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    with served("bench-collection-", build_repo, args.units) as (server, work):
        figures = measure(server, work, args.units, args.batch)
    print(f"| measured ({args.units:,} units of 2 files) | seconds | budget |")
    print("|---|---:|---:|")
    labels = {"import": f"import {args.batch} entries in one request, commit included",
              "verify": f"`collection verify` over {args.units:,} units",
              "clone": f"shallow clone of the {args.units:,}-unit collection over "
                       "/collection.git"}
    for key, seconds in figures.items():
        print(f"| {labels[key]} | {seconds:.2f} | {BUDGETS[key]:.0f} |")


def measure(server: ServerProcess, work: Path, units: int, batch: int) -> dict[str, float]:
    with httpx.Client(base_url=server.url, timeout=600, trust_env=False) as http:
        sid = http.post(BASE, json={"repo_url": str(work / "repo"), "scan": True}).json()["id"]
        ids: list[str] = []
        cursor = None
        while True:
            page = http.get(f"{BASE}/{sid}/artifacts",
                            params={"limit": 100, **({"cursor": cursor} if cursor else {})}
                            ).json()
            ids += [e["id"] for e in page["items"]]
            cursor = page["page_info"]["next_cursor"]
            if not cursor:
                break
        assert len(ids) == units, len(ids)
        started = time.perf_counter()
        resp = http.post(f"{BASE}/{sid}/import", json={"entry_ids": ids[:batch]})
        figures = {"import": time.perf_counter() - started}
        resp.raise_for_status()
        for start in range(batch, units, batch):
            http.post(f"{BASE}/{sid}/import",
                      json={"entry_ids": ids[start:start + batch]}).raise_for_status()
    settings = Settings(data_dir=work / "data")
    started = time.perf_counter()
    report = service.verify(settings)
    figures["verify"] = time.perf_counter() - started
    assert report.ok and report.units == units, report.problems[:5]
    env = {"PATH": os.environ["PATH"], "HOME": str(work), "GIT_CONFIG_NOSYSTEM": "1",
           "NO_PROXY": "127.0.0.1"}
    started = time.perf_counter()
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"{server.url}/collection.git",
                    str(work / "clone")], env=env, check=True)
    figures["clone"] = time.perf_counter() - started
    cloned = len(list((work / "clone" / "plugins").iterdir()))
    assert cloned == units, cloned
    return figures


if __name__ == "__main__":
    main()

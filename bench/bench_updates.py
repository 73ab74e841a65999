"""Time the updates listing and an update preview through a real `skillmeat serve`.

    python bench/bench_updates.py [--units 1000] [--runs 50]

A repository holds `--units` skills and one 200-file plugin (bench_preview's plugin). All are
imported, then one commit changes every skill and updates the plugin as bench_preview does
(a quarter of its files modified, ten added, five removed, a new hook and an unpinned MCP
server), and the source is rescanned. Then:
1. `GET /api/v1/collection/updates` listing all `--units` + 1 units with upstream changes
   (budget 50 ms p95);
2. `GET /api/v1/collection/big/update-preview` of the 200-file plugin: read at the upstream
   commit, laid out, diffed against the collection's HEAD, risk difference (budget 300 ms).
Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import httpx  # noqa: E402

from bench.bench_collection import served  # noqa: E402
from bench.bench_preview import plugin, update  # noqa: E402
from tests.gitrepo import commit, fast_commit, git, skill  # noqa: E402
from tests.server_process import ServerProcess  # noqa: E402

BASE = "/api/v1/marketplace/sources"
PLUGIN = "plugins/big"


def build_repo(repo: Path, units: int) -> None:
    files = {f"skills/s{i:04d}/SKILL.md": skill(f"s{i:04d}").encode() for i in range(units)}
    files.update({f"{PLUGIN}/{p}": data for p, data in plugin(200).items()})
    fast_commit(repo, files)
    git(repo, "reset", "-q", "--hard")


def change_repo(repo: Path, units: int) -> None:
    old = {p: data for p, data in plugin(200).items()}
    new = update(old)
    files: dict[str, str | bytes] = {f"skills/s{i:04d}/SKILL.md": skill(f"s{i:04d}") + "More.\n"
                                     for i in range(units)}
    files.update({f"{PLUGIN}/{p}": data for p, data in new.items()})
    commit(repo, files, remove=[f"{PLUGIN}/{p}" for p in old if p not in new],
           message="upstream changes")


def timed(http: httpx.Client, path: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        http.get(path).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def p95(times: list[float]) -> float:
    return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with served("bench-updates-", build_repo, args.units) as (server, work):
        listing, preview = measure(server, work, args.units, args.runs)
    total = args.units + 1
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() \
        else "?"
    print(f"| measured ({total:,} units, every one changed upstream; load {load}) | median ms "
          "| p95 ms | max ms | budget ms |")
    print("|---|---:|---:|---:|---:|")
    print(f"| `GET /collection/updates`, {total:,} units, {len(listing)} runs | "
          f"{statistics.median(listing):.1f} | {p95(listing):.1f} | {listing[-1]:.0f} | "
          "50 (p95) |")
    print(f"| `GET /collection/big/update-preview`, 200-file plugin, {len(preview)} runs | "
          f"{statistics.median(preview):.0f} | {p95(preview):.0f} | {preview[-1]:.0f} | 300 |")


def measure(server: ServerProcess, work: Path, units: int,
            runs: int) -> tuple[list[float], list[float]]:
    with httpx.Client(base_url=server.url, timeout=600, trust_env=False) as http:
        sid = http.post(BASE, json={"repo_url": str(work / "repo"), "scan": True}).json()["id"]
        ids: list[str] = []
        cursor = None
        while True:
            page = http.get(f"{BASE}/{sid}/artifacts", params={
                "limit": 100, "artifact_type": "skill",
                **({"cursor": cursor} if cursor else {})}).json()
            ids += [e["id"] for e in page["items"] if e["path"].startswith("skills/")]
            cursor = page["page_info"]["next_cursor"]
            if not cursor:
                break
        big = http.get(f"{BASE}/{sid}/artifacts",
                       params={"artifact_type": "plugin"}).json()["items"]
        assert [p["path"] for p in big] == [PLUGIN], big
        ids.append(big[0]["id"])
        for start in range(0, len(ids), 100):
            http.post(f"{BASE}/{sid}/import",
                      json={"entry_ids": ids[start:start + 100]}).raise_for_status()
        change_repo(work / "repo", units)
        http.post(f"{BASE}/{sid}/rescan").raise_for_status()
        found = http.get("/api/v1/collection/updates").json()
        # Every imported unit, nothing else (names other than s0000... and big are shown).
        odd = [(u["name"], u["path"]) for u in found["items"]
               if not (u["name"] == "big" or re.fullmatch(r"s\d{4}", u["name"]))]
        assert found["count"] == units + 1 and not odd, (found["count"], odd)
        listing = timed(http, "/api/v1/collection/updates", runs)
        preview = timed(http, "/api/v1/collection/big/update-preview", 20)
        body = http.get("/api/v1/collection/big/update-preview").json()
        assert body["counts"]["added"] >= 10 and body["risk_changes"], body["counts"]
    return listing, preview


if __name__ == "__main__":
    main()

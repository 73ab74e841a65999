"""Saturation benchmark: latencies under a write storm and under scans of a host that hangs.

Not a test (tests/stress/test_saturation.py asserts the outcomes): it prints figures. It
starts the real server (`skillmeat serve`) on a fresh database, then

1. samples /healthz with nothing else going on;
2. sends `--writes` excludes/restores at once, `--rounds` times, each write on its own
   connection, timing every write and sampling /healthz all along;
3. points `--scans` sources at a loopback listener that accepts and never answers, rescans
   them all at once (more than SKILLMEAT_MAX_CONCURRENT_SCANS) and samples /healthz until
   the stuck ones end at the deadline.

/healthz is sampled from a process of its own, so the figures are the server's, not those of
a client busy with 200 connections.

    python bench/bench_saturation.py [--database-url URL] [--writes 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_api import bench_database, load_average, machine_info, run_server  # noqa: E402
from tests.fakes.hanging_host import HangingHost  # noqa: E402

API = "/api/v1/marketplace/sources"


# --------------------------------------------------------------------------- sampling /healthz


def _sample_healthz(base: str, stop: Any, out: Any) -> None:
    """In a process of its own: GET /healthz every 10 ms until `stop`; put (ms, status)s."""
    samples: list[tuple[float, int]] = []
    with httpx.Client(base_url=base, timeout=60, trust_env=False) as client:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                status = client.get("/healthz").status_code
            except httpx.HTTPError:
                status = 0
            samples.append(((time.perf_counter() - start) * 1000, status))
            time.sleep(0.01)
    out.put(samples)


class HealthSampler:
    def __init__(self, base: str) -> None:
        ctx = mp.get_context("spawn")
        self._stop, self._out = ctx.Event(), ctx.Queue()
        self._proc = ctx.Process(target=_sample_healthz, args=(base, self._stop, self._out))

    def __enter__(self) -> HealthSampler:
        self._proc.start()
        self.samples: list[tuple[float, int]] = []
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.samples = self._out.get(timeout=60)
        self._proc.join(timeout=30)


# --------------------------------------------------------------------------- figures


@dataclass
class Row:
    scenario: str
    outcome: str
    request_ms: list[float] = field(default_factory=list)
    health: list[tuple[float, int]] = field(default_factory=list)


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{statistics.median(ordered):,.0f} / {p95:,.0f} / {ordered[-1]:,.0f}"


def health_cells(samples: list[tuple[float, int]]) -> str:
    times = [ms for ms, _ in samples]
    bad = sum(1 for _, status in samples if status != 200)
    spread_ms = "-" if not times else \
        f"{statistics.median(times):.1f} / {sorted(times)[int(len(times) * .95)]:.1f} / " \
        f"{max(times):.1f}"
    return f"{len(samples)}{f' ({bad} not 200)' if bad else ''} | {spread_ms}"


def report(backend: str, version: str, args: argparse.Namespace, rows: list[Row],
           loads: tuple[str, str]) -> str:
    lines = [
        "## SkillMeat saturation benchmark",
        "",
        f"- Database: {backend} {version}; server: `skillmeat serve` (one uvicorn process, "
        f"API token set), SKILLMEAT_MAX_CONCURRENT_SCANS={args.max_scans}, "
        f"SKILLMEAT_SCAN_DEADLINE_SECONDS={args.deadline}",
        f"- Machine: {machine_info()}; load average {loads[0]} before, {loads[1]} after",
        "- Writes: one connection each, all sent at once (asyncio httpx); /healthz: a separate "
        "process, one keep-alive connection, a request every 10 ms",
        "",
        "| scenario | outcome | request p50 / p95 / max ms | /healthz samples | "
        "/healthz p50 / p95 / max ms |",
        "|---|---|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(f"| {row.scenario} | {row.outcome} | {spread(row.request_ms)} | "
                     f"{health_cells(row.health)} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- scenarios


def make_repo(path: Path, skills: int) -> None:
    for i in range(skills):
        folder = path / "skills" / f"s{i}"
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(
            f"---\nname: s{i}\ndescription: Skill number {i} for the benchmark.\n---\n\nSteps.\n")
    env = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
           "PATH": "/usr/bin:/bin", "HOME": str(path)}
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "skills"]):
        subprocess.run(["git", "-C", str(path), *cmd], check=True, env=env)


async def write_storm(base: str, headers: dict[str, str], sid: str, ids: list[str],
                      exclude: bool) -> list[tuple[float, int, str | None]]:
    limits = httpx.Limits(max_connections=len(ids), max_keepalive_connections=len(ids))
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120, limits=limits,
                                 trust_env=False) as client:
        async def one(entry: str) -> tuple[float, int, str | None]:
            path = f"{API}/{sid}/artifacts/{entry}/exclude"
            start = time.perf_counter()
            resp = await (client.patch(path, json={"reason": "bench"}) if exclude
                          else client.delete(path))
            return (time.perf_counter() - start) * 1000, resp.status_code, \
                resp.headers.get("retry-after")

        return await asyncio.gather(*(one(e) for e in ids))


def writes(base: str, headers: dict[str, str], args: argparse.Namespace,
           workdir: Path) -> Row:
    repo = workdir / "repo"
    make_repo(repo, args.writes)
    with httpx.Client(base_url=base, headers=headers, timeout=120, trust_env=False) as client:
        sid = client.post(API, json={"repo_url": str(repo), "scan": True}).json()["id"]
        ids: list[str] = []
        params: dict[str, Any] = {"limit": 100}
        while True:
            page = client.get(f"{API}/{sid}/artifacts", params=params).json()
            ids += [e["id"] for e in page["items"]]
            if not page["page_info"]["next_cursor"]:
                break
            params["cursor"] = page["page_info"]["next_cursor"]
    while len(ids) < args.writes:  # more writes than entries: some entries get two
        ids += ids[: args.writes - len(ids)]
    row = Row(f"{args.writes} concurrent excludes/restores, {args.rounds} rounds", "")
    statuses: Counter[str] = Counter()
    for round_no in range(args.rounds):
        with HealthSampler(base) as sampler:
            answers = asyncio.run(write_storm(base, headers, sid, ids, round_no % 2 == 0))
        row.health += sampler.samples
        for ms, status, retry_after in answers:
            row.request_ms.append(ms)
            statuses[f"{status}" + (" with Retry-After" if retry_after else "")] += 1
    row.outcome = ", ".join(f"{n} × {s}" for s, n in sorted(statuses.items()))
    return row


def stuck_scans(base: str, headers: dict[str, str], args: argparse.Namespace) -> list[Row]:
    host = HangingHost()
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=120,
                          trust_env=False) as client:
            sids = [client.post(API, json={"repo_url": host.url("git", f"r{i}")}).json()["id"]
                    for i in range(args.scans)]
            answers: list[tuple[float, int]] = []
            lock = threading.Lock()

            def rescan(sid: str) -> None:
                start = time.perf_counter()
                status = client.post(f"{API}/{sid}/rescan").status_code
                with lock:
                    answers.append(((time.perf_counter() - start) * 1000, status))

            with HealthSampler(base) as sampler:
                threads = [threading.Thread(target=rescan, args=(s,)) for s in sids]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
        closed = host.wait_all_closed(timeout=30)
    finally:
        host.stop()
    refused = [ms for ms, status in answers if status == 429]
    ended = [ms for ms, status in answers if status != 429]
    ended_as = Counter(status for ms, status in answers if status != 429)
    return [
        Row(f"{args.scans} rescans of a host that never answers: past the bound",
            f"{len(refused)} × 429 with Retry-After", refused, sampler.samples),
        Row(f"... the {len(ended)} admitted, stuck until the deadline",
            ", ".join(f"{n} × {s}" for s, n in ended_as.items())
            + f"; connections closed by git: {'all' if closed else 'NOT all'}", ended, []),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scans", type=int, default=12)
    parser.add_argument("--max-scans", type=int, default=3)
    parser.add_argument("--deadline", type=int, default=10)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="skillmeat-saturation-"))
    token = secrets.token_urlsafe(24)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with bench_database(args.database_url, workdir) as db, run_server(
                db.url, workdir, workdir / "server.log", token,
                SKILLMEAT_MAX_CONCURRENT_SCANS=str(args.max_scans),
                SKILLMEAT_SCAN_DEADLINE_SECONDS=str(args.deadline),
                SKILLMEAT_ALLOW_LOCAL_SOURCES="true") as (base, _pid):
            load_before = load_average()
            with HealthSampler(base) as idle:
                time.sleep(3)
            rows = [Row("idle", "-", [], idle.samples)]
            print("write storm ...", flush=True)
            rows.append(writes(base, headers, args, workdir))
            print("scans of a host that hangs ...", flush=True)
            rows += stuck_scans(base, headers, args)
            print()
            print(report(db.backend, db.server_version, args, rows,
                         (load_before, load_average())))
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

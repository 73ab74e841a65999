"""API latency benchmark: a large catalog behind the real server, measured over HTTP.

Not a test: it prints figures. It

1. builds a migrated database (SQLite in a temporary directory unless --database-url is given;
   on PostgreSQL a fresh schema that is dropped at the end) and seeds it through the real
   catalog merge, one transaction per source;
2. starts the real server (`skillmeat serve`) in a subprocess on a free loopback port;
3. times catalog listings, a page deep in the cursor chain, exclude and restore with one
   keep-alive HTTP client;
4. prints a Markdown report.

    python bench/bench_api.py                                   # full scale: 10 x 100,000
    python bench/bench_api.py --entries-per-source 20000 --sources 2 --requests 200
    python bench/bench_api.py --database-url postgresql+psycopg://user@127.0.0.1:5432/db
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import random
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from skillmeat.cache import migrate
from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry, MarketplaceSource
from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.merge import apply_scan
from skillmeat.core.marketplace.sources import create_source

API = "/api/v1/marketplace/sources"
LIST_P95_MS = 30.0
WRITE_P99_MS = 15.0

# Type mix of a large monorepo of agent tooling: mostly skills and commands.
TYPE_WEIGHTS = {"skill": 40, "command": 25, "agent": 15, "hook": 10, "mcp_server": 10}
WORDS = (
    "alpha", "bravo", "cache", "delta", "deploy", "docs", "eval", "fetch", "git", "graph",
    "http", "index", "jira", "lint", "log", "merge", "notes", "pdf", "plan", "query", "review",
    "search", "slack", "sql", "test", "trace", "triage", "web", "xlsx", "yaml",
)
TEAMS = ("platform", "data", "infra", "security", "frontend", "ml", "support", "growth")


# --------------------------------------------------------------------------- data


def _confidence(rng: random.Random) -> int:
    """0..100, most entries confident, a long tail below the listing threshold (30)."""
    roll = rng.random()
    if roll < 0.15:
        return rng.randint(0, 29)
    if roll < 0.35:
        return rng.randint(30, 69)
    return min(100, int(rng.triangular(70, 101, 95)))


def make_artifacts(seed: int, count: int) -> list[DetectedArtifact]:
    rng = random.Random(seed)
    types = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()), k=count)
    arts: list[DetectedArtifact] = []
    for i, kind in enumerate(types):
        team = TEAMS[i % len(TEAMS)]
        stem = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}"
        name = f"{stem}-{i}"
        group = f"{team}/g{i // 500:04d}"
        if kind == "skill":
            path = f"skills/{group}/{name}"
        elif kind == "command":
            path = f".claude/commands/{group}/{name}.md"
        elif kind == "agent":
            path = f".claude/agents/{group}/{name}.md"
        elif kind == "hook":
            path = f"hooks/{group}/{name}.json"
        else:
            path = f"mcp/{group}/{name}/server.json"
        confidence = _confidence(rng)
        arts.append(DetectedArtifact(
            type=kind,
            name=name,
            path=path,
            content_hash=f"{rng.getrandbits(160):040x}",
            confidence=confidence,
            score_breakdown={"manifest": min(confidence, 40), "layout": rng.randint(0, 30),
                             "naming": rng.randint(0, 30)},
            title=f"{stem.replace('-', ' ').title()} ({team})",
            description=f"{kind} for {team}: {stem.replace('-', ' ')} helpers." if i % 3 else None,
            version=f"{rng.randint(0, 3)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
            if i % 4 == 0 else None,
        ))
    return arts


# --------------------------------------------------------------------------- database


@dataclass
class BenchDatabase:
    url: str
    backend: str
    server_version: str


def _with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@contextmanager
def bench_database(database_url: str | None, workdir: Path) -> Iterator[BenchDatabase]:
    if database_url is None:
        database_url = f"sqlite:///{workdir / 'skillmeat.db'}"
    parsed = make_url(database_url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise SystemExit("an SQLite --database-url needs a file (the server shares it)")
        path = Path(parsed.database).expanduser()
        if path.exists():
            raise SystemExit(f"refusing to seed an existing SQLite file: {path}")
        try:
            yield BenchDatabase(database_url, backend, sqlite3.sqlite_version)
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if backend != "postgresql":
        raise SystemExit(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
    admin = create_engine(database_url, connect_args={"connect_timeout": 5})
    schema = f"smbench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.begin() as conn:
        version = conn.execute(text("SHOW server_version")).scalar_one()
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    try:
        yield BenchDatabase(_with_schema(database_url, schema), backend, str(version))
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def existing_database(database_url: str) -> BenchDatabase:
    """A database seeded by an earlier run and kept (`--seeded`): measured as it is."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            version = (sqlite3.sqlite_version if engine.dialect.name == "sqlite"
                       else conn.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()
    return BenchDatabase(database_url, engine.dialect.name, str(version))


def seeded_already(db: Database) -> Seeded:
    """The sources of a kept database, oldest first (the first is the measured one)."""
    with db.session(write=False) as session:
        ids = list(session.scalars(select(MarketplaceSource.id)
                                   .order_by(MarketplaceSource.created_at)))
    return Seeded(ids, count_entries(db))


def add_catalog_options(parser: argparse.ArgumentParser) -> None:
    """The catalog options the search and exclusion benchmarks share."""
    parser.add_argument("--database-url")
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--entries-per-source", type=int, default=100_000)
    parser.add_argument("--seeded", action="store_true",
                        help="--database-url already holds a catalog these benchmarks seeded "
                             "(kept between runs): measure it as it is, no seeding")


def catalog_database(parser: argparse.ArgumentParser, args: argparse.Namespace,
                     workdir: Path) -> AbstractContextManager[BenchDatabase]:
    """The database `add_catalog_options` asked for: the kept one with --seeded, else a
    fresh one (bench_database)."""
    if not args.seeded:
        return bench_database(args.database_url, workdir)
    if not args.database_url:
        parser.error("--seeded needs --database-url")
    return nullcontext(existing_database(args.database_url))


def catalog(db: Database, args: argparse.Namespace) -> Seeded:
    """The catalog to measure: the kept one's sources with --seeded, else seeded now."""
    if args.seeded:
        return seeded_already(db)
    print(f"seeding {args.sources} x {args.entries_per_source:,} entries ...", flush=True)
    return seed(db, args.sources, args.entries_per_source)


@dataclass
class Seeded:
    source_ids: list[str]
    total_entries: int
    seconds: list[float] = field(default_factory=list)  # merge + commit, per source
    generate_seconds: float = 0.0


def seed(db: Database, sources: int, per_source: int) -> Seeded:
    result = Seeded([], 0)
    for i in range(sources):
        t0 = time.perf_counter()
        arts = make_artifacts(1000 + i, per_source)
        result.generate_seconds += time.perf_counter() - t0
        commit = f"{random.Random(i).getrandbits(160):040x}"
        t0 = time.perf_counter()
        with db.session(write=True) as session:  # one transaction per source
            source = create_source(session, f"https://github.com/bench-org/monorepo-{i:02d}",
                                   description=f"benchmark source {i}")
            merged = apply_scan(session, source, commit, arts)
            source_id = source.id
        elapsed = time.perf_counter() - t0
        result.seconds.append(elapsed)
        result.source_ids.append(source_id)
        result.total_entries += merged.new
        print(f"  source {i + 1}/{sources}: {merged.new:,} entries merged in {elapsed:.2f} s",
              flush=True)
    return result


def sample_entry_ids(db: Database, source_id: str, n: int, seed_value: int) -> list[str]:
    with db.session(write=False) as session:
        ids = list(session.scalars(
            select(MarketplaceCatalogEntry.id)
            .where(MarketplaceCatalogEntry.source_id == source_id)
            .order_by(MarketplaceCatalogEntry.id)
        ))
    if len(ids) < n:
        raise SystemExit(f"need {n} entries for exclude/restore, source has {len(ids)}")
    return random.Random(seed_value).sample(ids, n)


def count_entries(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(MarketplaceCatalogEntry))
                   or 0)


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def run_server(url: str, data_dir: Path, log_path: Path, token: str,
               startup_timeout: float = 90.0, **settings: str) -> Iterator[tuple[str, int]]:
    """`skillmeat serve` in a subprocess; yields its base URL and pid, stops it on exit.

    The production entry point: structured request logs, API token checks, uvicorn.
    `settings` are more SKILLMEAT_* variables for it.
    """
    # Only the durability setting passes through (to compare SQLite synchronous modes).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SKILLMEAT_") or k == "SKILLMEAT_SQLITE_SYNCHRONOUS"}
    env.update(SKILLMEAT_DATABASE_URL=url, SKILLMEAT_DATA_DIR=str(data_dir),
               SKILLMEAT_API_TOKEN=token, **settings)
    for _attempt in range(3):  # a free port can be taken between probing and binding
        port = _free_port()
        cmd = [sys.executable, "-m", "skillmeat.cli.main", "serve",
               "--host", "127.0.0.1", "--port", str(port)]
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(cmd, env=env, cwd=data_dir, stdout=log,
                                    stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            if _wait_ready(proc, base, startup_timeout):
                yield base, proc.pid
                return
        finally:
            _stop(proc)
    tail = log_path.read_text(errors="replace")[-3000:]
    raise SystemExit(f"server did not start; log tail:\n{tail}")


def _wait_ready(proc: subprocess.Popen[bytes], base: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            try:
                if client.get("/readyz").status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- measuring


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), or None where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Measurement:
    operation: str
    samples_ms: list[float]
    target: str = "-"
    check: Callable[[Measurement], bool] | None = None
    server_cpu_ms: float | None = None  # server CPU per request: insensitive to contention

    def pct(self, p: int) -> float:
        if len(self.samples_ms) < 2:
            return self.samples_ms[0] if self.samples_ms else float("nan")
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[p - 1]

    @property
    def verdict(self) -> str:
        if self.check is None:
            return self.target
        return f"{self.target}: {'met' if self.check(self) else '**MISSED**'}"


def timed(send: Callable[[], httpx.Response]) -> float:
    t0 = time.perf_counter()
    response = send()
    elapsed = (time.perf_counter() - t0) * 1000
    if response.status_code >= 300:
        raise SystemExit(f"{response.request.method} {response.request.url} -> "
                         f"{response.status_code}: {response.text[:500]}")
    return elapsed


def measure(client: httpx.Client, source_id: str, requests: int, warmup: int,
            deep_pages: int, write_ids: list[str], server_pid: int) -> list[Measurement]:
    artifacts = f"{API}/{source_id}/artifacts"
    out: list[Measurement] = []
    cpu_mark: list[float | None] = [None]

    def start_cpu() -> None:
        cpu_mark[0] = process_cpu_seconds(server_pid)

    def add(m: Measurement) -> None:
        before, after = cpu_mark[0], process_cpu_seconds(server_pid)
        if before is not None and after is not None and m.samples_ms:
            m.server_cpu_ms = (after - before) * 1000 / len(m.samples_ms)
        out.append(m)

    def repeat(name: str, send: Callable[[], httpx.Response]) -> Measurement:
        for _ in range(warmup):
            timed(send)
        start_cpu()
        return Measurement(name, [timed(send) for _ in range(requests)])

    def list_check(m: Measurement) -> bool:
        return m.pct(95) <= LIST_P95_MS

    def write_check(m: Measurement) -> bool:
        return m.pct(99) <= WRITE_P99_MS

    list_target = f"p95 <= {LIST_P95_MS:g} ms"
    write_target = f"p99 <= {WRITE_P99_MS:g} ms"

    m = repeat("list, first page (defaults: limit 50)", lambda: client.get(artifacts))
    m.target, m.check = list_target, list_check
    add(m)

    m = repeat("list, artifact_type=skill", lambda: client.get(
        artifacts, params={"artifact_type": "skill"}))
    m.target, m.check = list_target, list_check
    add(m)

    # Walk the cursor chain; every page of every walk is one sample.
    walk: list[float] = []
    cursor: str | None = None
    walks = max(1, -(-requests // deep_pages))
    start_cpu()
    for _ in range(walks):
        cursor = None
        for _page in range(deep_pages):
            params: dict[str, str | int] = {"limit": 100}
            if cursor:
                params["cursor"] = cursor
            t0 = time.perf_counter()
            response = client.get(artifacts, params=params)
            walk.append((time.perf_counter() - t0) * 1000)
            response.raise_for_status()
            cursor = response.json()["page_info"]["next_cursor"]
            if cursor is None:
                raise SystemExit(f"cursor chain ended before page {deep_pages}")
    m = Measurement(f"list, cursor walk pages 1-{deep_pages} (limit 100)", walk,
                    list_target, list_check)
    add(m)

    deep = cursor
    m = repeat(f"list, deep page {deep_pages + 1} via cursor (limit 100)", lambda: client.get(
        artifacts, params={"limit": 100, "cursor": deep}))
    m.target, m.check = list_target, list_check
    add(m)

    # Exclude / restore on distinct entries; the warm-up uses its own entries.
    warm_ids, ids = write_ids[:warmup], write_ids[warmup:warmup + requests]
    body = {"reason": "benchmark: not an artifact"}
    for entry_id in warm_ids:
        timed(lambda e=entry_id: client.patch(f"{artifacts}/{e}/exclude", json=body))
        timed(lambda e=entry_id: client.delete(f"{artifacts}/{e}/exclude"))
    start_cpu()
    m = Measurement("exclude (PATCH .../exclude, distinct entries)", [
        timed(lambda e=entry_id: client.patch(f"{artifacts}/{e}/exclude", json=body))
        for entry_id in ids
    ], write_target, write_check)
    add(m)
    start_cpu()
    m = Measurement("restore (DELETE .../exclude, same entries)", [
        timed(lambda e=entry_id: client.delete(f"{artifacts}/{e}/exclude")) for entry_id in ids
    ], write_target, write_check)
    add(m)
    return out


# --------------------------------------------------------------------------- report


def machine_info() -> str:
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    model = platform.processor() or ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (f"{usable} usable cores ({cores} logical), {model or 'unknown CPU'}, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def load_average() -> str:
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def report(db_info: BenchDatabase, seeded: Seeded, stored: int, per_source: int,
           results: list[Measurement], analyzed: bool, loads: tuple[str, str]) -> str:
    per_100k = [s * 100_000 / per_source for s in seeded.seconds] or [0.0]
    lines = [
        "## SkillMeat API benchmark",
        "",
        f"- Database: {db_info.backend} {db_info.server_version}"
        + (f" (synchronous={os.environ.get('SKILLMEAT_SQLITE_SYNCHRONOUS', 'NORMAL')})"
           if db_info.backend == "sqlite" else "")
        + (" (ANALYZE after seeding)" if analyzed else ""),
        f"- Catalog: {len(seeded.source_ids)} sources x {per_source:,} entries = "
        f"{stored:,} entries stored; measured source has {per_source:,} entries",
        f"- Seeding (catalog merge + commit, one transaction per source): "
        f"total {sum(seeded.seconds):.1f} s; per 100,000 entries "
        f"min {min(per_100k):.2f} s / median {statistics.median(per_100k):.2f} s / "
        f"max {max(per_100k):.2f} s (generating the scan input took "
        f"{seeded.generate_seconds:.1f} s more, not counted)",
        f"- Machine: {machine_info()}; load average (1/5/15 min) {loads[0]} before "
        f"measuring, {loads[1]} after (other processes compete for the same cores)",
        "- Client: one keep-alive httpx client, sequential requests, latency measured end to "
        "end around each request; server: `skillmeat serve` (one uvicorn process, JSON "
        "request log, API token set and sent)",
        "",
        "| operation | requests | p50 ms | p95 ms | p99 ms | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for m in results:
        lines.append(f"| {m.operation} | {len(m.samples_ms)} | {m.pct(50):.2f} | "
                     f"{m.pct(95):.2f} | {m.pct(99):.2f} | {m.verdict} |")
    if any(m.server_cpu_ms is not None for m in results):
        lines += ["", "Server process CPU time per request (wall time minus this is waiting: "
                  "disk flushes, database server, scheduling):", "",
                  "| operation | server CPU ms/request | mean wall ms |", "|---|---:|---:|"]
        for m in results:
            cpu = "n/a" if m.server_cpu_ms is None else f"{m.server_cpu_ms:.2f}"
            lines.append(f"| {m.operation} | {cpu} | {statistics.fmean(m.samples_ms):.2f} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=None,
                        help="default: SQLite in a temporary directory; a PostgreSQL URL "
                             "gets a fresh schema that is dropped afterwards; an SQLite URL "
                             "must name a file that does not exist yet (removed afterwards)")
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--entries-per-source", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300,
                        help="timed requests per operation (at least 200 for the report)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--deep-pages", type=int, default=50,
                        help="pages of limit=100 walked to reach the deep cursor")
    args = parser.parse_args(argv)
    if args.sources < 1 or args.entries_per_source < 1 or args.requests < 1:
        parser.error("--sources, --entries-per-source and --requests must be positive")
    # About 85% of the generated entries are at or above the listing threshold.
    needed = max(int((args.deep_pages * 100 + 100) / 0.8), args.requests + args.warmup)
    if args.entries_per_source < needed:
        parser.error(f"--entries-per-source must be at least {needed} for these options")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    importlib.import_module("skillmeat.api.app")  # fail before seeding, not after
    workdir = Path(tempfile.mkdtemp(prefix="skillmeat-bench-"))
    try:
        with bench_database(args.database_url, workdir) as db_info:
            print(f"migrating {db_info.backend} database ...", flush=True)
            migrate.upgrade(db_info.url)
            db = Database(db_info.url)
            try:
                print(f"seeding {args.sources} x {args.entries_per_source:,} entries ...",
                      flush=True)
                seeded = seed(db, args.sources, args.entries_per_source)
                analyzed = db_info.backend == "postgresql"
                if analyzed:  # what autovacuum does after a bulk load
                    with db.engine.begin() as conn:
                        conn.execute(text("ANALYZE marketplace_sources, "
                                          "marketplace_catalog_entries"))
                stored = count_entries(db)
                target = seeded.source_ids[0]
                write_ids = sample_entry_ids(db, target, args.requests + args.warmup, 7)
            finally:
                db.dispose()
            print("starting server ...", flush=True)
            token = secrets.token_urlsafe(24)
            with run_server(db_info.url, workdir, workdir / "server.log", token) as (base, pid), \
                    httpx.Client(base_url=base, timeout=60.0,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
                print(f"measuring ({args.requests} requests per operation) ...", flush=True)
                load_before = load_average()
                results = measure(client, target, args.requests, args.warmup,
                                  args.deep_pages, write_ids, pid)
                load_after = load_average()
        print()
        print(report(db_info, seeded, stored, args.entries_per_source, results, analyzed,
                     (load_before, load_after)))
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

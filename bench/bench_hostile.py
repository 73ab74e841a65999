"""Peak memory of a scan and of a browse of each hostile repository (tests/hostile.py).

    python bench/bench_hostile.py [--files 300] [--size-mb 10] [--only NAME] [--code DIR]

Each repository is built with `git fast-import`, then measured in two child processes: one
scans it as the service does (git reader, detection, merge into SQLite), the next browses
every entry as a person would through the API's services: every page of its file listing,
then every file's view. Each child prints its peak resident set (ru_maxrss; the git
processes it starts are not counted, as in bench_scan.py) and runs under a 4 GiB address
space limit, so a regression fails instead of taking the machine down. Prints a Markdown
table for the README. `--code DIR` measures the `skillmeat` package found in DIR instead
(`git archive <commit> skillmeat | tar -x -C DIR`): the same repositories, older code.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if os.environ.get("SKILLMEAT_BENCH_CODE"):  # --code: the package under test comes from there
    sys.path.insert(0, os.environ["SKILLMEAT_BENCH_CODE"])
import skillmeat  # noqa: E402, F401 - first: every later import takes this package's modules
from bench.bench_scan import local_source  # noqa: E402
from skillmeat.cache.db import Database  # noqa: E402
from skillmeat.cache.models import MarketplaceCatalogEntry  # noqa: E402
from skillmeat.config import Settings  # noqa: E402
from skillmeat.core.cursor import CursorCodec  # noqa: E402
from skillmeat.core.marketplace import browsing  # noqa: E402
from skillmeat.core.marketplace.scanning import scan_source  # noqa: E402
from tests.gitrepo import fast_commit  # noqa: E402
from tests.hostile import compressible, deep_json, dot_git, yaml_bombs  # noqa: E402

TARGET_MB = 300
ADDRESS_LIMIT = 4 << 30


def repositories(files: int, size: int) -> dict[str, Callable[[], Iterable[tuple[str, bytes]]]]:
    return {
        "YAML alias bombs in every markdown type, a 900 KB frontmatter":
            lambda: yaml_bombs().items(),
        "JSON nested 500,000 deep in every config type, a 1.4 MB .mcp.json":
            lambda: deep_json(500_000).items(),
        ".git in 9 spellings (config with core.fsmonitor, gitdir file)":
            lambda: dot_git().items(),
        f"{files} compressible files of {size >> 20} MB in one skill":
            lambda: compressible(files, size),
    }


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scan_child(repo: Path, work: Path) -> dict[str, object]:
    db, settings, source_id = local_source(repo, work)
    started = time.perf_counter()
    report = scan_source(db, settings, source_id)
    return {"peak": peak_mb(), "seconds": time.perf_counter() - started,
            "artifacts": report.artifacts, "problems": len(report.problems)}


def browse_child(work: Path) -> dict[str, object]:
    db = Database(f"sqlite:///{work / 'scan.db'}")
    settings = Settings(data_dir=work / "data", allow_local_sources=True)
    codec = CursorCodec(b"bench")
    with db.session(write=False) as s:
        entries = [(e.source_id, e.id) for e in s.query(MarketplaceCatalogEntry)]
    listed = viewed = 0
    slowest = 0.0
    started = time.perf_counter()
    for source_id, entry_id in entries:
        cursor, paths = None, []
        while True:
            try:
                listing = browsing.list_files(db, settings, codec, source_id, entry_id,
                                              cursor=cursor)
                items, cursor = listing.page.items, listing.page.next_cursor
            except TypeError:  # --code older than paged listings: one listing of every file
                old = browsing.list_files(db, settings, source_id, entry_id)  # type: ignore
                items, cursor = old.files, None  # type: ignore[attr-defined]
            paths += [m.path for m in items if m.problem is None]
            listed += 1
            if cursor is None:
                break
        for path in paths:
            clock = time.perf_counter()
            browsing.read_file(db, settings, source_id, entry_id, path)
            slowest = max(slowest, time.perf_counter() - clock)
            viewed += 1
    return {"peak": peak_mb(), "seconds": time.perf_counter() - started, "pages": listed,
            "views": viewed, "slowest_view_ms": slowest * 1000,
            "blob_cache_mb": _size_mb(work / "data" / "blob-cache"),
            "git_cache_mb": _size_mb(work / "data" / "git-cache")}


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def _child(code: Path | None, *args: str) -> dict[str, object]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_LIMIT, ADDRESS_LIMIT))

    env = {**os.environ, "SKILLMEAT_BENCH_CODE": str(code.resolve())} if code else None
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          preexec_fn=limit, env=env)
    if proc.returncode != 0:
        return {"failed": proc.stderr.strip().splitlines()[-1] if proc.stderr else "died"}
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _cell(result: dict[str, object], key: str = "peak") -> str:
    if "failed" in result:
        return f"failed: {result['failed'][:60]}"
    return f"{result[key]:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--size-mb", type=int, default=10)
    parser.add_argument("--only", help="measure the repositories whose name contains this")
    parser.add_argument("--code", type=Path, help="measure the skillmeat package in this folder")
    parser.add_argument("--scan-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--browse-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scan_child:
        print(json.dumps(scan_child(args.scan_child, args.work)))
        return
    if args.browse_child:
        print(json.dumps(browse_child(args.work)))
        return

    rows = []
    for name, files in repositories(args.files, args.size_mb << 20).items():
        if args.only and args.only not in name:
            continue
        with tempfile.TemporaryDirectory(prefix="skillmeat-hostile-") as tmp:
            repo, work = Path(tmp) / "repo", Path(tmp) / "work"
            work.mkdir()
            started = time.perf_counter()
            fast_commit(repo, files())
            built = time.perf_counter() - started
            scan = _child(args.code, "--scan-child", str(repo), "--work", str(work))
            browse = _child(args.code, "--browse-child", "--work", str(work))
            shutil.rmtree(repo)
        rows.append((name, built, scan, browse))
        print(f"measured {name}: scan {scan}, browse {browse}", file=sys.stderr)

    print("\n| hostile repository | scan: peak RSS MB | browse: peak RSS MB | target |")
    print("|---|---:|---:|---:|")
    for name, _built, scan, browse in rows:
        print(f"| {name} | {_cell(scan)} | {_cell(browse)} | ≤ {TARGET_MB} MB |")
    print("\n| hostile repository | scan s | artifacts | problems | pages | views | slowest "
          "view ms | blob cache MB | git cache MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, _built, scan, browse in rows:
        if "failed" in scan or "failed" in browse:
            continue
        print(f"| {name} | {scan['seconds']:.1f} | {scan['artifacts']} | {scan['problems']} "
              f"| {browse['pages']} | {browse['views']} | {browse['slowest_view_ms']:.0f} "
              f"| {browse['blob_cache_mb']:.1f} | {browse['git_cache_mb']:.1f} |")


if __name__ == "__main__":
    main()

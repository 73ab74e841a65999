"""Scan benchmarks: detection speed, the rescan merge at 100,000 entries, an unchanged
rescan, and peak memory of detection over a 1,000,000-file tree.

    python bench/bench_scan.py [--entries 100000] [--big-files 1000000]

Prints a Markdown table. SQLite in a temporary directory unless --database-url is given.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_detect import AGENT, COMMAND, HOOKS, MCP, SKILL, synthetic  # noqa: E402
from skillmeat.cache import migrate  # noqa: E402
from skillmeat.cache.db import Database  # noqa: E402
from skillmeat.config import Settings  # noqa: E402
from skillmeat.core.marketplace import sources  # noqa: E402
from skillmeat.core.marketplace.artifacts import DetectedArtifact  # noqa: E402
from skillmeat.core.marketplace.detection import detect  # noqa: E402
from skillmeat.core.marketplace.merge import apply_scan  # noqa: E402
from skillmeat.core.marketplace.scanning import scan_source  # noqa: E402
from skillmeat.core.marketplace.tree import RepoTree, TreeBuilder  # noqa: E402

TYPES = ("skill", "command", "agent", "hook", "mcp_server")


def _artifacts(n: int, version: int = 0, rng: random.Random | None = None
               ) -> list[DetectedArtifact]:
    rng = rng or random.Random(1)
    return [DetectedArtifact(type=TYPES[i % 5], name=f"artifact-{i}", path=f"plugins/p{i}/x{i}",
                             content_hash=f"{i:08x}{version:04x}", confidence=rng.randint(0, 100),
                             score_breakdown={"layout": 40, "frontmatter": 30})
            for i in range(n)]


def bench_detect(files: int) -> float:
    tree, blobs = synthetic(files)

    def read(paths: list[str], limit: int | None) -> dict[str, bytes]:
        return {p: blobs[p][:limit] for p in paths if p in blobs}

    runs = []
    for _ in range(3):
        started = time.perf_counter()
        detect(tree, read)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def bench_merge(db: Database, entries: int) -> tuple[float, float, float]:
    """(first apply, rescan with 10% updated / 1% removed / 1% new, unchanged rescan) seconds."""
    with db.session() as s:
        source_id = sources.create_source(s, "https://github.com/bench/merge").id
    first = _artifacts(entries)
    started = time.perf_counter()
    with db.session() as s:
        apply_scan(s, sources.get_source(s, source_id, lock=True), "aaaa0001", first)
    initial = time.perf_counter() - started

    changed = list(first[: entries * 99 // 100])  # the last 1% disappear
    for i in range(0, len(changed), 10):
        a = changed[i]
        changed[i] = DetectedArtifact(a.type, a.name, a.path, a.content_hash + "ff",
                                      a.confidence, a.score_breakdown)
    changed += _artifacts(entries // 100, version=9)[: entries // 100]
    for i, a in enumerate(changed[-(entries // 100):]):
        a.path = f"new/{i}"
    started = time.perf_counter()
    with db.session() as s:
        apply_scan(s, sources.get_source(s, source_id, lock=True), "aaaa0002", changed)
    rescan = time.perf_counter() - started
    started = time.perf_counter()
    with db.session() as s:
        apply_scan(s, sources.get_source(s, source_id, lock=True), "aaaa0003", changed)
    same = time.perf_counter() - started
    return initial, rescan, same


def bench_unchanged(db: Database, work: Path) -> list[float]:
    repo = work / "repo"
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.invalid",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.invalid"}
    (repo / "skills/pdf").mkdir(parents=True)
    (repo / "skills/pdf/SKILL.md").write_text("---\nname: pdf\ndescription: PDF tools.\n---\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env)
    settings = Settings(data_dir=work / "data", allow_local_sources=True)
    with db.session() as s:
        source_id = sources.create_source(s, str(repo)).id
    scan_source(db, settings, source_id)
    times = []
    for _ in range(30):
        started = time.perf_counter()
        outcome = scan_source(db, settings, source_id)
        times.append(time.perf_counter() - started)
        assert outcome.already_scanned
    return times


def _lazy_content(path: str) -> bytes:
    """The bytes bench_detect.synthetic() gives `path`, computed instead of stored."""
    name = path.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0].encode()
    if name == "plugin.json":
        plugin = path.split("/")[2]
        return json.dumps({"name": plugin, "version": "1.0.0",
                           "agents": ["./extra/helper.md"]}).encode()
    if name == "marketplace.json":
        return _MARKETPLACE[0]
    if path.endswith("/extra/helper.md"):
        return AGENT % (b"helper", b"extra")
    if name == "hooks.json":
        return HOOKS
    if name == ".mcp.json":
        return MCP
    if "/commands/" in path:
        return COMMAND % (stem, stem)
    if "/agents/" in path:
        return AGENT % (stem, stem)
    if name == "SKILL.md":
        return SKILL % (path.split("/")[-2].encode(), b"x")
    return {".md": b"# Doc\n", ".py": b"x = 1\n"}.get(name[-3:], b"{}")


_MARKETPLACE: list[bytes] = []


def _plugin_paths(root: str) -> list[str]:
    """The files of one plugin, laid out as bench_detect.synthetic() lays them out."""
    paths = [f"{root}/.claude-plugin/plugin.json", f"{root}/extra/helper.md",
             f"{root}/README.md", f"{root}/hooks/hooks.json", f"{root}/.mcp.json"]
    for i in range(3):
        paths += [f"{root}/commands/ns/cmd-{i}.md", f"{root}/agents/agent-{i}.md"]
    for i in range(2):
        skill = f"{root}/skills/skill-{i}"
        paths += [f"{skill}/SKILL.md", *(f"{skill}/references/ref-{j}.md" for j in range(5)),
                  f"{skill}/scripts/run.py"]
    paths += [f"{root}/src/pkg/module_{i}.py" for i in range(30)]
    paths += [f"{root}/src/pkg/data_{i}.json" for i in range(30)]
    paths += [f"{root}/docs/page-{i}.md" for i in range(10)]
    paths += [f"{root}/tests/fixtures/case-{i}.json" for i in range(10)]
    return paths


def lazy_tree(files: int) -> RepoTree:
    """A tree of `files` blobs built entry by entry, as a reader builds one: no file
    contents are ever held."""
    tree = TreeBuilder()
    dirs: set[str] = set()
    n = 0
    while len(tree) < files:
        for path in _plugin_paths(f"plugins/group-{n % 50}/plugin-{n}"):
            tree.add(path, "blob", hashlib.sha1(path.encode()).hexdigest(), 64)
            head = path.rsplit("/", 1)[0]
            while head not in dirs:
                dirs.add(head)
                if "/" not in head:
                    break
                head = head.rsplit("/", 1)[0]
        n += 1
    plugins = [{"name": f"plugin-{i}", "source": f"./plugins/group-{i % 50}/plugin-{i}"}
               for i in range(n)]
    _MARKETPLACE[:] = [json.dumps({"plugins": plugins}).encode()]
    tree.add(".claude-plugin/marketplace.json", "blob", "f" * 40, 64)
    dirs.add(".claude-plugin")
    for d in dirs:
        tree.add(d, "tree", hashlib.sha1(d.encode()).hexdigest())
    return tree.build("0" * 40)


def monorepo_tree(files: int) -> RepoTree:
    """A code-heavy repository: `files` source files in deep packages, plus a `.claude/`
    folder and a skills folder with a few hundred artifacts (contents read on demand)."""
    tree = TreeBuilder()
    dirs: set[str] = {".claude", ".claude/commands", ".claude/agents", "skills"}
    for i in range(100):
        tree.add(f".claude/commands/c{i}.md", "blob", f"{i:040x}", 64)
        tree.add(f".claude/agents/a{i}.md", "blob", f"{i + 1000:040x}", 64)
        tree.add(f"skills/skill-{i}/SKILL.md", "blob", f"{i + 2000:040x}", 64)
        dirs.add(f"skills/skill-{i}")
    n = 0
    while len(tree) < files:
        folder = f"services/svc-{n // 1000}/src/pkg-{n // 50}"
        dirs.update((f"services/svc-{n // 1000}", f"services/svc-{n // 1000}/src", folder))
        for j in range(20):
            tree.add(f"{folder}/module_{n}_{j}.py", "blob",
                     hashlib.sha1(f"{n}/{j}".encode()).hexdigest(), 64)
        n += 1
    dirs.add("services")
    for d in dirs:
        tree.add(d, "tree", hashlib.sha1(d.encode()).hexdigest())
    return tree.build("0" * 40)


def peak_memory_child(files: int, shape: str) -> None:
    """In a child process: hold a `files`-file tree (contents are read on demand, as a scan
    reads them from its repository), run detection, print peak RSS in MiB."""
    _MARKETPLACE[:] = [b'{"plugins": []}']
    tree = lazy_tree(files) if shape == "marketplace" else monorepo_tree(files)
    gc.collect()

    def read(paths: list[str], limit: int | None) -> dict[str, bytes]:
        return {p: _lazy_content(p)[:limit] for p in paths}

    found = detect(tree, read)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak:.0f} {len(tree)} {len(found)}")


def local_source(repo: Path, work: Path) -> tuple[Database, Settings, str]:
    """A new SQLite catalog in `work` with one source for the local repository `repo`."""
    url = f"sqlite:///{work / 'scan.db'}"
    migrate.upgrade(url)
    db = Database(url)
    settings = Settings(data_dir=work / "data", allow_local_sources=True)
    with db.session() as s:
        source_id = sources.create_source(s, str(repo)).id
    return db, settings, source_id


def scan_memory_child(repo: Path, work: Path) -> None:
    """In a child process: scan the git repository at `repo` as the service does (git
    reader, detection, merge into a fresh SQLite catalog), then once more with the whole
    catalog to compare against (as after a detector upgrade). Prints the peak RSS in MiB
    after each, the tree size, the artifacts found and the seconds each scan took.

    Only this process is measured: the git processes a scan starts stream their output
    and stay small (about 15 MB each here under /usr/bin/time); RUSAGE_CHILDREN would
    count the parent's pages each fork copies, not what git itself uses."""
    db, settings, source_id = local_source(repo, work)
    gc.collect()
    started = time.perf_counter()
    outcome = scan_source(db, settings, source_id)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with db.session() as s:
        sources.get_source(s, source_id).detector_version = None  # forces a full rescan
    started = time.perf_counter()
    again = scan_source(db, settings, source_id)
    rescan_seconds = time.perf_counter() - started
    assert again.unchanged == outcome.artifacts, again
    rescan_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    files = _count_entries(repo)
    print(f"{peak:.0f} {rescan_peak:.0f} {files} {outcome.artifacts} {seconds:.1f} "
          f"{rescan_seconds:.1f}")


def _count_entries(repo: Path) -> int:
    """Files and folders at HEAD, counted from a stream (after the peak was taken)."""
    with subprocess.Popen(["git", "-C", str(repo), "ls-tree", "-r", "-t", "-z", "--name-only",
                           "HEAD"], stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        return sum(chunk.count(b"\0") for chunk in iter(lambda: proc.stdout.read(1 << 20), b""))


def real_scan_peaks(files: int, work: Path) -> dict[str, list[str]]:
    """Peak memory of a real scan of a `files`-file git repository, per shape."""
    from bench.big_repo import build_repo  # imports this module: load it only when used

    peaks = {}
    for shape in ("monorepo", "marketplace"):
        repo = work / f"repo-{shape}"
        build_repo(repo, files, shape)
        child = subprocess.run([sys.executable, __file__, "--scan-child", str(repo),
                                "--work", str(work / f"scan-{shape}")],
                               capture_output=True, text=True, check=True)
        peaks[shape] = child.stdout.split()
        shutil.rmtree(repo)
    return peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--detect-files", type=int, default=100_000)
    parser.add_argument("--big-files", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--shape", default="marketplace", help=argparse.SUPPRESS)
    parser.add_argument("--scan-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        peak_memory_child(args.memory_child, args.shape)
        return
    if args.scan_child:
        args.work.mkdir(parents=True)
        scan_memory_child(args.scan_child, args.work)
        return

    with tempfile.TemporaryDirectory(prefix="skillmeat-bench-") as tmp:
        work = Path(tmp)
        url = args.database_url or f"sqlite:///{work / 'bench.db'}"
        migrate.upgrade(url)
        db = Database(url)
        detect_s = bench_detect(args.detect_files)
        initial, rescan, same = bench_merge(db, args.entries)
        unchanged = sorted(bench_unchanged(db, work))
        peaks = {}
        for shape in ("monorepo", "marketplace"):
            child = subprocess.run([sys.executable, __file__, "--memory-child",
                                    str(args.big_files), "--shape", shape],
                                   capture_output=True, text=True, check=True)
            peaks[shape] = child.stdout.split()
        scans = real_scan_peaks(args.big_files, work)
        db.dispose()

    n = f"{args.entries:,}"
    print(f"\nbackend: {db.engine.dialect.name}; {os.cpu_count()} cores\n")
    print("| measurement | result | target |")
    print("|---|---:|---:|")
    print(f"| detection, synthetic {args.detect_files:,}-file tree (median of 3) "
          f"| {detect_s:.2f} s | ≤ 1 s |")
    print(f"| merge: first scan of {n} artifacts | {initial:.2f} s | seconds |")
    print(f"| merge: rescan of {n} (10% updated, 1% removed, 1% new) "
          f"| {rescan:.2f} s | ≤ 5 s |")
    print(f"| merge: rescan of {n}, nothing changed | {same:.2f} s | |")
    print(f"| unchanged rescan (same commit), p50 / max of 30 "
          f"| {statistics.median(unchanged) * 1000:.0f} / {unchanged[-1] * 1000:.0f} ms "
          f"| ≤ 50 ms |")
    for shape, (peak_mb, big_entries, big_found) in peaks.items():
        print(f"| peak memory, detection only, synthetic {shape} tree: "
              f"{int(big_entries):,} entries, {int(big_found):,} artifacts "
              f"| {peak_mb} MB | ≤ 500 MB |")
    for shape, (peak, rescan_peak, entries, found, secs, rescan_secs) in scans.items():
        print(f"| peak memory, real scan of a {shape} git repository: {int(entries):,} "
              f"entries, {int(found):,} artifacts; first scan / full rescan "
              f"({secs} s / {rescan_secs} s) | {peak} / {rescan_peak} MB | ≤ 500 MB |")


if __name__ == "__main__":
    main()

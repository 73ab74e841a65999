"""Time detect() on a synthetic 100,000-file repository read from memory.

    python bench/bench_detect.py [--files 100000] [--runs 3]

The tree mixes plugins (manifests, commands, agents, skills with resources, hooks, MCP
configs) with ordinary source files and docs, listed in a marketplace, so every rule runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Iterable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skillmeat.core.marketplace.detection import detect  # noqa: E402
from skillmeat.core.marketplace.tree import RepoTree, TreeEntry  # noqa: E402

AGENT = b"---\nname: %s\ndescription: Use this agent for %s work.\ntools: Read, Grep\n---\nBody\n"
COMMAND = b"---\ndescription: Run %s\nallowed-tools: Bash\n---\nDo $ARGUMENTS for %s\n"
SKILL = b"---\nname: %s\ndescription: Helps with %s tasks.\n---\n# Skill\n"
HOOKS = b'{"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command"}]}]}}'
MCP = b'{"mcpServers": {"srv": {"command": "npx", "args": ["srv"]}}}'


def synthetic(files: int) -> tuple[RepoTree, dict[str, bytes]]:
    """A marketplace of plugins, about 100 files each, until `files` blobs exist."""
    blobs: dict[str, bytes] = {}
    n = 0
    while len(blobs) < files:
        root = f"plugins/group-{n % 50}/plugin-{n}"
        blobs[f"{root}/.claude-plugin/plugin.json"] = json.dumps(
            {"name": f"plugin-{n}", "version": "1.0.0", "agents": ["./extra/helper.md"]}
        ).encode()
        blobs[f"{root}/extra/helper.md"] = AGENT % (b"helper", b"extra")
        blobs[f"{root}/README.md"] = b"# Plugin\n"
        blobs[f"{root}/hooks/hooks.json"] = HOOKS
        blobs[f"{root}/.mcp.json"] = MCP
        for i in range(3):
            name = f"cmd-{i}".encode()
            blobs[f"{root}/commands/ns/cmd-{i}.md"] = COMMAND % (name, name)
            blobs[f"{root}/agents/agent-{i}.md"] = AGENT % (f"agent-{i}".encode(), name)
        for i in range(2):
            skill = f"{root}/skills/skill-{i}"
            blobs[f"{skill}/SKILL.md"] = SKILL % (f"skill-{i}".encode(), b"x")
            for j in range(5):
                blobs[f"{skill}/references/ref-{j}.md"] = b"# Reference\n"
            blobs[f"{skill}/scripts/run.py"] = b"print('x')\n"
        for i in range(30):
            blobs[f"{root}/src/pkg/module_{i}.py"] = b"x = 1\n"
            blobs[f"{root}/src/pkg/data_{i}.json"] = b"{}"
        for i in range(10):
            blobs[f"{root}/docs/page-{i}.md"] = b"# Doc\n"
            blobs[f"{root}/tests/fixtures/case-{i}.json"] = b'{"hooks": {}}'
        n += 1
    plugins = [{"name": f"plugin-{i}", "source": f"./plugins/group-{i % 50}/plugin-{i}"}
               for i in range(n)]  # fmt: skip
    blobs[".claude-plugin/marketplace.json"] = json.dumps({"plugins": plugins}).encode()
    return RepoTree(commit="0" * 40, entries=_entries(blobs)), blobs


def _entries(blobs: Mapping[str, bytes]) -> list[TreeEntry]:
    dirs: set[str] = set()
    entries = []
    for path, data in blobs.items():
        entries.append(TreeEntry(path, "blob", hashlib.sha1(data).hexdigest(), len(data)))
        parts = path.split("/")
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
    entries += [TreeEntry(d, "tree", hashlib.sha1(d.encode()).hexdigest(), None) for d in dirs]
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    tree, blobs = synthetic(args.files)
    calls: list[int] = []

    def read(paths: Iterable[str], limit: int | None) -> Mapping[str, bytes]:
        wanted = list(paths)
        calls.append(len(wanted))
        return {p: blobs[p][:limit] if limit else blobs[p] for p in wanted if p in blobs}

    times = []
    for _ in range(args.runs):
        calls.clear()
        started = time.perf_counter()
        found = detect(tree, read)
        times.append(time.perf_counter() - started)
    read_calls, read_blobs = len(calls), sum(calls)
    tracemalloc.start()
    detect(tree, read)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    blob_count = sum(1 for e in tree.entries if e.type == "blob")
    print(
        f"{blob_count} files, {len(tree.entries)} tree entries: {len(found)} artifacts, "
        f"{read_calls} read calls ({read_blobs} blobs); detect median "
        f"{statistics.median(times):.3f}s (min {min(times):.3f}s); peak memory "
        f"{peak / 2**20:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

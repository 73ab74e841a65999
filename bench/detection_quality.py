"""Detection quality on the labeled corpus: precision, recall and F1 per repository.

Each snapshot becomes a temporary git repository, is read through GitReader and scanned by
detect(); detections shown in listings (confidence >= 30) are matched to labels on (type, path).
Uncertain labels count neither way. The fixture repositories of bench/fixture_repos.py are
scored the same way, and precision on repositories with no Claude Code signal is reported on
its own: there, anything listed is a false positive that floods a catalog.

    python bench/detection_quality.py [--verbose] [--all] [--repo NAME]

The corpus is found at ../shared/corpus from the repository root, or at $SKILLMEAT_CORPUS_DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixture_repos import FIXTURES, Fixture  # noqa: E402
from plugin_quality import f1, plugin_table, score_plugins  # noqa: E402
from snapshot_git import build_repo  # noqa: E402

from skillmeat.core.marketplace.artifacts import DetectedArtifact  # noqa: E402
from skillmeat.core.marketplace.detection import detect, repository_signal  # noqa: E402
from skillmeat.core.marketplace.readers.git import GitReader  # noqa: E402
from skillmeat.core.marketplace.vocabulary import CONFIDENCE_THRESHOLD as VISIBLE  # noqa: E402
from skillmeat.core.marketplace.vocabulary import ArtifactType  # noqa: E402

# Member types: the labels name these. Plugins are scored on their own (bench/plugin_quality.py).
ARTIFACT_TYPES = tuple(t for t in ArtifactType if t != ArtifactType.PLUGIN)
TARGET_OVERALL, TARGET_REPO = 0.97, 0.90
TARGET_PLUGIN_MEMBERS = 0.97  # every listed plugin must be an entry; members F1 at least this
Key = tuple[str, str]
# Corpus repositories a person judged to show no sign of being meant for Claude Code. They hold
# no artifacts (the first is labeled so; the second is unlabeled, and its only look-alikes are
# CLI documentation pages, which the corpus rules call no artifact), so whatever a listing
# shows there is a false positive. The fixtures carry their own judgment (`no_signal`).
NO_SIGNAL_CORPUS = {
    "e2b-dev/awesome-ai-agents": "a list of AI agent products: no .claude/ folder, manifest, "
    "skill, install instructions or mention of Claude Code",
    "gopasspw/gopass": "a password manager CLI whose docs/commands/ pages document the CLI; "
    "nothing in it is meant for Claude Code",
}


def corpus_dir() -> Path:
    override = os.environ.get("SKILLMEAT_CORPUS_DIR")
    return Path(override) if override else ROOT.parent / "shared" / "corpus"


@dataclass
class Result:
    repo: str
    files: int
    seconds: float
    detected: list[DetectedArtifact]
    signal: str = ""  # the detector's own reading: "none", "weak" or "strong"
    labels: set[Key] = field(default_factory=set)
    uncertain: set[Key] = field(default_factory=set)
    manifests: dict[str, str] = field(default_factory=dict)  # .claude-plugin/*.json texts
    folders: set[str] = field(default_factory=set)

    @property
    def shown(self) -> set[Key]:
        return {
            (a.type, a.path)
            for a in self.detected
            if a.confidence >= VISIBLE and a.type in ARTIFACT_TYPES
        }

    @property
    def tp(self) -> set[Key]:
        return (self.shown & self.labels) - self.uncertain

    @property
    def fp(self) -> set[Key]:
        return self.shown - self.labels - self.uncertain

    @property
    def fn(self) -> set[Key]:
        return self.labels - self.shown - self.uncertain


def scores(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1; an empty side counts as perfect (a negative repo found empty)."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def scan(snapshot: dict[str, Any], workdir: Path) -> tuple[list[DetectedArtifact], float, str]:
    """Build the snapshot's repository, then time reading and detection through GitReader."""
    repo = workdir / "repo"
    build_repo(snapshot, repo)
    started = time.perf_counter()
    reader = GitReader(str(repo), None, workdir / "cache")
    try:
        commit = reader.resolve()
        tree = reader.tree(commit)
        found = detect(tree, lambda paths, limit: reader.read(commit, paths, limit))
        seconds = time.perf_counter() - started
        signal = repository_signal(tree, lambda paths, limit: reader.read(commit, paths, limit))
    finally:
        reader.close()
    return found, seconds, signal.strength


def evaluate(snapshot: dict[str, Any], labels: dict[str, Any] | None) -> Result:
    with tempfile.TemporaryDirectory(prefix="skillmeat-corpus-") as tmp:
        found, seconds, signal = scan(snapshot, Path(tmp))
    result = Result(snapshot["repo"], len(snapshot["files"]), seconds, found, signal)
    result.manifests = {
        p: t
        for p, t in snapshot.get("contents", {}).items()
        if "/.claude-plugin/" in f"/{p}" and p.endswith(".json")
    }
    if result.manifests:
        result.folders = {
            f["path"].rsplit("/", 1)[0] for f in snapshot["files"] if "/" in f["path"]
        }
        result.folders |= {
            f.rsplit("/", i)[0] for f in result.folders for i in range(1, f.count("/") + 1)
        }
    for item in (labels or {}).get("artifacts", ()):
        key = (item["type"], item["path"])
        (result.uncertain if item.get("uncertain") else result.labels).add(key)
    return result


def evaluate_file(snapshot_path: Path, labels_path: Path | None) -> Result:
    labels = json.loads(labels_path.read_text()) if labels_path is not None else None
    return evaluate(json.loads(snapshot_path.read_text()), labels)


def evaluate_fixtures(names: list[str] | None) -> list[tuple[Fixture, Result]]:
    out = []
    for fixture in FIXTURES:
        if names and not any(name in fixture.repo for name in names):
            continue
        labels = {"artifacts": [{"type": t, "path": p} for t, p in sorted(fixture.artifacts)]}
        out.append((fixture, evaluate(fixture.snapshot(), labels)))
    return out


def quality_table(results: list[Result]) -> str:
    lines = [
        "| repository | signal | files | labels | shown | TP | FP | FN | precision | recall | F1 "
        "| secs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    totals: Counter[str] = Counter()
    for r in results:
        tp, fp, fn = len(r.tp), len(r.fp), len(r.fn)
        totals.update(tp=tp, fp=fp, fn=fn, labels=len(r.labels), shown=len(r.shown))
        p, rc, f1 = scores(tp, fp, fn)
        lines.append(
            f"| {r.repo} | {r.signal} | {r.files} | {len(r.labels)} | {len(r.shown)} | {tp} "
            f"| {fp} | {fn} | {p:.3f} | {rc:.3f} | {f1:.3f} | {r.seconds:.2f} |"
        )
    p, rc, f1 = scores(totals["tp"], totals["fp"], totals["fn"])
    lines.append(
        f"| **overall (micro)** | | {sum(r.files for r in results)} | {totals['labels']} "
        f"| {totals['shown']} | {totals['tp']} | {totals['fp']} | {totals['fn']} "
        f"| {p:.3f} | {rc:.3f} | **{f1:.3f}** | {sum(r.seconds for r in results):.2f} |"
    )
    return "\n".join(lines)


def no_signal_table(results: list[tuple[str, Result]]) -> str:
    """Repositories with no Claude Code signal: what was weighed, held back, and listed."""
    lines = [
        "| repository | from | signal | files | candidates | hidden | shown | FP | precision |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    totals: Counter[str] = Counter()
    for origin, r in results:
        hidden = sum(1 for a in r.detected if a.confidence < VISIBLE)
        tp, fp = len(r.tp), len(r.fp)
        totals.update(
            files=r.files, found=len(r.detected), hidden=hidden, shown=len(r.shown), tp=tp, fp=fp
        )
        lines.append(
            f"| {r.repo} | {origin} | {r.signal} | {r.files} | {len(r.detected)} | {hidden} "
            f"| {len(r.shown)} | {fp} | {scores(tp, fp, 0)[0]:.3f} |"
        )
    lines.append(
        f"| **all without signal** | | | {totals['files']} | {totals['found']} "
        f"| {totals['hidden']} | {totals['shown']} | {totals['fp']} "
        f"| **{scores(totals['tp'], totals['fp'], 0)[0]:.3f}** |"
    )
    return "\n".join(lines)


def counts_table(results: list[Result]) -> str:
    head = " | ".join(ARTIFACT_TYPES)
    lines = [
        f"| repository | files | {head} | hidden | seconds |",
        "|---|---:|" + "---:|" * (len(ARTIFACT_TYPES) + 2),
    ]
    for r in results:
        shown = Counter(a.type for a in r.detected if a.confidence >= VISIBLE)
        hidden = sum(1 for a in r.detected if a.confidence < VISIBLE)
        cells = " | ".join(str(shown[t]) for t in ARTIFACT_TYPES)
        lines.append(f"| {r.repo} | {r.files} | {cells} | {hidden} | {r.seconds:.2f} |")
    return "\n".join(lines)


def details(result: Result) -> str:
    by_key = {(a.type, a.path): a for a in result.detected}
    out = [f"\n### {result.repo}"]
    for title, keys in (("false positives", result.fp), ("false negatives", result.fn)):
        for key in sorted(keys):
            found = by_key.get(key)
            why = f" conf={found.confidence} {found.score_breakdown}" if found else ""
            out.append(f"- {title[:5]} {key[0]:<10} {key[1]}{why}")
    return "\n".join(out)


def _has_plugin(snapshot: Path) -> bool:
    """Whether a corpus snapshot holds a plugin or marketplace manifest (read as text)."""
    text = snapshot.read_text()
    return '.claude-plugin/plugin.json"' in text or '.claude-plugin/marketplace.json"' in text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list false positives/negatives")
    parser.add_argument("--all", action="store_true", help="also count unlabeled repositories")
    parser.add_argument("--repo", action="append", help="only repositories containing this")
    args = parser.parse_args(argv)

    corpus = corpus_dir()
    if not (corpus / "repos").is_dir():
        print(f"corpus not found at {corpus} (set SKILLMEAT_CORPUS_DIR)", file=sys.stderr)
        return 2
    labeled, unlabeled, no_signal = [], [], []
    for snapshot in sorted((corpus / "repos").glob("*.json")):
        if args.repo and not any(name in snapshot.stem for name in args.repo):
            continue
        labels = corpus / "labels" / snapshot.name
        repo_name = snapshot.stem.replace("__", "/", 1)
        if labels.exists():
            labeled.append(result := evaluate_file(snapshot, labels))
        elif args.all or repo_name in NO_SIGNAL_CORPUS or _has_plugin(snapshot):
            unlabeled.append(result := evaluate_file(snapshot, None))
        else:
            continue
        if repo_name in NO_SIGNAL_CORPUS:
            no_signal.append(("corpus", result))
    pairs = evaluate_fixtures(args.repo)
    fixtures = [result for _, result in pairs]
    no_signal += [("fixture", result) for fixture, result in pairs if fixture.no_signal]

    ok = True
    for title, results in (("Labeled corpus", labeled), ("Fixture repositories", fixtures)):
        if not results:
            continue
        print(f"\n{title}:\n\n{quality_table(results)}")
        ok = ok and all(scores(len(r.tp), len(r.fp), len(r.fn))[2] >= TARGET_REPO for r in results)
        if args.verbose:
            print("".join(details(r) for r in results if r.fp or r.fn))
    if labeled:
        totals = [sum(len(getattr(r, k)) for r in labeled) for k in ("tp", "fp", "fn")]
        ok = ok and scores(*totals)[2] >= TARGET_OVERALL
    plugins = [
        p
        for r in labeled
        if (p := score_plugins(r.repo, r.manifests, r.folders, r.labels | r.uncertain, r.detected))
        is not None
    ]
    plugins += [
        p
        for r in unlabeled
        if (p := score_plugins(r.repo, r.manifests, r.folders, None, r.detected)) is not None
    ]
    if plugins:
        print(
            f"\nPlugins (repositories with a marketplace.json or plugin.json):\n\n"
            f"{plugin_table(plugins)}"
        )
        ok = ok and all(p.found == p.expected and not p.extra for p in plugins)
        members = sum((p.members for p in plugins), Counter())
        ok = ok and bool(members) and f1(members) >= TARGET_PLUGIN_MEMBERS
        if args.verbose:
            print("\n".join(f"- {p.repo}: {m}" for p in plugins for m in p.misses))
    if no_signal:
        print(f"\nRepositories with no Claude Code signal:\n\n{no_signal_table(no_signal)}")
        ok = ok and not any(r.fp for _, r in no_signal)
    listed = [r for r in unlabeled if args.all]
    if listed:
        print("\nUnlabeled repositories (detections shown in listings, per type):\n")
        print(counts_table(listed))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

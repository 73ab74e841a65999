"""The benchmark's git repositories hold the trees its in-memory builders describe, so the
real-scan memory figures measure the same detection work as the synthetic ones."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench import bench_scan  # noqa: E402
from bench.big_repo import build_repo  # noqa: E402
from skillmeat.core.marketplace.detection import detect  # noqa: E402
from skillmeat.core.marketplace.readers.git import GitReader  # noqa: E402


@pytest.mark.parametrize("shape", ["marketplace", "monorepo"])
def test_git_repository_matches_the_synthetic_tree(tmp_path: Path, shape: str) -> None:
    files = 2500
    commit, count = build_repo(tmp_path / "repo", files, shape)
    with GitReader(str(tmp_path / "repo"), None, tmp_path / "cache") as reader:
        assert reader.resolve() == commit
        tree = reader.tree(commit)
        found = detect(tree, lambda paths, limit: reader.read(commit, paths, limit))

    synthetic = (bench_scan.lazy_tree if shape == "marketplace" else bench_scan.monorepo_tree)(
        files)
    expected = detect(synthetic, lambda paths, limit: {
        p: bench_scan._lazy_content(p)[:limit] for p in paths})
    assert list(tree.paths) == list(synthetic.paths)
    assert sum(tree.is_file(i) for i in range(len(tree))) == count
    assert [(a.type, a.path, a.name) for a in found] == [
        (a.type, a.path, a.name) for a in expected]
    assert len(found) > 0

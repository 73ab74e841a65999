"""Detection quality on the shared corpus is held to its targets, so a rule change that
loses precision or recall on real repositories fails the suite."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import detection_quality as quality  # noqa: E402 - a script beside its helper modules


def test_corpus_quality_meets_targets(capsys: pytest.CaptureFixture[str]) -> None:
    if not (quality.corpus_dir() / "repos").is_dir():
        pytest.skip("the shared corpus is not next to the repository")
    assert quality.main([]) == 0, capsys.readouterr().out
    # The plugin measurement is part of it: every plugin Claude Code lists is an entry.
    assert "Plugins (repositories with a marketplace.json or plugin.json)" in \
        capsys.readouterr().out

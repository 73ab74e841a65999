"""The pinned Claude Code CLI is usable offline by the suite."""

from __future__ import annotations

from tests.claude_cli import ClaudeCli


def test_pinned_claude_code_runs_offline_with_a_private_home(claude: ClaudeCli) -> None:
    out = claude.run("--version").stdout
    assert "(Claude Code)" in out

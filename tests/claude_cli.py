"""The real Claude Code CLI, for tests that ask it what it accepts and loads.

`.ci/install-claude-code` installs the pinned version into `.cache/claude-code`; set
`SKILLMEAT_CLAUDE_BIN` to use another binary. Without it the tests that need it skip, except
with CI=true, where they fail. Each test runs it with a fresh HOME, so nothing a test installs
is seen by another and nothing of the machine's own configuration is read.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PINNED = ROOT / ".cache" / "claude-code" / "node_modules" / ".bin" / "claude"


def claude_binary() -> Path | None:
    override = os.environ.get("SKILLMEAT_CLAUDE_BIN")
    candidate = Path(override) if override else PINNED
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


@dataclass
class ClaudeCli:
    binary: Path
    home: Path

    def run(self, *args: str, check: bool = True,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = {"HOME": str(self.home), "PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8",
               "NO_COLOR": "1", "CI": "1", "DISABLE_AUTOUPDATER": "1",
               "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
        proc = subprocess.run([str(self.binary), *args], env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"claude {' '.join(args)} exited {proc.returncode}:\n"
                                 f"{proc.stdout}\n{proc.stderr}")
        return proc

    def validate(self, path: Path, *, strict: bool = True) -> dict[str, Any]:
        """`claude plugin validate --json [--strict] PATH` as a dict (exit code in "exit")."""
        args = ["plugin", "validate", "--json", *(["--strict"] if strict else []), str(path)]
        proc = self.run(*args, check=False)
        report: dict[str, Any] = json.loads(proc.stdout)
        report["exit"] = proc.returncode
        return report


@pytest.fixture
def claude(tmp_path: Path) -> ClaudeCli:
    binary = claude_binary()
    if binary is None:
        reason = "Claude Code CLI not installed: run .ci/install-claude-code"
        if IN_CI:
            pytest.fail(f"{reason} (it must run in CI)", pytrace=False)
        pytest.skip(reason)
    home = tmp_path / "claude-home"
    home.mkdir()
    return ClaudeCli(binary, home)

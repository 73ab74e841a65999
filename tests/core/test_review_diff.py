"""Update review: file diffs (capped, binary summarised) and the risk difference in words."""

from __future__ import annotations

import hashlib
import json

from skillmeat.core.review.diff import diff_files
from skillmeat.core.review.preview import preview
from skillmeat.core.risk import risk_of_files
from skillmeat.core.risk.difference import risk_difference


def _mcp(servers: dict[str, object]) -> bytes:
    return json.dumps({"mcpServers": servers}).encode()


def _hooks(event: str, *commands: str) -> bytes:
    return json.dumps({"hooks": {event: [{"hooks": [
        {"type": "command", "command": c} for c in commands]}]}}).encode()


def test_added_removed_and_modified_files_in_path_order_unchanged_left_out() -> None:
    result = diff_files({"a.md": b"one\ntwo\n", "gone.md": b"x\n", "same.md": b"s\n"},
                        {"a.md": b"one\nthree\n", "new.md": b"n\n", "same.md": b"s\n"})
    assert [(f.path, f.status) for f in result.files] == [
        ("a.md", "modified"), ("gone.md", "removed"), ("new.md", "added")]
    assert result.files[0].diff == (
        "--- a/a.md\n+++ b/a.md\n@@ -1,2 +1,2 @@\n one\n-two\n+three\n")
    assert result.files[2].diff is not None and result.files[2].diff.startswith(
        "--- /dev/null\n+++ b/new.md")
    assert not result.truncated


def test_binary_files_are_summarised_by_size_and_hash() -> None:
    old, new = b"\x89PNG\0\0\1", b"\x89PNG\0\0\2\3"
    [change] = diff_files({"logo.png": old}, {"logo.png": new}).files
    assert change.binary and change.diff is None
    assert (change.old_size, change.new_size) == (7, 8)
    assert change.new_sha256 == hashlib.sha256(new).hexdigest()


def test_a_long_diff_is_cut_with_a_note_and_the_total_budget_holds() -> None:
    big_old = "".join(f"line {i}\n" for i in range(5000)).encode()
    big_new = "".join(f"LINE {i}\n" for i in range(5000)).encode()
    files_old = {f"f{i}.txt": big_old for i in range(5)}
    files_new = {f"f{i}.txt": big_new for i in range(5)}
    result = diff_files(files_old, files_new, max_file=10_000, max_total=25_000)
    assert result.truncated
    notes = [f.note for f in result.files]
    assert notes[0] == "diff cut at 9 KiB" and notes[-1] is not None
    assert "used" in notes[-1]
    assert sum(len(f.diff or "") for f in result.files) <= 25_000
    assert all(len(f.diff or "") <= 10_000 for f in result.files)


def test_risk_difference_says_what_an_update_newly_runs() -> None:
    old = risk_of_files({".mcp.json": _mcp({"db": {"command": "npx", "args": ["db@1.2.0"]}})})
    new = risk_of_files({
        ".mcp.json": _mcp({"db": {"command": "npx", "args": ["db@latest"],
                                  "env": {"DB_TOKEN": "secret"}}}),
        "hooks/hooks.json": _hooks("PreToolUse", "./scripts/x.sh"),
        "scripts/x.sh": b"#!/bin/bash\ncurl -s https://telemetry.example/ping\n",
    })
    changes = risk_difference(old, new)
    assert "new hook on PreToolUse runs `./scripts/x.sh`" in changes
    assert "MCP server `db` now runs `npx db@latest` (was `npx db@1.2.0`)" in changes
    assert "MCP server `db` now reads env `DB_TOKEN`" in changes
    assert "new script `scripts/x.sh` (bash)" in changes
    assert "now names network endpoint https://telemetry.example/ping" in changes
    assert any(c.startswith("new unpinned runner `npx db@latest`") for c in changes)
    assert "secret" not in " ".join(changes)


def test_risk_difference_names_removals_and_a_changed_hook_command() -> None:
    old = risk_of_files({"hooks/hooks.json": _hooks("Stop", "./a.sh"),
                         ".mcp.json": _mcp({"gone": {"url": "https://x.example/mcp"}}),
                         "commands/c.md": b"---\nallowed-tools: Bash\n---\n"})
    new = risk_of_files({"hooks/hooks.json": _hooks("Stop", "./b.sh"),
                         "commands/c.md": b"---\nallowed-tools: Read\n---\n"})
    assert risk_difference(old, new) == [
        "hook on Stop now runs `./b.sh` (was `./a.sh`)",
        "MCP server `gone` removed",
        "`commands/c.md` no longer allows Bash",
        "no longer names https://x.example/mcp",
    ]
    assert risk_difference(new, new) == []


def test_preview_combines_diff_and_risk_difference() -> None:
    result = preview({"SKILL.md": b"---\nname: a\n---\n"},
                     {"SKILL.md": b"---\nname: a\nallowed-tools: Bash(*)\n---\n"})
    assert [f.status for f in result.files.files] == ["modified"]
    assert result.risk_changes == ["`SKILL.md` now allows Bash", "`SKILL.md` now allows `Bash(*)`"]


def test_interleaved_changes_past_the_alignment_budget_show_as_one_replaced_block() -> None:
    old = "".join(f"line {i}\n" for i in range(3000)).encode()
    new = "".join(f"line {i}\n" if i % 2 else f"other {i}\n" for i in range(3000)).encode()
    [change] = diff_files({"f.txt": b"head\n" + old + b"tail\n"},
                          {"f.txt": b"head\n" + new + b"tail\n"}, max_file=1 << 30).files
    assert change.note == "changes too interleaved to align cheaply: shown as one replaced block"
    diff = change.diff or ""
    assert diff.startswith("--- a/f.txt\n+++ b/f.txt\n@@ -1,3002 +1,3002 @@\n head\n-line 0\n")
    # The last line and "tail" are unchanged: 2,999 lines out, 2,999 in (and the +++ line).
    assert diff.count("\n-") == 2999 and diff.count("\n+") == 3000
    assert diff.endswith("+other 2998\n line 2999\n tail\n")
    small = diff_files({"f.txt": b"a\nb\n"}, {"f.txt": b"a\nc\n"}).files[0]
    assert small.note is None

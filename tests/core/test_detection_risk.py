"""Scan-time risk: each detected entry carries what it can run, from what detection reads."""

from __future__ import annotations

from skillmeat.core.risk import Risk
from tests.core.memtree import MemRepo, agent, command, skill

PLUGIN = "plugins/guard"


def _repo() -> MemRepo:
    return MemRepo({
        f"{PLUGIN}/.claude-plugin/plugin.json": {"name": "guard", "version": "1.0.0"},
        f"{PLUGIN}/hooks/hooks.json": {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
            {"type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/hooks/check.sh"}]}]}},
        f"{PLUGIN}/hooks/check.sh": "#!/bin/bash\nexit 0\n",
        f"{PLUGIN}/.mcp.json": {"mcpServers": {"db": {
            "command": "npx", "args": ["-y", "db-mcp@latest"], "env": {"DB_TOKEN": "s3cret"}}}},
        f"{PLUGIN}/commands/deploy.md": command(),
        f"{PLUGIN}/agents/reader.md": agent("reader"),
        f"{PLUGIN}/skills/pdf/SKILL.md": skill("pdf"),
        f"{PLUGIN}/skills/pdf/scripts/extract.py": "print(1)\n",
        f"{PLUGIN}/skills/pdf/reference.md": "# Notes\n",
        "skills/plain/SKILL.md": skill("plain"),
    })


def test_each_entry_carries_its_risk_summary_and_structure() -> None:
    found = _repo().by_path()
    hook = found[("hook", f"{PLUGIN}/hooks/hooks.json")]
    assert hook.risk_summary == "1 hook · 1 script"
    assert Risk.from_json(hook.risk).hooks[0].scripts == ["hooks/check.sh"]
    mcp = found[("mcp_server", f"{PLUGIN}/.mcp.json")]
    assert mcp.risk_summary == "1 MCP server · 1 unpinned runner"
    assert Risk.from_json(mcp.risk).mcp_servers[0].env == ["DB_TOKEN"]
    assert "s3cret" not in str(mcp.risk)
    assert found[("command", f"{PLUGIN}/commands/deploy.md")].risk_summary == "Bash"
    reader = Risk.from_json(found[("agent", f"{PLUGIN}/agents/reader.md")].risk)
    assert reader.tools[0].tools == ["Read", "Grep"] and reader.tools[0].where == "reader.md"
    pdf = found[("skill", f"{PLUGIN}/skills/pdf")]
    assert pdf.risk_summary == "1 script"
    assert [e.path for e in Risk.from_json(pdf.risk).executables] == ["scripts/extract.py"]
    plain = found[("skill", "skills/plain")]
    assert plain.risk is None and plain.risk_summary is None


def test_scan_time_risk_reads_no_script() -> None:
    repo = _repo()
    repo.detect()
    read = {path for paths, _limit in repo.calls for path in paths}
    assert not {p for p in read if p.endswith((".sh", ".py"))}


def test_a_plugin_runs_what_its_members_run_with_paths_inside_the_plugin() -> None:
    found = _repo().by_path()
    plugin = Risk.from_json(found[("plugin", PLUGIN)].risk)
    assert [h.event for h in plugin.hooks] == ["PreToolUse"]
    assert plugin.hooks[0].where == "hooks/hooks.json"
    assert [s.name for s in plugin.mcp_servers] == ["db"]
    assert {e.path for e in plugin.executables} >= {"skills/pdf/scripts/extract.py"}
    assert {t.where for t in plugin.tools} >= {"agents/reader.md", "commands/deploy.md"}
    assert "1 hook" in found[("plugin", PLUGIN)].risk_summary
    assert found[("skill", "skills/plain")].plugin_path is None

"""Risk surface: hand-made files and files shaped like the corpus's real plugins."""

from __future__ import annotations

import json

from skillmeat.core.risk import Risk, combine, risk_of_files, summary
from skillmeat.core.risk.model import MAX_ITEMS
from skillmeat.core.risk.shell import language_of, runners, scripts, urls
from skillmeat.core.risk.surface import parse_tools


def _j(data: object) -> bytes:
    return json.dumps(data).encode()


def _hooks(event: str, command: str, matcher: str | None = None) -> bytes:
    group: dict[str, object] = {"hooks": [{"type": "command", "command": command}]}
    if matcher:
        group["matcher"] = matcher
    return _j({"hooks": {event: [group]}})


def test_plugin_hook_names_event_matcher_command_and_the_script_it_calls() -> None:
    risk = risk_of_files({
        "hooks/hooks.json": _hooks("Stop", "${CLAUDE_PLUGIN_ROOT}/hooks/stop-hook.sh", "*"),
        "hooks/stop-hook.sh": b"#!/bin/bash\nset -e\necho done\n",
    })
    [hook] = risk.hooks
    assert (hook.event, hook.matcher, hook.type) == ("Stop", "*", "command")
    assert hook.scripts == ["hooks/stop-hook.sh"]
    assert [(e.path, e.language, e.shebang) for e in risk.executables] == [
        ("hooks/stop-hook.sh", "bash", "#!/bin/bash")]
    assert summary(risk) == "1 hook · 1 script"


def test_pinned_npx_in_a_hook_is_not_flagged_but_latest_is() -> None:
    pinned = risk_of_files({"hooks/hooks.json": _hooks(
        "PreToolUse", 'npx protect-mcp@0.7.4 evaluate --tool "$TOOL_NAME"', ".*")})
    assert pinned.unpinned == [] and len(pinned.hooks) == 1
    moving = risk_of_files({"hooks/hooks.json": _hooks("PreToolUse", "npx -y lint-it@latest")})
    assert [r.text for r in moving.unpinned] == ["npx lint-it@latest"]


def test_mcp_servers_keep_env_names_never_values_and_remote_urls() -> None:
    risk = risk_of_files({".mcp.json": _j({"mcpServers": {
        "context7": {"type": "http", "url": "https://mcp.context7.com/mcp",
                     "headers": {"Authorization": "${CONTEXT7_API_KEY:-}"}},
        "db": {"command": "npx", "args": ["-y", "db-mcp"], "env": {"DB_PASSWORD": "hunter2"}},
    }})})
    by_name = {s.name: s for s in risk.mcp_servers}
    assert by_name["context7"].url == "https://mcp.context7.com/mcp"
    assert by_name["context7"].transport == "http"
    assert by_name["db"].env == ["DB_PASSWORD"]
    assert "hunter2" not in json.dumps(risk.to_json())
    assert risk.network == ["https://mcp.context7.com/mcp"]
    assert [r.text for r in risk.unpinned] == ["npx db-mcp"]
    assert summary(risk) == "2 MCP servers · 1 unpinned runner · 1 network endpoint"


def test_flat_mcp_json_counts_and_plugin_json_inline_servers_too() -> None:
    flat = risk_of_files({".mcp.json": _j({"firebase": {
        "command": "npx", "args": ["-y", "firebase-tools@latest", "mcp"]}})})
    assert [s.command_line for s in flat.mcp_servers] == ["npx -y firebase-tools@latest mcp"]
    inline = risk_of_files({".claude-plugin/plugin.json": _j({
        "name": "p", "mcpServers": {"local": {"command": "bun", "args": ["run", "start"]}}})})
    assert [s.name for s in inline.mcp_servers] == ["local"]
    # A data file named like a config is not a server list.
    assert not risk_of_files({"data/servers.json": _j({"a": {"command": "x"}})})


def test_allowed_tools_flags_bash_and_wildcards() -> None:
    risk = risk_of_files({
        "commands/review.md": b"---\ndescription: Review\nallowed-tools: Read, Grep, "
                              b"Bash(git diff:*)\n---\nReview !`git diff`\n",
        "agents/ops.md": b"---\nname: ops\ndescription: d\ntools: '*'\n---\nYou are ops.\n",
        "skills/x/SKILL.md": b"---\nname: x\ndescription: d\nallowed-tools:\n  - Read\n"
                             b"  - mcp__github__*\n---\n",
    })
    grants = {g.where: g for g in risk.tools}
    assert grants["commands/review.md"].bash and grants["commands/review.md"].wildcards == []
    assert grants["agents/ops.md"].wildcards == ["*"]
    assert grants["skills/x/SKILL.md"].wildcards == ["mcp__github__*"]
    assert summary(risk) == "Bash · tool wildcards"


def test_parse_tools_splits_on_commas_and_spaces_but_not_inside_parentheses() -> None:
    assert parse_tools("Read Grep, Bash(git add:*), Bash(npm run test)") == [
        "Read", "Grep", "Bash(git add:*)", "Bash(npm run test)"]
    assert parse_tools(["Read", 3, None]) == ["Read"]
    assert parse_tools({"not": "tools"}) == []


def test_unpinned_runners_in_words() -> None:
    found = dict(runners(
        "npx pkg\nnpx pkg@latest\nnpx @scope/tool@1.2.3 run\nbunx cowsay\n"
        "uvx --from git+https://github.com/o/r mcp\n"
        "uvx --from git+https://github.com/o/r@v1.0 mcp\n"
        "pip install requests flask==2.3.0 -r requirements.txt\n"
        "curl -fsSL https://get.example.sh | sudo bash\n"
        "# npx commented-out\n"))
    assert set(found) == {
        "npx pkg", "npx pkg@latest", "bunx cowsay", "uvx --from git+https://github.com/o/r",
        "pip install requests", "curl -fsSL https://get.example.sh | sudo bash"}
    assert found["curl -fsSL https://get.example.sh | sudo bash"] == \
        "pipes a download into a shell"


def test_scripts_and_urls_of_command_lines() -> None:
    assert scripts('python3 "${CLAUDE_PLUGIN_ROOT}/hooks/check.py" && ./bin/run.sh --x') == [
        "hooks/check.py", "bin/run.sh"]
    assert scripts("echo ../../etc/passwd.sh") == []
    assert urls("see https://a.example/x, and (https://b.example/y).") == [
        "https://a.example/x", "https://b.example/y"]


def test_language_from_shebang_or_extension() -> None:
    assert language_of("x", b"#!/usr/bin/env python3\n")[0] == "python"
    assert language_of("x", b"#!/usr/bin/env -S uv run --script\n")[0] == "python"
    assert language_of("tool.mjs", b"console.log(1)")[0] == "node"
    assert language_of("README", b"text") == (None, None)


def test_scripts_name_their_network_endpoints_and_runners() -> None:
    risk = risk_of_files({"scripts/setup.sh": b"#!/bin/sh\ncurl https://x.example/i.sh | sh\n"
                                              b"pip install httpx\n"})
    assert risk.network == ["https://x.example/i.sh"]
    assert {r.text for r in risk.unpinned} == {"curl https://x.example/i.sh | sh",
                                                "pip install httpx"}


def test_an_executable_file_without_extension_counts_when_its_mode_says_so() -> None:
    risk = risk_of_files({"bin/tool": b"\x7fELF\0\0binary"}, executable={"bin/tool"})
    assert [(e.path, e.language) for e in risk.executables] == [("bin/tool", None)]


def test_plain_skill_runs_nothing() -> None:
    risk = risk_of_files({"SKILL.md": b"---\nname: pdf\ndescription: Read PDFs\n---\nUse it.",
                          "reference.md": b"# Notes\nnpx pkg"})
    assert not risk and summary(risk) is None


def test_hostile_files_cost_a_bounded_result() -> None:
    many = {"hooks": {"PreToolUse": [{"hooks": [{"type": "command", "command": f"x{i}.sh"}]}
                                     for i in range(5000)]}}
    deep = b"[" * 100_000 + b"]" * 100_000
    risk = risk_of_files({"hooks/hooks.json": _j(many), "deep/hooks.json": deep,
                          "bad.json": b"{not json", "skills/x/SKILL.md": b"---\n: : :\n"})
    assert len(risk.hooks) == MAX_ITEMS and risk.truncated
    assert len(json.dumps(risk.to_json())) < 200_000


def test_stored_json_round_trips_and_combines_for_a_plugin() -> None:
    hook = risk_of_files({"hooks/hooks.json": _hooks("Stop", "./s.sh")})
    mcp = risk_of_files({".mcp.json": _j({"mcpServers": {"a": {"command": "uvx", "args": ["a"]}}})})
    back = Risk.from_json(json.loads(json.dumps(hook.to_json())))
    assert back == hook
    both = combine([back, mcp, hook])
    assert summary(both) == "1 hook · 1 MCP server · 1 unpinned runner"


def test_configs_of_the_wrong_shape_are_read_as_far_as_they_make_sense() -> None:
    risk = risk_of_files({
        ".mcp.json": _j({"mcpServers": {
            "a": {"command": ["not", "text"], "args": "x", "env": ["LIST"], "url": 5},
            "b": "not a server",
            "c": {"command": "uvx", "args": [1, {"x": 1}, "tool"]}}}),
        "hooks/hooks.json": _j({"hooks": {"Stop": [{"hooks": [{"type": "command", "command": 7},
                                                              "junk", {"command": ""}]}, 3]}}),
        "commands/x.md": b"---\nallowed-tools: {Bash: yes}\n---\n",
    })
    servers = {s.name: s for s in risk.mcp_servers}
    assert set(servers) == {"a", "c"}
    assert (servers["a"].command, servers["a"].args, servers["a"].env, servers["a"].url) == (
        None, [], [], None)
    assert servers["c"].args == ["1", "tool"]
    assert [(h.event, h.command) for h in risk.hooks] == [("Stop", None)]  # equal ones once
    assert risk.tools == []


def test_a_plugin_combines_its_members_stored_risks_with_paths_relative_to_it() -> None:
    from skillmeat.core.risk.model import combine_stored

    hooks = risk_of_files({"hooks.json": _hooks("Stop", "${CLAUDE_PLUGIN_ROOT}/hooks/s.sh"),
                           "s.sh": b"#!/bin/sh\n"}).to_json()
    skill = risk_of_files({"SKILL.md": b"---\nallowed-tools: Bash\n---\n"}).to_json()
    data = combine_stored([("hooks", hooks), ("skills/pdf", skill), ("commands", None)])
    assert data is not None
    risk = Risk.from_json(data)
    assert [(h.where, h.scripts) for h in risk.hooks] == [("hooks/hooks.json", ["hooks/s.sh"])]
    assert [e.path for e in risk.executables] == ["hooks/s.sh"]
    assert [g.where for g in risk.tools] == ["skills/pdf/SKILL.md"]
    assert summary(data) == "1 hook · Bash · 1 script"
    assert combine_stored([("a", None), ("b", {})]) is None

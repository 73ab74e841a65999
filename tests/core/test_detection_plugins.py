"""Plugin entries: plugin.json folders, marketplace entries (local, strict:false, remote), the
members each provides, their metadata and scores, and paths that are never trusted."""

from __future__ import annotations

from tests.core.memtree import HOOKS, MCP, MemRepo, agent, command, skill


def _plugins(repo: MemRepo) -> dict[str, object]:
    return {a.path: a for a in repo.detect() if a.type == "plugin"}


def _members(repo: MemRepo) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for a in repo.detect():
        if a.plugin_path is not None:
            out.setdefault(a.plugin_path, set()).add((a.type, a.path))
    return out


def test_root_plugin_json_is_an_entry_at_dot_with_metadata_and_member_counts() -> None:
    repo = MemRepo({
        ".claude-plugin/plugin.json": {
            "name": "finance", "version": "1.4.0", "description": "Books and ledgers",
            "author": {"name": "Ann"}, "homepage": "https://example.org", "license": "MIT",
            "repository": {"url": "https://github.com/o/finance"}},
        "skills/ledger/SKILL.md": skill("ledger"),
        "commands/close.md": command(),
        "agents/auditor.md": agent("auditor"),
        "hooks/hooks.json": HOOKS,
        ".mcp.json": MCP,
        "docs/notes/SKILL.md": skill("notes"),  # a skill, but not in a place the plugin loads
    })
    plugin = _plugins(repo)["."]
    assert plugin.name == "finance" and plugin.version == "1.4.0"
    assert plugin.description == "Books and ledgers"
    assert plugin.confidence >= 70 and plugin.score_breakdown["plugin_manifest"] == 60
    assert plugin.plugin_meta == {
        "remote": False, "root": "", "author": "Ann", "homepage": "https://example.org",
        "repository": "https://github.com/o/finance", "license": "MIT",
        "member_counts": {"agent": 1, "command": 1, "hook": 1, "mcp_server": 1, "skill": 1}}
    assert _members(repo)["."] == {
        ("skill", "skills/ledger"), ("command", "commands/close.md"),
        ("agent", "agents/auditor.md"), ("hook", "hooks/hooks.json"),
        ("mcp_server", ".mcp.json")}


def test_declared_commands_and_agents_replace_defaults_and_skills_add_to_them() -> None:
    repo = MemRepo({
        "p/.claude-plugin/plugin.json": {"name": "p", "commands": "./more",
                                         "agents": ["./roles/a2.md"], "skills": ["./extra"],
                                         **HOOKS, **MCP},
        "p/commands/c1.md": command(), "p/more/c2.md": command(),
        "p/agents/a1.md": agent("a1"), "p/roles/a2.md": agent("a2"),
        "p/skills/s1/SKILL.md": skill("s1"), "p/extra/s2/SKILL.md": skill("s2"),
    })
    assert _members(repo)["p"] == {
        ("command", "p/more/c2.md"), ("agent", "p/roles/a2.md"), ("skill", "p/skills/s1"),
        ("skill", "p/extra/s2"), ("hook", "p/.claude-plugin/plugin.json"),
        ("mcp_server", "p/.claude-plugin/plugin.json")}


def test_marketplace_entries_sharing_a_folder_are_one_entry_each_with_their_own_skills() -> None:
    repo = MemRepo({
        ".claude-plugin/marketplace.json": {"name": "m", "plugins": [
            {"name": "docs", "source": "./", "strict": False, "skills": ["./skills/a"]},
            {"name": "art", "source": "./", "strict": False, "skills": ["./skills/b"]},
        ]},
        "skills/a/SKILL.md": skill("a"), "skills/b/SKILL.md": skill("b"),
    })
    plugins = _plugins(repo)
    assert set(plugins) == {".#docs", ".#art"}
    assert plugins[".#docs"].plugin_meta["strict"] is False
    assert _members(repo) == {".#docs": {("skill", "skills/a")}, ".#art": {("skill", "skills/b")}}


def test_remote_marketplace_entries_keep_their_repository_and_pin() -> None:
    repo = MemRepo({".claude-plugin/marketplace.json": {"name": "m", "plugins": [
        {"name": "gh", "source": {"source": "github", "repo": "acme/tools", "ref": "v2"},
         "version": "2.0.0"},
        {"name": "viaurl", "source": {"source": "url", "url": "https://git.example/x.git",
                                      "sha": "a" * 40}},
        {"name": "bad", "source": {"source": "url", "url": "file:///etc"}},
    ]}})
    plugins = _plugins(repo)
    gh = plugins[".claude-plugin/marketplace.json#gh"]
    assert gh.plugin_meta["remote"] is True and gh.version == "2.0.0"
    assert gh.plugin_meta["upstream_url"] == "https://github.com/acme/tools"
    assert gh.plugin_meta["ref"] == "v2"
    url = plugins[".claude-plugin/marketplace.json#viaurl"]
    assert url.plugin_meta["sha"] == "a" * 40
    assert not any(path.endswith("#bad") for path in plugins)  # only https repositories


def test_paths_leaving_the_repository_or_plugin_are_ignored_with_a_reason() -> None:
    repo = MemRepo({
        ".claude-plugin/marketplace.json": {"name": "m", "plugins": [
            {"name": "escape", "source": "../../etc"},
            {"name": "abs", "source": "/etc"},
            {"name": "../x", "source": "./p"},
        ]},
        "p/.claude-plugin/plugin.json": {"name": "p", "commands": ["../../outside.md"]},
        "p/commands/c.md": command(),
    })
    problems: list[str] = []
    from skillmeat.core.marketplace.detection import detect
    found = detect(repo.tree, repo.read, problems=problems)
    assert sorted(a.path for a in found if a.type == "plugin") == ["p"]
    assert any("'escape'" in p and "ignored" in p for p in problems)
    assert any("'abs'" in p for p in problems)
    assert any("plugins[2]" in p for p in problems)  # an unsafe name is no entry either
    assert any("leaves the plugin" in p for p in problems)


def test_invalid_plugin_json_is_a_low_scored_entry_that_says_why() -> None:
    repo = MemRepo({"tools/.claude-plugin/plugin.json": "{not json", "tools/commands/c.md":
                    command()})
    plugin = _plugins(repo)["tools"]
    assert plugin.confidence < 30
    assert "not a readable JSON object" in plugin.score_breakdown["manifest_problem"]


def test_nested_plugin_owns_its_own_members_not_the_outer_one() -> None:
    repo = MemRepo({
        ".claude-plugin/plugin.json": {"name": "outer", "skills": ["./"]},
        "inner/.claude-plugin/plugin.json": {"name": "inner"},
        "inner/skills/s/SKILL.md": skill("s"),
        "skills/t/SKILL.md": skill("t"),
    })
    members = _members(repo)
    assert ("skill", "inner/skills/s") in members["inner"]
    assert ("skill", "skills/t") in members["."]


def test_control_characters_in_manifests_never_reach_the_catalog() -> None:
    repo = MemRepo({
        ".claude-plugin/marketplace.json": {"name": "m", "plugins": [
            {"name": "far", "source": {"source": "url", "url": "https://x.example/\x00r.git"}},
            {"name": "near", "source": {"source": "github", "repo": "o/r", "ref": "v\x001"}},
        ]},
        "p/.claude-plugin/plugin.json": {"name": "p", "version": "1\x00", "author": "a\x00b",
                                         "description": "d\x00e"},
    })
    plugins = _plugins(repo)
    assert not any(path.endswith("#far") for path in plugins)  # a URL with NUL is no URL
    assert plugins[".claude-plugin/marketplace.json#near"].plugin_meta["ref"] == "v1"
    p = plugins["p"]
    assert (p.version, p.description, p.plugin_meta["author"]) == ("1", "de", "ab")


def test_a_plugin_two_marketplaces_list_is_one_entry() -> None:
    repo = MemRepo({
        ".claude-plugin/marketplace.json": {"name": "all", "plugins": [
            {"name": "voice", "source": "./partners/voice"}]},
        "partners/voice/.claude-plugin/marketplace.json": {"name": "solo", "plugins": [
            {"name": "voice", "source": "./"}]},
        "partners/voice/.claude-plugin/plugin.json": {"name": "voice"},
        "partners/voice/commands/say.md": command(),
    })
    assert list(_plugins(repo)) == ["partners/voice"]
    assert _members(repo) == {"partners/voice": {("command", "partners/voice/commands/say.md")}}

"""Detection per layout: skills, commands, agents, hooks and MCP configs, and their look-alikes."""

from __future__ import annotations

from skillmeat.core.marketplace.detection import DETECTOR_VERSION
from tests.core.memtree import HOOKS, MCP, MemRepo, agent, command, sha, skill


def test_detector_version_is_a_string() -> None:
    assert isinstance(DETECTOR_VERSION, str) and DETECTOR_VERSION


# -- skills ------------------------------------------------------------------------------------


def test_skill_directory_with_frontmatter() -> None:
    repo = MemRepo(
        {
            "skills/pdf/SKILL.md": "---\nname: pdf\ndescription: Read PDFs.\nversion: 1.2\n"
            "title: PDF tools\n---\n# PDF\n",
            "skills/pdf/reference.md": "# Reference\n",
            "skills/pdf/scripts/run.py": "print()\n",
        }
    )
    [found] = repo.detect()
    assert (found.type, found.path, found.name) == ("skill", "skills/pdf", "pdf")
    assert found.content_hash == sha("tree:skills/pdf")  # the directory's tree sha
    assert (found.title, found.description, found.version) == ("PDF tools", "Read PDFs.", "1.2")
    assert found.confidence >= 90
    assert {"layout", "frontmatter_name", "name_matches_dir"} <= set(found.score_breakdown)
    assert sum(found.score_breakdown.values()) >= found.confidence


def test_nested_skills_and_skills_anywhere() -> None:
    repo = MemRepo(
        {
            "games/dev/SKILL.md": skill("dev"),
            "games/dev/unity/SKILL.md": skill("unity"),
            ".claude/skills/local/SKILL.md": skill("local"),
            "SKILL.md": skill("root-skill"),
        }
    )
    shown = repo.shown()
    assert {
        ("skill", "games/dev"),
        ("skill", "games/dev/unity"),
        ("skill", ".claude/skills/local"),
    } <= shown
    root = repo.by_path()[("skill", "")]
    assert root.name == "root-skill" and root.content_hash == sha("blob:SKILL.md")


def test_skill_name_rules_and_broken_yaml() -> None:
    repo = MemRepo(
        {
            "skills/good-one/SKILL.md": skill("good-one"),
            "skills/Bad_Name/SKILL.md": skill("Bad_Name"),
            "skills/broken/SKILL.md": "---\nname: broken\ndescription: Use when: x: y\n  - [\n---",
            "skills/plain/SKILL.md": "# Just instructions\n",
        }
    )
    found = repo.by_path()
    assert "invalid_name" in found[("skill", "skills/Bad_Name")].score_breakdown
    assert (
        found[("skill", "skills/good-one")].confidence
        > found[("skill", "skills/Bad_Name")].confidence
    )
    assert found[("skill", "skills/broken")].name == "broken"
    plain = found[("skill", "skills/plain")]
    assert plain.name == "plain" and plain.confidence >= 30 and plain.title == "Just instructions"


def test_wrong_case_skill_file_scores_lower() -> None:
    repo = MemRepo({"skills/a/SKILL.md": skill("a"), "skills/b/skill.md": skill("b")})
    found = repo.by_path()
    assert found[("skill", "skills/b")].confidence < found[("skill", "skills/a")].confidence
    assert "layout_wrong_case" in found[("skill", "skills/b")].score_breakdown


def test_placeholder_template_skill_is_hidden() -> None:
    template = skill("template-skill", "Replace with description of the skill and when to use it.")
    repo = MemRepo({"template/SKILL.md": template, "skills/real/SKILL.md": skill("real")})
    found = repo.by_path()
    assert found[("skill", "template")].confidence < 30
    assert "placeholder" in found[("skill", "template")].score_breakdown
    assert found[("skill", "skills/real")].confidence >= 30


def test_vendored_and_fixture_skills_are_ignored() -> None:
    repo = MemRepo(
        {
            "node_modules/pkg/skills/x/SKILL.md": skill("x"),
            "tests/fixtures/skills/y/SKILL.md": skill("y"),
            "skills/z/SKILL.md": skill("z"),
        }
    )
    assert {a.path for a in repo.detect()} == {"skills/z"}


def test_files_bundled_in_a_skill_are_not_artifacts() -> None:
    repo = MemRepo(
        {
            "skills/creator/SKILL.md": skill("creator"),
            "skills/creator/agents/grader.md": agent("grader"),
            "skills/creator/commands/run.md": command(),
            "skills/creator/examples/.mcp.json": MCP,
            "skills/creator/examples/hooks/hooks.json": HOOKS,
            "skills/creator/references/agents/helper.md": agent("helper"),
        }
    )
    assert {(a.type, a.path) for a in repo.detect()} == {("skill", "skills/creator")}


def test_symlinked_skill_directory_is_not_a_second_copy() -> None:
    repo = MemRepo({"skills/pdf/SKILL.md": skill("pdf")}, symlinks={"alias": "skills/pdf"})
    assert repo.shown() == {("skill", "skills/pdf")}


# -- commands ----------------------------------------------------------------------------------


def test_commands_with_nested_namespaces() -> None:
    repo = MemRepo(
        {
            ".claude/commands/deploy.md": command(),
            ".claude/commands/frontend/build.md": "Build the frontend: $ARGUMENTS\n",
            ".claude/commands/frontend/css/lint.md": "Lint CSS\n",
            "commands/tools/api-scaffold.md": "Scaffold an API named $ARGUMENTS\n",
            # "create-template" is a command that makes templates, not a template itself.
            "commands/create-template.md": "Create a document from the template $1\n",
        }
    )
    found = repo.by_path()
    assert {p for t, p in repo.shown() if t == "command"} == {
        ".claude/commands/deploy.md",
        ".claude/commands/frontend/build.md",
        ".claude/commands/frontend/css/lint.md",
        "commands/tools/api-scaffold.md",
        "commands/create-template.md",
    }
    build = found[("command", ".claude/commands/frontend/build.md")]
    assert build.name == "build" and build.content_hash == sha(
        "blob:.claude/commands/frontend/build.md"
    )
    assert "claude_dir" in build.score_breakdown
    assert found[("command", ".claude/commands/deploy.md")].description == "Deploy the service"


def test_command_look_alikes_are_rejected() -> None:
    repo = MemRepo(
        {
            "docs/commands/init.md": "# skillmeat init\n\nCLI documentation.\n",
            "commands/README.md": "# Commands\n",
            "commands/CHANGELOG.md": "# Changes\n",
            "commands/index.md": "# Index\n",
            "commands/_template.md": command(),
            "commands/run.sh": "echo\n",
            ".cursor/commands/fix.md": command(),
            "vendor/lib/commands/x.md": command(),
            "commands/new.md": command("Brief description of what this command does"),
            "commands/real.md": command(),
        }
    )
    assert {p for t, p in repo.shown() if t == "command"} == {"commands/real.md"}
    assert "placeholder" in repo.by_path()[("command", "commands/new.md")].score_breakdown


# -- agents ------------------------------------------------------------------------------------


def test_agents_need_a_name_in_frontmatter() -> None:
    repo = MemRepo(
        {
            ".claude/agents/reviewer.md": agent("code-reviewer"),
            ".claude/agents/notes.md": "# Notes about our agents\n",
        }
    )
    found = repo.by_path()
    reviewer = found[("agent", ".claude/agents/reviewer.md")]
    assert reviewer.name == "code-reviewer" and reviewer.confidence >= 90
    notes = found[("agent", ".claude/agents/notes.md")]
    assert notes.confidence < 30 and "no_name" in notes.score_breakdown


def test_agents_organized_by_category_folders() -> None:
    files = {f"agents/{cat}/{n}.md": agent(n) for cat in ("core", "data") for n in ("a1", "a2")}
    files["agents/core/README.md"] = "# Core agents\n"
    files["agents/data/overview.md"] = "# Overview\n"
    repo = MemRepo(files)
    assert repo.shown() == {("agent", p) for p in files if p.endswith(("a1.md", "a2.md"))}


def test_subagent_collection_in_category_folders_without_manifest() -> None:
    files = {
        f"categories/0{i}-cat/agent-{i}-{j}.md": agent(f"agent-{i}-{j}")
        for i in (1, 2)
        for j in (1, 2, 3)
    }
    files["categories/03-small/lonely.md"] = agent("lonely")  # one per folder, among many
    files["categories/01-cat/README.md"] = "# Category index\n"
    files["notes/a.md"] = "---\nname: a\ndescription: Just a note.\n---\n"
    files["notes/b.md"] = "# b\n"
    files["notes/c.md"] = "# c\n"
    repo = MemRepo(files)
    expected = {("agent", p) for p in files if "/agent-" in p or "lonely" in p}
    assert repo.shown() == expected


def test_other_harness_agents_are_ignored() -> None:
    repo = MemRepo(
        {
            ".github/agents/helper.md": agent("helper"),
            ".codex/agents/x.md": agent("x"),
            "agents/real.md": agent("real"),
        }
    )
    assert repo.shown() == {("agent", "agents/real.md")}


# -- hooks -------------------------------------------------------------------------------------


def test_hook_configurations() -> None:
    cursor = {"version": 1, "hooks": {"sessionStart": [{"command": "./start.sh"}]}}
    new_event = {"hooks": {"SomeFutureEvent": [{"hooks": [{"type": "command", "command": "x"}]}]}}
    repo = MemRepo(
        {
            "plugins/p/.claude-plugin/plugin.json": {"name": "p"},
            "plugins/p/hooks/hooks.json": {"description": "Format on save", **HOOKS},
            ".claude/settings.json": {"permissions": {"allow": []}, **HOOKS},
            ".claude/settings.local.json": {"permissions": {"allow": ["Bash(ls)"]}},
            "hooks/hooks-cursor.json": cursor,
            "components/hooks/git/pre-commit.json": HOOKS,
            "components/hooks/future.json": new_event,
            "components/hooks/PATTERNS.json": {"patterns": ["x"]},
            "tests/fixtures/hooks.json": HOOKS,
            "site/public/components/hooks.json": HOOKS,
            ".gemini/settings.json": HOOKS,
        }
    )
    found = repo.by_path()
    assert {p for t, p in repo.shown() if t == "hook"} == {
        "plugins/p/hooks/hooks.json",
        ".claude/settings.json",
        "components/hooks/git/pre-commit.json",
        "components/hooks/future.json",
    }
    plugin_hook = found[("hook", "plugins/p/hooks/hooks.json")]
    assert plugin_hook.name == "p" and plugin_hook.description == "Format on save"
    assert (
        plugin_hook.confidence > found[("hook", "components/hooks/git/pre-commit.json")].confidence
    )
    assert found[("hook", "components/hooks/git/pre-commit.json")].name == "pre-commit"


# -- MCP ---------------------------------------------------------------------------------------


def test_mcp_configurations() -> None:
    flat = {"github": {"type": "http", "url": "https://example.invalid/mcp"}}
    repo = MemRepo(
        {
            ".mcp.json": MCP,
            "plugins/gh/.mcp.json": flat,
            "components/mcps/db/postgres.json": MCP,
            "components/mcps/db/flat.json": flat,  # flat form counts only as .mcp.json
            ".vscode/mcp.json": {"servers": {"x": {"command": "y"}}},
            ".cursor/mcp.json": MCP,
            "package.json": {"name": "x", "mcpServers": {}},
        }
    )
    found = repo.by_path()
    assert {p for t, p in repo.shown() if t == "mcp_server"} == {
        ".mcp.json",
        "plugins/gh/.mcp.json",
        "components/mcps/db/postgres.json",
    }
    assert found[("mcp_server", "plugins/gh/.mcp.json")].name == "gh"
    assert found[("mcp_server", "components/mcps/db/postgres.json")].name == "postgres"


def test_non_markdown_and_submodules_are_not_artifacts() -> None:
    repo = MemRepo(
        {"agents/flutter-dev": agent("flutter-dev"), "commands/x.txt": "x\n"},
        submodules=["skills/external"],
    )
    assert repo.detect() == []


# -- reading -----------------------------------------------------------------------------------


def test_reads_in_few_calls_and_limits_markdown() -> None:
    files = {f"skills/s{i}/SKILL.md": skill(f"s{i}") for i in range(50)}
    files.update({f".claude/commands/c{i}.md": command() for i in range(50)})
    files[".claude/settings.json"] = HOOKS
    files["README.md"] = "# Repo\n"
    repo = MemRepo(files)
    found = repo.detect()
    assert len(found) == 101
    assert 1 <= len(repo.calls) <= 3
    markdown_call = next(limit for paths, limit in repo.calls if "skills/s0/SKILL.md" in paths)
    assert markdown_call is not None and markdown_call <= 16 * 1024
    # Only candidates are read: no source or reference files.
    read = {p for paths, _ in repo.calls for p in paths}
    assert read <= set(files)


def test_large_tree_counts_are_exact() -> None:
    files: dict[str, str | dict] = {}
    for i in range(300):
        root = f"plugins/p{i}"
        files[f"{root}/.claude-plugin/plugin.json"] = {"name": f"p{i}"}
        files[f"{root}/commands/ns/run.md"] = command()
        files[f"{root}/agents/a.md"] = agent(f"a{i}")
        files[f"{root}/skills/s/SKILL.md"] = skill("s")
        files[f"{root}/skills/s/references/r.md"] = "# r\n"
        files[f"{root}/hooks/hooks.json"] = HOOKS
        files[f"{root}/.mcp.json"] = MCP
        files.update({f"{root}/src/m{j}.py": "x = 1\n" for j in range(10)})
        files.update({f"{root}/docs/d{j}.md": "# d\n" for j in range(5)})
    repo = MemRepo(files)
    shown = repo.shown()
    counts = {
        t: sum(1 for k, _ in shown if k == t)
        for t in ("skill", "command", "agent", "hook", "mcp_server")
    }
    assert counts == {"skill": 300, "command": 300, "agent": 300, "hook": 300, "mcp_server": 300}

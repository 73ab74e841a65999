"""Manifests decide edge cases: plugin.json custom paths, marketplace sources, install READMEs,
and root_hint scoping."""

from __future__ import annotations

from tests.core.memtree import HOOKS, MCP, MemRepo, agent, command, skill


def test_plugin_json_custom_component_paths() -> None:
    manifest = {
        "name": "tools",
        "version": "2.0.0",
        "agents": ["./x.md", "./roles/y.md"],
        "commands": "./prompts",
        "hooks": "./config/my-hooks.json",
        "mcpServers": "./servers.json",
    }
    repo = MemRepo(
        {
            "tools/.claude-plugin/plugin.json": manifest,
            "tools/x.md": agent("x"),
            "tools/roles/y.md": "# y without frontmatter\n",
            "tools/prompts/review.md": "Review the diff\n",
            "tools/prompts/deep/plan.md": "Plan it\n",
            "tools/prompts/README.md": "# Prompts\n",
            "tools/config/my-hooks.json": HOOKS,
            "tools/servers.json": {"db": {"command": "db-server"}},  # flat form, named by manifest
            "tools/agents/z.md": agent("z"),  # default folders still load
        }
    )
    found = repo.by_path()
    assert repo.shown() == {
        ("agent", "tools/x.md"),
        ("agent", "tools/roles/y.md"),  # listed explicitly: counts without frontmatter
        ("agent", "tools/agents/z.md"),
        ("command", "tools/prompts/review.md"),
        ("command", "tools/prompts/deep/plan.md"),
        ("hook", "tools/config/my-hooks.json"),
        ("mcp_server", "tools/servers.json"),
    }
    x = found[("agent", "tools/x.md")]
    assert "manifest" in x.score_breakdown and x.version == "2.0.0"
    assert found[("hook", "tools/config/my-hooks.json")].name == "tools"


def test_plugin_json_agents_at_category_roots() -> None:
    """A subagent collection sorted into category folders, each a plugin listing its files."""
    files: dict[str, str | dict] = {}
    for cat in ("01-core", "02-lang"):
        names = [f"{cat}-a", f"{cat}-b"]
        files[f"categories/{cat}/.claude-plugin/plugin.json"] = {
            "name": cat,
            "agents": [f"./{n}.md" for n in names],
        }
        files.update({f"categories/{cat}/{n}.md": agent(n) for n in names})
        files[f"categories/{cat}/README.md"] = "# Category index\n"
    files["categories/01-core/unlisted.md"] = agent("unlisted")  # the manifest forgot it
    files["categories/01-core/notes.md"] = "# Working notes\n"
    files[".claude-plugin/marketplace.json"] = {
        "name": "collection",
        "plugins": [{"name": c, "source": f"./categories/{c}"} for c in ("01-core", "02-lang")],
    }
    repo = MemRepo(files)
    shown = repo.shown()
    assert shown == {("agent", p) for p in files if p.endswith(("-a.md", "-b.md", "unlisted.md"))}


def test_marketplace_relative_sources_and_plugin_root() -> None:
    repo = MemRepo(
        {
            ".claude-plugin/marketplace.json": {
                "name": "market",
                "metadata": {"pluginRoot": "./plugins"},
                "plugins": [
                    {"name": "fmt", "source": "formatter", "version": "3.1.0"},
                    {"name": "remote", "source": {"source": "github", "repo": "acme/remote"}},
                    {"name": "gone", "source": "./missing"},
                ],
            },
            "plugins/formatter/src/commands/fmt.md": command(),  # not at the plugin root
            "plugins/formatter/commands/fmt.md": command(),
            "plugins/formatter/hooks/hooks.json": HOOKS,
        }
    )
    found = repo.by_path()
    cmd = found[("command", "plugins/formatter/commands/fmt.md")]
    assert "plugin" in cmd.score_breakdown and cmd.version == "3.1.0"
    nested = found[("command", "plugins/formatter/src/commands/fmt.md")]
    # Not at the plugin root, so no owner claims it: the repository's signal stands in.
    assert "plugin" not in nested.score_breakdown and "repo_signal" in nested.score_breakdown
    assert nested.confidence < cmd.confidence
    hook = found[("hook", "plugins/formatter/hooks/hooks.json")]
    assert "plugin_hooks" in hook.score_breakdown and hook.name == "formatter"


def test_marketplace_entry_carrying_the_manifest() -> None:
    """strict: false entries list components themselves, relative to their source."""
    repo = MemRepo(
        {
            ".claude-plugin/marketplace.json": {
                "plugins": [
                    {
                        "name": "science",
                        "source": "./",
                        "strict": False,
                        "skills": ["./science/chem", "./science/bio"],
                        "commands": ["./prompts/run.md"],
                    }
                ]
            },
            "science/chem/SKILL.md": skill("chem"),
            "science/bio/SKILL.md": skill("bio"),
            "prompts/run.md": "Run the pipeline\n",
        }
    )
    found = repo.by_path()
    assert repo.shown() == {
        ("skill", "science/chem"),
        ("skill", "science/bio"),
        ("command", "prompts/run.md"),
    }
    assert "manifest" in found[("skill", "science/chem")].score_breakdown


def test_catalog_files_named_like_manifests_are_not_marketplaces() -> None:
    repo = MemRepo(
        {
            "catalog/.claude-plugin/marketplace.json": {"agents": [{"name": "x"}]},
            "catalog/x.md": agent("x"),
        }
    )
    assert repo.shown() == set()


def test_inline_hooks_and_servers_in_plugin_json() -> None:
    repo = MemRepo({".claude-plugin/plugin.json": {"name": "p", **HOOKS, **MCP}})
    assert repo.shown() == {
        ("hook", ".claude-plugin/plugin.json"),
        ("mcp_server", ".claude-plugin/plugin.json"),
    }


def test_manifests_in_test_fixtures_are_ignored() -> None:
    repo = MemRepo(
        {
            "tests/fixtures/p/.claude-plugin/plugin.json": {"name": "p", **HOOKS},
            "tests/fixtures/p/x.md": agent("x"),
        }
    )
    found = repo.detect()
    # Only the look-alike plugin itself, held below the listing threshold with the reason.
    assert [(a.type, a.path) for a in found] == [("plugin", "tests/fixtures/p")]
    assert found[0].confidence < 30
    assert "test fixture" in found[0].score_breakdown["why_low"]


def test_readme_that_installs_a_folder_into_claude_commands() -> None:
    readme = (
        "# catalog\n\nCopy the `catalog/` folder to `~/.claude/commands/`:\n\n"
        "```bash\ncp -r tools/catalog ~/.claude/commands/\n```\n"
    )
    repo = MemRepo(
        {
            "tools/catalog/README.md": readme,
            "tools/catalog/search.md": "---\ndescription: Search it\n---\nSearch $ARGUMENTS\n",
            "tools/catalog/fetch.md": "Fetch $ARGUMENTS\n",
            "tools/catalog/config.sh": "X=1\n",
            "tools/other/notes.md": "# notes\n",
        }
    )
    assert repo.shown() == {
        ("command", "tools/catalog/search.md"),
        ("command", "tools/catalog/fetch.md"),
    }


def test_repository_cloned_as_claude_commands() -> None:
    readme = (
        "# Commands\n\n## Install\n\n```bash\ncd ~/.claude\n"
        "git clone https://example.invalid/someone/commands.git\n"
        "git clone https://example.invalid/someone/agents.git\n```\n"
    )
    repo = MemRepo(
        {
            "README.md": readme,
            "tools/api-scaffold.md": "Scaffold $ARGUMENTS\n",
            "workflows/feature.md": "Build a feature\n",
            "docs/guide.md": "# Guide\n",
        }
    )
    assert repo.shown() == {
        ("command", "tools/api-scaffold.md"),
        ("command", "workflows/feature.md"),
    }


def test_readme_mentioning_claude_folders_without_installing_is_ignored() -> None:
    readme = "Commands live in `.claude/commands/` of your project; see the docs.\n"
    repo = MemRepo({"README.md": readme, "prompts/a.md": "A\n", "prompts/b.md": "B\n"})
    assert repo.shown() == set()


def test_root_hint_limits_the_scan() -> None:
    repo = MemRepo(
        {
            ".claude-plugin/marketplace.json": {
                "plugins": [{"name": "a", "source": "./plugins/a"}]
            },
            "plugins/a/commands/run.md": command(),
            "plugins/a/skills/s/SKILL.md": skill("s"),
            "plugins/b/commands/run.md": command(),
            ".mcp.json": MCP,
        }
    )
    found = {(a.type, a.path): a for a in repo.detect("plugins/a/")}
    assert set(found) == {("command", "plugins/a/commands/run.md"), ("skill", "plugins/a/skills/s")}
    # The marketplace above the hint still makes plugins/a a plugin.
    assert "plugin" in found[("command", "plugins/a/commands/run.md")].score_breakdown
    assert repo.detect("no/such/folder") == []
    assert {p for _, p in repo.shown("plugins/b")} == {"plugins/b/commands/run.md"}

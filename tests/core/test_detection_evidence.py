"""Detection decides on evidence, not folder names: owners Claude Code loads, content shaped like
the artifact, and what the repository as a whole shows. The fixture repositories (two failure
classes from repositories the rules were never tuned on, and their neighbours) hold it there."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from skillmeat.core.marketplace.detection import repository_signal
from skillmeat.core.marketplace.readers.git import GitReader
from tests.core.memtree import MemRepo, agent, command
from tests.gitrepo import commit

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from fixture_repos import FIXTURES, Fixture, agents_collection, database_docs  # noqa: E402

REFERENCE_PAGE = (
    "# GET\n\nGet the value of a key.\n\n## Syntax\n\n```\nGET key\n```\n\n"
    "## Arguments\n\n* `key`: the key.\n\n## Reply\n\nBulk string reply.\n\n"
    "## History\n\n* Available since 1.0.0.\n"
)
BARE_PROMPT = "Review the staged changes and suggest a commit message.\n"
PLUGIN_MARKETPLACE = {
    ".claude-plugin/marketplace.json": {"plugins": [{"name": "p", "source": "./plugins/p"}]},
    "plugins/p/.claude-plugin/plugin.json": {"name": "p"},
}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.repo)
def test_fixture_repository_lists_exactly_its_artifacts(fixture: Fixture) -> None:
    assert MemRepo(fixture.files).shown() == set(fixture.artifacts)


def test_fixture_repositories_without_claude_code_signal_are_judged_so() -> None:
    for fixture in FIXTURES:
        repo = MemRepo(fixture.files)
        strength = repository_signal(repo.tree, repo.read).strength
        assert (strength == "none") == fixture.no_signal, fixture.repo


def test_server_reference_pages_in_commands_folder_are_hidden_with_reasons() -> None:
    found = MemRepo(database_docs().files).detect()
    assert found and all(a.type == "command" and a.confidence < 30 for a in found)
    get = next(a for a in found if a.path == "commands/get.md")
    breakdown = get.score_breakdown
    assert breakdown["commands_folder"] == 20 and breakdown["repo_signal"] == 0
    assert breakdown["reference_page"] < 0
    assert "owner Claude Code loads" in breakdown["missing"]
    assert "$ARGUMENTS" in breakdown["missing"]
    assert "meant for Claude Code" in breakdown["missing"]


def test_reference_pages_read_through_git_list_nothing(tmp_path: Path) -> None:
    fixture = database_docs()
    sha = commit(tmp_path / "docs", fixture.files)
    from skillmeat.core.marketplace.detection import detect

    with GitReader(str(tmp_path / "docs"), None, tmp_path / "cache") as reader:
        tree = reader.tree(sha)
        found = detect(tree, lambda paths, limit: reader.read(sha, paths, limit))
    assert len(found) == len([p for p in fixture.files if p.startswith("commands/")])
    assert [a for a in found if a.confidence >= 30] == []


def test_complete_subagents_in_a_documentation_category_are_listed() -> None:
    found = MemRepo(agents_collection().files).by_path()
    writer = found[("agent", "documentation/readme-writer.md")]
    assert writer.confidence >= 30 and writer.name == "readme-writer"
    assert "collection_readme" in writer.score_breakdown
    assert "docs_folder" not in writer.score_breakdown  # a complete definition is not penalized
    guide = found[("agent", "documentation/style-guide.md")]
    assert guide.confidence < 30 and guide.score_breakdown["docs_folder"] < 0


def test_folder_position_alone_never_lists_a_file() -> None:
    found = MemRepo({"commands/commit.md": BARE_PROMPT, "agents/helper.md": BARE_PROMPT})
    by_path = found.by_path()
    assert by_path[("command", "commands/commit.md")].confidence < 30
    assert by_path[("agent", "agents/helper.md")].confidence < 30
    assert found.shown() == set()


@pytest.mark.parametrize(
    ("evidence", "listed"),
    [
        ({}, False),
        ({"CLAUDE.md": "# Notes\n", ".claude/settings.json": {"permissions": {}}}, False),
        ({".claude/commands/own.md": command()}, False),  # weak: the project uses Claude Code
        ({"README.md": "# Prompts for Claude Code\n", "skills/s/SKILL.md": "---\nname: s\n"
          "description: Does s.\n---\n"}, True),
        (PLUGIN_MARKETPLACE, True),
        ({"README.md": "Install: `cp -r prompts ~/.claude/commands/`\n", "prompts/x.md": "X\n"},
         True),
    ],
    ids=["nothing", "claude-md-and-settings", "own-claude-commands", "readme-and-skill",
         "marketplace", "install-readme"],
)
def test_repository_signal_is_the_prior_for_a_loose_command(
        evidence: dict[str, object], listed: bool) -> None:
    repo = MemRepo({**evidence, "extras/commands/commit.md": BARE_PROMPT})  # type: ignore[dict-item]
    found = repo.by_path()[("command", "extras/commands/commit.md")]
    assert (found.confidence >= 30) is listed, found.score_breakdown
    assert "repo_signal" in found.score_breakdown


def test_repository_evidence_is_named_in_the_breakdown() -> None:
    repo = MemRepo({**PLUGIN_MARKETPLACE, "extras/commands/commit.md": BARE_PROMPT})
    found = repo.by_path()[("command", "extras/commands/commit.md")]
    assert found.score_breakdown["repo_evidence"] == "plugin or marketplace manifests"
    assert repository_signal(repo.tree, repo.read).evidence == ("plugin_manifests",)


def test_claude_code_content_lists_a_command_without_any_owner() -> None:
    repo = MemRepo({
        "commands/deploy.md": command(),  # allowed-tools and $ARGUMENTS
        "commands/review.md": "You are a careful reviewer. Review $ARGUMENTS.\n",
        "commands/plain.md": "---\ndescription: Deploys things\n---\nDeploys things.\n",
    })
    assert repo.shown() == {("command", "commands/deploy.md"), ("command", "commands/review.md")}


def test_documentation_folder_never_vetoes_a_complete_definition() -> None:
    repo = MemRepo({
        "docs/commands/deploy.md": command(),
        "docs/commands/init.md": "# tool init\n\nCreates a config file.\n",
        "docs/agents/reviewer.md": agent("reviewer"),
        "docs/agents/overview-of-roles.md": "# Roles\n\nWho does what.\n",
    })
    found = repo.by_path()
    assert repo.shown() == {("command", "docs/commands/deploy.md"),
                            ("agent", "docs/agents/reviewer.md")}
    assert found[("command", "docs/commands/init.md")].score_breakdown["docs_folder"] < 0


def test_model_prompt_cues_ignore_code_blocks_and_descriptive_prose() -> None:
    repo = MemRepo({
        **PLUGIN_MARKETPLACE,
        "plugins/p/commands/a.md": "Run it.\n\n```\nyou are a shell example\n```\n",
        "plugins/p/commands/b.md": "The command will ask the user for a password.\n",
        "plugins/p/commands/c.md": "Before editing, ask the user which branch to use.\n",
    })
    found = repo.by_path()
    assert "model_prompt" not in found[("command", "plugins/p/commands/a.md")].score_breakdown
    assert "model_prompt" not in found[("command", "plugins/p/commands/b.md")].score_breakdown
    assert "model_prompt" in found[("command", "plugins/p/commands/c.md")].score_breakdown


def test_positional_placeholders_are_not_prices() -> None:
    repo = MemRepo({
        **PLUGIN_MARKETPLACE,
        "plugins/p/commands/fix.md": "Fix issue #$1 on branch $2.\n",
        "plugins/p/commands/plan.md": "Plans cost $9.99 a month, or $1,000 a year.\n",
    })
    found = repo.by_path()
    assert "positional_arguments" in found[("command", "plugins/p/commands/fix.md")].score_breakdown
    assert "positional_arguments" not in found[
        ("command", "plugins/p/commands/plan.md")].score_breakdown


def test_a_documentation_tree_costs_two_reads_not_one_per_page() -> None:
    files: dict[str, str | dict[str, object]] = {
        f"docs/guide/page-{i:02}.md": f"# Page {i}\n\nHow to use the tool.\n" for i in range(40)
    }
    files.update({f"docs/team/{n}.md": agent(n) for n in ("writer", "editor", "checker")})
    repo = MemRepo({**PLUGIN_MARKETPLACE, **files})  # type: ignore[dict-item]
    shown = repo.shown()
    read = [p for paths, _ in repo.calls for p in paths if p.startswith("docs/guide/")]
    assert read == ["docs/guide/page-00.md", "docs/guide/page-01.md"]
    assert {p for _, p in shown if p.startswith("docs/")} == {
        f"docs/team/{n}.md" for n in ("writer", "editor", "checker")}

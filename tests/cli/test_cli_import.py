"""`skillmeat catalog import` and `catalog show` against a real database and git repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from skillmeat.cli.main import app
from tests.gitrepo import command, commit, skill

BROKEN = "---\nname: broken\ndescription: [unclosed\n---\n\nBody.\n"


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def scanned(runner: CliRunner, cli_env: Path) -> tuple[str, dict[str, str]]:
    repo = cli_env / "tools"
    commit(repo, {"skills/pdf/SKILL.md": skill("pdf"), "skills/pdf/run.sh": "echo hi\n",
                  "skills/broken/SKILL.md": BROKEN, ".claude/commands/deploy.md": command()})
    source = json.loads(run(runner, "sources", "add", str(repo), "--json"))
    run(runner, "sources", "scan", source["id"])
    listing = json.loads(run(runner, "catalog", "list", source["id"], "--json"))
    return source["id"], {i["path"]: i["id"] for i in listing["items"]}


def test_import_writes_into_the_collection_and_reports_outcomes(
        runner: CliRunner, cli_env: Path, scanned: tuple[str, dict[str, str]]) -> None:
    sid, ids = scanned
    collection = cli_env / "data" / "collection"
    out = run(runner, "catalog", "import", sid, ids["skills/pdf"],
              ids[".claude/commands/deploy.md"])
    assert "plugins/pdf" in out and "plugins/deploy" in out and "imported" in out
    assert (collection / "plugins/pdf/skills/pdf/run.sh").read_text() == "echo hi\n"
    again: dict[str, Any] = json.loads(run(runner, "catalog", "import", sid, ids["skills/pdf"],
                                           "--strategy", "rename", "--json"))
    assert [(i["outcome"], i["path"]) for i in again["items"]] == [("renamed", "plugins/pdf-2")]
    listing = json.loads(run(runner, "catalog", "list", sid, "--json"))
    assert {i["path"]: i["status"] for i in listing["items"]}["skills/pdf"] == "imported"


def test_import_errors_exit_non_zero_with_the_reason(
        runner: CliRunner, cli_env: Path, scanned: tuple[str, dict[str, str]]) -> None:
    sid, ids = scanned
    run(runner, "catalog", "exclude", sid, ids["skills/broken"])
    result = runner.invoke(app, ["catalog", "import", sid, ids["skills/broken"]])
    assert result.exit_code == 1
    assert "is excluded as not an artifact; restore it first" in result.stderr
    result = runner.invoke(app, ["catalog", "import", sid, ids["skills/pdf"],
                                 "--strategy", "merge"])
    assert result.exit_code == 2
    assert not (cli_env / "data" / "collection" / "plugins").exists()


def test_show_prints_metadata_files_and_frontmatter(
        runner: CliRunner, scanned: tuple[str, dict[str, str]]) -> None:
    sid, ids = scanned
    out = run(runner, "catalog", "show", sid, ids["skills/pdf"])
    assert "skill pdf" in out and "skills/pdf" in out
    assert "SKILL.md" in out and "run.sh" in out
    assert "name: pdf" in out and "description: Does a useful thing when asked." in out
    broken = run(runner, "catalog", "show", sid, ids["skills/broken"])
    assert "invalid YAML" in broken
    doc = json.loads(run(runner, "catalog", "show", sid, ids[".claude/commands/deploy.md"],
                         "--json"))
    assert doc["entry"]["name"] == "deploy"
    assert [f["path"] for f in doc["files"]["files"]] == ["deploy.md"]
    assert doc["main_file"]["frontmatter"] == {"description": "Run the deploy"}
    result = runner.invoke(app, ["catalog", "show", sid, "cat_nope"])
    assert result.exit_code == 1 and "not found" in result.stderr


def test_show_opens_the_main_file_the_api_names(
        runner: CliRunner, client: httpx.Client, scanned: tuple[str, dict[str, str]]) -> None:
    sid, ids = scanned
    base = f"/api/v1/marketplace/sources/{sid}/artifacts"
    mains = {}
    for path, entry_id in ids.items():
        listed = client.get(f"{base}/{entry_id}/files").json()
        shown = json.loads(run(runner, "catalog", "show", sid, entry_id, "--json"))
        assert shown["main_file"]["path"] == shown["files"]["main_file"] == listed["main_file"]
        mains[path] = listed["main_file"]
    assert mains == {"skills/pdf": "SKILL.md", "skills/broken": "SKILL.md",
                     ".claude/commands/deploy.md": "deploy.md"}


def test_show_prints_what_this_can_run(runner: CliRunner, cli_env: Path) -> None:
    repo = cli_env / "guard"
    commit(repo, {
        "plugins/g/.claude-plugin/plugin.json": json.dumps({"name": "g"}),
        "plugins/g/.mcp.json": json.dumps({"mcpServers": {"db": {
            "command": "npx", "args": ["db-mcp@latest"], "env": {"DB_TOKEN": "s3cret"}}}}),
        "skills/pdf/SKILL.md": skill("pdf"),
    })
    sid = json.loads(run(runner, "sources", "add", str(repo), "--json"))["id"]
    run(runner, "sources", "scan", sid)
    ids = {i["path"]: i["id"]
           for i in json.loads(run(runner, "catalog", "list", sid, "--json"))["items"]}
    out = run(runner, "catalog", "show", sid, ids["plugins/g/.mcp.json"])
    assert "What this can run" in out
    assert "MCP server db: npx db-mcp@latest" in out and "env: DB_TOKEN" in out
    assert "unpinned: npx db-mcp@latest in .mcp.json" in out and "s3cret" not in out
    shown = json.loads(run(runner, "catalog", "show", sid, ids["plugins/g/.mcp.json"], "--json"))
    assert shown["entry"]["risk"]["mcp_servers"][0]["env"] == ["DB_TOKEN"]
    assert shown["entry"]["risk_summary"] == "1 MCP server · 1 unpinned runner"
    plain = run(runner, "catalog", "show", sid, ids["skills/pdf"])
    assert "nothing: no hooks, MCP servers, scripts or tool grants" in plain

"""`skillmeat collection list|show|remove|verify` against a real database, git and files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skillmeat.cli.main import app
from tests.cli.test_cli_import import BROKEN, run
from tests.gitrepo import command, commit, skill


def test_list_show_verify_and_remove(runner: CliRunner, cli_env: Path) -> None:
    repo = cli_env / "tools"
    commit(repo, {"skills/pdf/SKILL.md": skill("pdf"), "skills/broken/SKILL.md": BROKEN,
                  ".claude/commands/deploy.md": command()})
    sid = json.loads(run(runner, "sources", "add", str(repo), "--json"))["id"]
    run(runner, "sources", "scan", sid)
    entries = {i["path"]: i["id"] for i in json.loads(
        run(runner, "catalog", "list", sid, "--json"))["items"]}
    run(runner, "catalog", "import", sid, entries["skills/pdf"],
        entries[".claude/commands/deploy.md"])
    listing = json.loads(run(runner, "collection", "list", "--json"))
    assert [u["name"] for u in listing["items"]] == ["deploy", "pdf"]
    assert "pdf" in run(runner, "collection", "list")
    shown = json.loads(run(runner, "collection", "show", "pdf", "--json"))
    assert (shown["source_url"], shown["path"], shown["local_edits"]) == (
        str(repo), "skills/pdf", False)
    assert "2 units, 0 problems" in run(runner, "collection", "verify")

    collection = cli_env / "data" / "collection"
    (collection / "plugins/pdf/skills/pdf/SKILL.md").write_text("edited")
    (collection / "plugins/deploy/commands/deploy.md").unlink()
    result = runner.invoke(app, ["collection", "verify"])
    assert result.exit_code == 1
    assert "pdf: skills/pdf/SKILL.md edited (local edit)" in result.stderr
    assert "deploy: commands/deploy.md missing" in result.stderr

    assert "removed deploy" in run(runner, "collection", "remove", "deploy")
    status = {i["path"]: i["status"] for i in json.loads(
        run(runner, "catalog", "list", sid, "--json"))["items"]}
    assert status[".claude/commands/deploy.md"] == "new"
    missing = runner.invoke(app, ["collection", "show", "deploy"])
    assert missing.exit_code == 1 and "no unit named 'deploy'" in missing.stderr
    report = json.loads(runner.invoke(app, ["collection", "verify", "--json"]).stdout)
    assert report["problems"] == ["pdf: skills/pdf/SKILL.md edited (local edit)"]

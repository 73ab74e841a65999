"""`skillmeat updates`, `skillmeat update NAME|--all` and `collection pin|unpin` against a real
database, git repositories and files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skillmeat.cli.main import app
from tests.cli.test_cli_import import run
from tests.gitrepo import command, commit, skill


def test_updates_review_confirm_pin_and_all(runner: CliRunner, cli_env: Path) -> None:
    repo = cli_env / "tools"
    commit(repo, {"skills/pdf/SKILL.md": skill("pdf"), ".claude/commands/deploy.md": command(),
                  ".claude/commands/ship.md": command("Ship it")})
    sid = json.loads(run(runner, "sources", "add", str(repo), "--json"))["id"]
    run(runner, "sources", "scan", sid)
    entries = {i["path"]: i["id"] for i in json.loads(
        run(runner, "catalog", "list", sid, "--json"))["items"]}
    run(runner, "catalog", "import", sid, *entries.values())
    assert json.loads(run(runner, "updates", "--json"))["count"] == 0

    commit(repo, {"skills/pdf/SKILL.md": skill("pdf") + "More steps.\n",
                  ".claude/commands/deploy.md": command("Deploy safely"),
                  ".claude/commands/ship.md": command("Ship it now")})
    assert "3 imported entries have updates" in run(runner, "sources", "scan", sid)
    assert "imported upd" in run(runner, "sources", "scans", sid)
    listing = json.loads(run(runner, "updates", "--json"))
    assert [u["name"] for u in listing["items"]] == ["deploy", "pdf", "ship"]
    assert "updates (3)" in run(runner, "updates")

    declined = runner.invoke(app, ["update", "pdf"], input="n\n")
    assert declined.exit_code == 1
    assert "+More steps." in declined.stdout and "modified skills/pdf/SKILL.md" in declined.stdout
    accepted = runner.invoke(app, ["update", "pdf"], input="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert "Update pdf " in accepted.stdout

    assert "ship pinned at " in run(runner, "collection", "pin", "ship")
    assert "ship is pinned" in run(runner, "updates")
    collection = cli_env / "data" / "collection"
    (collection / "plugins/deploy/commands/deploy.md").write_text("mine")
    everything = runner.invoke(app, ["update", "--all", "--yes"])
    assert everything.exit_code == 0, everything.stderr
    assert "deploy: local edits" in everything.stderr
    assert "nothing to update" in everything.stdout
    done = json.loads(run(runner, "update", "deploy", "--yes", "--on-local-edits", "keep",
                          "--json"))
    assert done["update"]["kept"] == ["commands/deploy.md"]
    assert (collection / "plugins/deploy/commands/deploy.md").read_text() == "mine"
    assert "ship unpinned" in run(runner, "collection", "unpin", "ship")
    assert "Update ship" in run(runner, "update", "--all", "--yes")
    assert json.loads(run(runner, "updates", "--json"))["count"] == 0
    assert runner.invoke(app, ["update"]).exit_code == 2

"""`skillmeat search` against a real database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skillmeat.cli.main import app
from tests.cli.test_cli_catalog import run


def test_search_across_sources_with_type_and_source_filters(runner: CliRunner,
                                                            cli_env: Path) -> None:
    ids = []
    for url, kind, path in (("https://github.com/acme/tools", "skill", "skills/pdf"),
                            ("https://github.com/other/list", "command", "commands/pdf.md")):
        source = json.loads(run(runner, "sources", "add", url, "--json"))
        ids.append(source["id"])
        doc = cli_env / "scan.json"
        doc.write_text(json.dumps({"commit": "abcdef12", "artifacts": [
            {"type": kind, "name": "pdf", "path": path, "content_hash": "same",
             "confidence": 90, "description": "Fill [red]forms[/red]"}]}))
        run(runner, "catalog", "apply", source["id"], str(doc))
    both = json.loads(run(runner, "search", "pdf", "--json"))
    assert {i["entry"]["path"] for i in both["items"]} == {"skills/pdf", "commands/pdf.md"}
    assert [i["also_in"] for i in both["items"]] == [1, 1]
    one = json.loads(run(runner, "search", "pdf", "--type", "command", "--json"))
    assert [i["entry"]["path"] for i in one["items"]] == ["commands/pdf.md"]
    other = json.loads(run(runner, "search", "pdf", "--source", ids[0], "--json"))
    assert [i["entry"]["path"] for i in other["items"]] == ["skills/pdf"]
    table = run(runner, "search", "forms")
    assert "[red]forms[/red]" in table and "by type: command 1, skill 1" in table
    bad = runner.invoke(app, ["search", "?!"])
    assert bad.exit_code == 1 and "letter or a digit" in bad.output

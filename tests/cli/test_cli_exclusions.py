"""`skillmeat catalog exclude/restore/history`, `rules`, `exclusions` on a real database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from skillmeat.cli.main import app
from tests.cli.test_cli_catalog import run


def seeded(runner: CliRunner, cli_env: Path, url: str = "https://github.com/acme/tools",
           ) -> tuple[str, dict[str, str]]:
    source = json.loads(run(runner, "sources", "add", url, "--json"))
    paths = ["skills/pdf", "skills/docx", "docs/a.md", "docs/b.md"]
    doc = {"commit": "abcdef12", "artifacts": [
        {"type": "command" if p.endswith(".md") else "skill", "name": p.split("/")[-1],
         "path": p, "content_hash": "a", "confidence": 90} for p in paths]}
    scan = cli_env / "scan.json"
    scan.write_text(json.dumps(doc))
    run(runner, "catalog", "apply", source["id"], str(scan))
    items = json.loads(run(runner, "catalog", "list", source["id"], "--json"))["items"]
    return source["id"], {i["path"]: i["id"] for i in items}


def excluded(runner: CliRunner, sid: str) -> set[str]:
    body = json.loads(run(runner, "catalog", "list", sid, "--status", "excluded", "--json"))
    return {i["path"] for i in body["items"]}


def test_bulk_by_ids_and_filter_and_history(runner: CliRunner, cli_env: Path) -> None:
    sid, ids = seeded(runner, cli_env)
    out = json.loads(run(runner, "catalog", "exclude", sid, ids["skills/pdf"],
                         ids["skills/docx"], "--reason", "demos", "--json"))
    assert out == {"changed": 2, "already": 0}
    out = json.loads(run(runner, "catalog", "exclude", sid, "--filter",
                         '{"artifact_type": "command"}', "--json"))
    assert out == {"changed": 2, "already": 0}
    assert excluded(runner, sid) == {"skills/pdf", "skills/docx", "docs/a.md", "docs/b.md"}
    assert "restored 1" in run(runner, "catalog", "restore", sid, "--filter",
                               '{"search": "a.md"}')
    history: Any = json.loads(run(runner, "catalog", "history", sid, ids["docs/a.md"],
                                  "--json"))
    assert [(e["action"], e["actor"]) for e in history["items"]] == [
        ("bulk_restore", "cli"), ("bulk_exclude", "cli")]
    bad = runner.invoke(app, ["catalog", "exclude", sid, "--filter", "[[["])
    assert bad.exit_code == 1 and "not JSON" in bad.output
    foreign = runner.invoke(app, ["catalog", "exclude", sid, "cat_nope", "cat_other"])
    assert foreign.exit_code == 1 and "not found" in foreign.output


def test_rules_and_export_import(runner: CliRunner, cli_env: Path) -> None:
    sid, ids = seeded(runner, cli_env)
    assert "would exclude 2" in run(runner, "rules", "add", sid, "docs/**", "--dry-run")
    assert excluded(runner, sid) == set()
    rule = json.loads(run(runner, "rules", "add", sid, "docs/**", "--reason", "man pages",
                          "--json"))
    assert rule["excluded_count"] == 2
    listed = json.loads(run(runner, "rules", "list", sid, "--json"))
    assert [(r["pattern"], r["excluded_count"]) for r in listed] == [("docs/**", 2)]
    run(runner, "catalog", "exclude", sid, ids["skills/pdf"])
    exported = cli_env / "exclusions.json"
    run(runner, "exclusions", "export", str(exported))
    assert "restored 2" in run(runner, "rules", "rm", sid, rule["id"])
    run(runner, "catalog", "restore", sid, ids["skills/pdf"])
    assert excluded(runner, sid) == set()
    report = json.loads(run(runner, "exclusions", "import", str(exported), "--json"))
    assert (report["rules_added"], report["excluded"]) == (1, 1)
    assert excluded(runner, sid) == {"skills/pdf", "docs/a.md", "docs/b.md"}
    again = run(runner, "exclusions", "import", str(exported))
    assert "0 added, 1 already" in again and "0 applied, 1 already" in again
    deep = cli_env / "deep.json"
    deep.write_text("[" * 10000 + "]" * 10000)
    refused = runner.invoke(app, ["exclusions", "import", str(deep)])
    assert refused.exit_code == 1 and "nested" in refused.output

"""The `skillmeat` command against a real database and real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from skillmeat.cache import migrate
from skillmeat.cli.main import app
from tests.gitrepo import agent, command, commit, skill


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_add_apply_list_exclude_restore(runner: CliRunner, cli_env: Path) -> None:
    source = json.loads(run(runner, "sources", "add", "https://github.com/acme/tools", "--json"))
    doc = {"commit": "abcdef12", "artifacts": [
        {"type": "skill", "name": "pdf", "path": "skills/pdf", "content_hash": "a",
         "confidence": 90},
        {"type": "command", "name": "go", "path": "commands/go.md", "content_hash": "b",
         "confidence": 60}]}
    scan = cli_env / "scan.json"
    scan.write_text(json.dumps(doc))
    assert "2 new" in run(runner, "catalog", "apply", source["id"], str(scan))
    listing = json.loads(run(runner, "catalog", "list", source["id"], "--json"))
    entry = next(i for i in listing["items"] if i["path"] == "skills/pdf")
    excluded = json.loads(run(runner, "catalog", "exclude", source["id"], entry["id"],
                              "--reason", "docs", "--json"))
    assert (excluded["status"], excluded["excluded_reason"]) == ("excluded", "docs")
    hidden = json.loads(run(runner, "catalog", "list", source["id"], "--json"))
    assert [i["path"] for i in hidden["items"]] == ["commands/go.md"]
    assert hidden["counts_by_status"]["excluded"] == 1
    shown = run(runner, "catalog", "list", source["id"], "--include-excluded")
    assert "skills/pdf" in shown
    restored = json.loads(run(runner, "catalog", "restore", source["id"], entry["id"], "--json"))
    assert restored["status"] == "new"
    assert source["id"] in run(runner, "sources", "list")
    assert "acme/tools" in run(runner, "sources", "show", source["id"])
    run(runner, "sources", "rm", source["id"])
    assert source["id"] not in run(runner, "sources", "list", "--json")


def test_errors_are_readable_and_exit_non_zero(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["catalog", "exclude", "src_nope", "cat_nope"])
    assert result.exit_code == 1
    assert "not found" in result.stderr
    bad = cli_env / "bad.json"
    bad.write_text('{"commit": "xyz"}')
    result = runner.invoke(app, ["catalog", "apply", "src_nope", str(bad)])
    assert result.exit_code == 1
    assert "invalid scan-result document" in result.stderr
    result = runner.invoke(app, ["sources", "add", "http://insecure.example/x.git"])
    assert result.exit_code == 1 and "https://" in result.stderr


def test_detect_json_feeds_catalog_apply(runner: CliRunner, cli_env: Path) -> None:
    repo = cli_env / "repo"
    commit(repo, {"skills/pdf/SKILL.md": skill("pdf"), ".claude/agents/rev.md": agent("rev"),
                  ".claude/commands/go.md": command(), "README.md": "# hi\n"})
    doc = json.loads(run(runner, "detect", str(repo), "--json"))
    assert {(a["type"], a["path"]) for a in doc["artifacts"]} == {
        ("skill", "skills/pdf"), ("agent", ".claude/agents/rev.md"),
        ("command", ".claude/commands/go.md")}
    assert all(a["confidence"] >= 30 and a["content_hash"] for a in doc["artifacts"])
    scan = cli_env / "scan.json"
    scan.write_text(json.dumps(doc))
    source = json.loads(run(runner, "sources", "add", "https://github.com/acme/x", "--json"))
    assert "3 new" in run(runner, "catalog", "apply", source["id"], str(scan))
    assert "skills/pdf" in run(runner, "detect", str(repo))


def test_sources_add_scan_and_history(runner: CliRunner, cli_env: Path) -> None:
    repo = cli_env / "repo"
    commit(repo, {"skills/pdf/SKILL.md": skill("pdf")})
    source = json.loads(run(runner, "sources", "add", str(repo), "--scan", "--json"))
    assert source["scan_status"] == "success" and source["artifact_count"] == 1
    assert "unchanged" in run(runner, "sources", "scan", source["id"])
    commit(repo, {"skills/docx/SKILL.md": skill("docx")})
    result = json.loads(run(runner, "sources", "scan", source["id"], "--json"))
    assert result["new_count"] == 1
    history = json.loads(run(runner, "sources", "scans", source["id"], "--json"))
    assert [h["outcome"] for h in history] == ["success", "unchanged", "success"]
    assert "success" in run(runner, "sources", "scans", source["id"])
    failed = runner.invoke(app, ["sources", "scan", "src_nope"])
    assert failed.exit_code == 1 and "not found" in failed.stderr


def test_db_upgrade_reports_head(runner: CliRunner, cli_env: Path) -> None:
    assert f"revision {migrate.head_revision()}" in run(runner, "db", "upgrade")


def test_apply_refuses_deep_or_nested_breakdowns_and_stores_nothing(
        runner: CliRunner, cli_env: Path) -> None:
    source = json.loads(run(runner, "sources", "add", "https://github.com/acme/deep", "--json"))
    artifact = '{"type": "skill", "name": "x", "path": "skills/x", "content_hash": "a", ' \
        '"confidence": 50, "score_breakdown": %s}'
    deep = cli_env / "deep.json"
    deep.write_text('{"commit": "abcdef12", "artifacts": [%s]}' % (
        artifact % ("[" * 100_000 + "]" * 100_000)))
    nested = cli_env / "nested.json"
    nested.write_text('{"commit": "abcdef12", "artifacts": [%s]}' % (artifact % '{"a": {"b": 1}}'))
    for path, words in ((deep, "JSON is nested deeper than 64 levels"),
                        (nested, "invalid scan-result document")):
        result = runner.invoke(app, ["catalog", "apply", source["id"], str(path)])
        assert result.exit_code == 1 and words in result.output, result.output
    listing = json.loads(run(runner, "catalog", "list", source["id"], "--json"))
    assert listing["items"] == []


def test_plugins_list_show_members_and_remote_add_command(runner: CliRunner,
                                                          cli_env: Path) -> None:
    repo = cli_env / "plugins-repo"
    market = {"name": "m", "owner": {"name": "o"}, "plugins": [
        {"name": "tools", "source": "./tools"},
        {"name": "far", "source": {"source": "github", "repo": "acme/far", "sha": "a" * 40}}]}
    commit(repo, {".claude-plugin/marketplace.json": json.dumps(market),
                  "tools/.claude-plugin/plugin.json": json.dumps({"name": "tools"}),
                  "tools/skills/pdf/SKILL.md": skill("pdf"),
                  "tools/commands/go.md": command()})
    doc = json.loads(run(runner, "detect", str(repo), "--json"))
    assert {a["path"]: a["plugin_path"] for a in doc["artifacts"]}["tools/commands/go.md"] \
        == "tools"
    source = json.loads(run(runner, "sources", "add", str(repo), "--scan", "--json"))
    plugins = json.loads(run(runner, "catalog", "list", source["id"], "--type", "plugin",
                             "--json"))
    assert sorted(i["name"] for i in plugins["items"]) == ["far", "tools"]
    shown = json.loads(run(runner, "catalog", "show", source["id"], "tools", "--json"))
    assert {m["path"] for m in shown["members"]} == {"tools/skills/pdf", "tools/commands/go.md"}
    assert "tools/commands/go.md" in run(runner, "catalog", "show", source["id"], "tools")
    far = run(runner, "catalog", "show", source["id"], "far")
    assert f"skillmeat sources add https://github.com/acme/far --ref {'a' * 40}" in far
    missing = runner.invoke(app, ["catalog", "show", source["id"], "nope"])
    assert missing.exit_code == 1 and "entry or plugin 'nope' not found" in missing.stderr
    # The same document pushed to another source links members to their plugin there too.
    scan = cli_env / "plugins-scan.json"
    scan.write_text(json.dumps(doc))
    pushed = json.loads(run(runner, "sources", "add", "https://github.com/acme/mirror",
                            "--json"))
    run(runner, "catalog", "apply", pushed["id"], str(scan))
    items = json.loads(run(runner, "catalog", "list", pushed["id"], "--json"))["items"]
    by_path = {i["path"]: i for i in items}
    assert by_path["tools/commands/go.md"]["plugin_id"] == by_path["tools"]["id"]
    assert by_path["tools"]["member_counts"] == {"command": 1, "skill": 1}
    assert by_path["tools"]["upstream_url"] == "https://github.com/acme/mirror/tree/main/tools"

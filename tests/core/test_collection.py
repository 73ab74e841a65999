"""The collection as a Claude Code marketplace: layout, lock, git history, migration, verify,
removal, each checked against the real Claude Code where it has an opinion."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry
from skillmeat.config import Settings
from skillmeat.core.collection import service
from skillmeat.core.collection.manifest import file_hash, read_lock
from skillmeat.core.collection.units import is_unit_name, unit_name
from skillmeat.core.cursor import CursorCodec
from skillmeat.core.errors import NotFound
from skillmeat.core.marketplace import catalog, importing, sources
from tests.claude_cli import ClaudeCli
from tests.core.collection_fixtures import FILES, HOOKS, MCP, PLUGIN_FILES, scanned_repo

KINDS = {"skills/pdf": "skill", ".claude/commands/deploy.md": "command",
         ".claude/agents/reviewer.md": "agent", "guard/hooks/hooks.json": "hooks",
         "servers/.mcp.json": "mcp", "bundles/toolbox": "plugin"}


def git_log(root: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(root), "log", "--format=%s"], capture_output=True,
                         text=True, check=True).stdout
    return out.splitlines()


def statuses(db: Database, sid: str) -> dict[str, str]:
    with db.session(write=False) as session:
        rows = session.scalars(select(MarketplaceCatalogEntry).where(
            MarketplaceCatalogEntry.source_id == sid)).all()
        return {e.path: e.status for e in rows}


@pytest.fixture
def tools(db: Database, settings: Settings, tmp_path: Path) -> tuple[str, dict[str, str]]:
    return scanned_repo(db, settings, tmp_path)


@pytest.mark.parametrize("path", list(KINDS), ids=list(KINDS.values()))
def test_each_kind_of_import_passes_claude_code_strict_validation(
        path: str, db: Database, settings: Settings, tools: tuple[str, dict[str, str]],
        claude: ClaudeCli) -> None:
    sid, ids = tools
    [item] = importing.import_entries(db, settings, sid, [ids[path]]).items
    root = settings.resolved_collection_dir
    report = claude.validate(root)
    assert report["exit"] == 0 and report["success"], json.dumps(report, indent=1)[:3000]
    unit = root / item.path
    record = read_lock(root)[unit.name]
    assert record.kind == KINDS[path]
    # Every file as written is in the lock with its hash.
    on_disk = {p.relative_to(unit).as_posix() for p in unit.rglob("*") if p.is_file()}
    assert set(record.files) == on_disk
    assert all(record.files[p] == file_hash(unit / p) for p in on_disk)
    assert (record.path, record.entry_id) == (path, ids[path])
    assert git_log(root)[0].startswith(f"Import {unit.name} from tools@{record.commit[:7]}")


def test_units_are_laid_out_where_claude_code_looks(
        db: Database, settings: Settings, tools: tuple[str, dict[str, str]]) -> None:
    sid, ids = tools
    importing.import_entries(db, settings, sid, [ids[p] for p in KINDS])
    plugins = settings.resolved_collection_dir / "plugins"
    assert json.loads((plugins / "guard/hooks/hooks.json").read_text()) == HOOKS
    assert os.access(plugins / "guard/hooks/check.sh", os.X_OK)
    assert json.loads((plugins / "servers/.mcp.json").read_text()) == MCP
    assert (plugins / "deploy/commands/deploy.md").read_text() == \
        FILES[".claude/commands/deploy.md"]
    assert (plugins / "reviewer/agents/reviewer.md").is_file()
    # A whole plugin is copied as published: its own manifest, untouched.
    toolbox = {p.relative_to(plugins / "toolbox").as_posix(): p.read_text()
               for p in (plugins / "toolbox").rglob("*") if p.is_file()}
    assert toolbox == {k.removeprefix("bundles/toolbox/"): v for k, v in PLUGIN_FILES.items()}
    generated = json.loads((plugins / "pdf/.claude-plugin/plugin.json").read_text())
    assert generated["name"] == "pdf" and generated["homepage"].startswith("file://")
    market = json.loads((plugins.parent / ".claude-plugin/marketplace.json").read_text())
    toolbox_entry = next(p for p in market["plugins"] if p["name"] == "toolbox")
    assert (toolbox_entry["version"], toolbox_entry["source"]) == ("2.1.0", "./plugins/toolbox")
    assert all({"name", "description", "version", "homepage"} <= set(p)
               for p in market["plugins"])
    assert service.verify(settings).ok


def test_remove_commits_and_gives_the_entry_back_its_derived_status(
        db: Database, settings: Settings, tools: tuple[str, dict[str, str]]) -> None:
    sid, ids = tools
    importing.import_entries(db, settings, sid, [ids["skills/pdf"], ids["servers/.mcp.json"]])
    assert statuses(db, sid)["skills/pdf"] == "imported"
    service.remove_unit(db, settings, "pdf")
    root = settings.resolved_collection_dir
    assert not (root / "plugins/pdf").exists()
    assert list(read_lock(root)) == ["servers"]
    assert git_log(root)[0].startswith("Remove pdf (from ")
    assert statuses(db, sid)["skills/pdf"] == "new"
    assert statuses(db, sid)["servers/.mcp.json"] == "imported"
    with pytest.raises(NotFound):
        service.remove_unit(db, settings, "pdf")
    assert service.verify(settings).ok
    importing.import_entries(db, settings, sid, [ids["servers/.mcp.json"]], "overwrite")
    assert git_log(root)[0].startswith("Update servers from tools@")


def test_verify_reports_local_edits_missing_files_and_disagreements(
        db: Database, settings: Settings, tools: tuple[str, dict[str, str]]) -> None:
    sid, ids = tools
    importing.import_entries(db, settings, sid, [ids["skills/pdf"], ids["bundles/toolbox"]])
    root = settings.resolved_collection_dir
    assert service.verify(settings).ok
    (root / "plugins/pdf/skills/pdf/SKILL.md").write_text("edited by hand")
    (root / "plugins/toolbox/README.md").unlink()
    (root / "plugins/toolbox/extra.txt").write_text("mine")
    (root / "plugins/stray").mkdir()
    report = service.verify(settings)
    assert not report.ok
    assert report.problems == [
        "stray: folder plugins/stray is in neither the lock file nor marketplace.json",
        "pdf: skills/pdf/SKILL.md edited (local edit)",
        "toolbox: README.md missing",
        "toolbox: extra.txt added (local edit)",
    ]
    codec = CursorCodec(b"k" * 32)
    units = {v.record.name: v for v in service.list_units(settings, codec).items}
    assert units["pdf"].local_edits and units["toolbox"].local_edits
    assert units["pdf"].changed_files == ["skills/pdf/SKILL.md"]


def test_old_layout_is_migrated_once_with_nothing_lost(settings: Settings,
                                                        claude: ClaudeCli) -> None:
    root = settings.resolved_collection_dir
    old = {"skills/pdf/SKILL.md": FILES["skills/pdf/SKILL.md"],
           "skills/pdf/scripts/extract.py": "print(1)\n",
           "commands/deploy.md": FILES[".claude/commands/deploy.md"],
           "agents/reviewer.md": FILES[".claude/agents/reviewer.md"],
           "hooks/guard/hooks.json": json.dumps(HOOKS), "hooks/guard/check.sh": "exit 0\n",
           "mcp/files/.mcp.json": json.dumps(MCP)}
    for rel, text in old.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(str(text))
    report = service.verify(settings)  # the first use migrates
    assert report.ok, report.problems
    assert report.units == 5
    assert not any((root / d).exists() for d in ("skills", "commands", "agents", "hooks", "mcp"))
    plugins = root / "plugins"
    moved = {"pdf/skills/pdf/SKILL.md": "skills/pdf/SKILL.md",
             "pdf/skills/pdf/scripts/extract.py": "skills/pdf/scripts/extract.py",
             "deploy/commands/deploy.md": "commands/deploy.md",
             "reviewer/agents/reviewer.md": "agents/reviewer.md",
             "guard/hooks/hooks.json": "hooks/guard/hooks.json",
             "guard/hooks/check.sh": "hooks/guard/check.sh",
             "files/.mcp.json": "mcp/files/.mcp.json"}
    for new, was in moved.items():
        assert (plugins / new).read_text() == old[was], new
    assert git_log(root) == ["Migrate 5 artifacts to the Claude Code marketplace layout"]
    assert read_lock(root)["pdf"].path == "skills/pdf"
    service.verify(settings)
    assert len(git_log(root)) == 1  # once
    report_claude = claude.validate(root)
    assert report_claude["success"], json.dumps(report_claude, indent=1)[:3000]


@pytest.mark.parametrize(("name", "expected"), [
    ("pdf", "pdf"), ("My PDF Tool", "my-pdf-tool"), ("/etc/cron.d/pwn", "etc-cron-d-pwn"),
    ("..", "cat-1"), ("x" * 200, "x" * 64), ("ünïcode_name", "n-code-name"), ("", "cat-1"),
    ("Updates", "updates-unit")])
def test_unit_names_are_names_claude_code_installs(name: str, expected: str) -> None:
    got = unit_name(name, fallback="cat_1")
    assert got == expected and is_unit_name(got)
    assert not is_unit_name("My Tool") and not is_unit_name("a_b") and not is_unit_name("-a")


def test_migration_keeps_what_the_catalog_knows_and_removal_resets_the_entry(
        db: Database, settings: Settings, tools: tuple[str, dict[str, str]]) -> None:
    sid, ids = tools
    with db.session() as session:  # imported by the first import service, old layout
        source = sources.get_source(session, sid, lock=True)
        entry = catalog.get_entry(session, sid, ids["skills/pdf"], lock=True)
        catalog.mark_imported(session, source, entry, "imp_old", entry.detected_sha)
    root = settings.resolved_collection_dir
    (root / "skills/pdf").mkdir(parents=True)
    (root / "skills/pdf/SKILL.md").write_text(str(FILES["skills/pdf/SKILL.md"]))
    (root / "commands").mkdir()
    (root / "commands/mine.md").write_text("my own command")
    assert service.verify(settings, db).ok
    units = read_lock(root)
    assert (units["pdf"].entry_id, units["pdf"].path, units["pdf"].source_id) == (
        ids["skills/pdf"], "skills/pdf", sid)
    assert units["mine"].entry_id is None and units["mine"].path == "commands/mine.md"
    service.remove_unit(db, settings, "pdf")
    assert statuses(db, sid)["skills/pdf"] == "new"

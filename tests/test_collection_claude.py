"""The real Claude Code reads the collection: as a folder and over /collection.git from a
running server (also with protected reads), installs every kind of unit, shows exactly the
imported component, and stops offering a unit once it is removed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from skillmeat.core.collection import service
from skillmeat.core.marketplace import importing
from tests.claude_cli import ClaudeCli
from tests.conftest import LiveServer
from tests.core.collection_fixtures import scanned_repo

TOKEN = "claude-reads-with-this-token"
# What `claude plugin details NAME@skillmeat` must list for each unit, and nothing else.
EXPECTED = {"pdf": {"Skills": "pdf"}, "deploy": {"Skills": "deploy"},
            "reviewer": {"Agents": "reviewer"}, "guard": {"Hooks": "PreToolUse"},
            "servers": {"MCP servers": "files"}, "toolbox": {"Skills": "lint"}}
WANTED = ["skills/pdf", ".claude/commands/deploy.md", ".claude/agents/reviewer.md",
          "guard/hooks/hooks.json", "servers/.mcp.json", "bundles/toolbox",
          "bundles/toolbox/commands/lint.md"]
_ROW = re.compile(r"^\s+(Skills|Agents|Hooks|MCP servers|LSP servers) \((\d+)\)\s*(\S*)")


def inventory(claude: ClaudeCli, name: str) -> dict[str, str]:
    out = claude.run("plugin", "details", f"{name}@skillmeat").stdout
    found = {}
    for line in out.splitlines():
        match = _ROW.match(line)
        if match and match.group(2) != "0":
            assert match.group(2) == "1", line
            found[match.group(1)] = match.group(3)
    return found


def offered(claude: ClaudeCli) -> set[str]:
    doc = json.loads(claude.run("plugin", "list", "--available", "--json").stdout)
    return {p["id"] if "id" in p else p["pluginId"] for p in doc["installed"] + doc["available"]}


@pytest.fixture
def collection(db: Database, settings: Settings, tmp_path: Path) -> Path:
    sid, ids = scanned_repo(db, settings, tmp_path)
    importing.import_entries(db, settings, sid, [ids[p] for p in WANTED])
    return settings.resolved_collection_dir


def install_and_check(claude: ClaudeCli, names: list[str]) -> None:
    for name in names:
        claude.run("plugin", "install", f"{name}@skillmeat")
        assert inventory(claude, name) == EXPECTED[name], name


def test_claude_code_installs_every_kind_from_the_collection_folder(
        claude: ClaudeCli, collection: Path, db: Database, settings: Settings) -> None:
    claude.run("plugin", "marketplace", "add", str(collection))
    install_and_check(claude, list(EXPECTED))
    assert "lint@skillmeat" in offered(claude)
    service.remove_unit(db, settings, "lint")
    claude.run("plugin", "marketplace", "update", "skillmeat")
    assert "lint@skillmeat" not in offered(claude)
    assert "pdf@skillmeat" in offered(claude)


def test_claude_code_adds_the_collection_over_smart_http(
        claude: ClaudeCli, collection: Path, client: httpx.Client, db: Database,
        settings: Settings) -> None:
    claude.run("plugin", "marketplace", "add", f"{client.base_url}/collection.git")
    install_and_check(claude, ["pdf", "guard"])  # every kind: see the folder test
    service.remove_unit(db, settings, "lint")
    claude.run("plugin", "marketplace", "update", "skillmeat")
    assert "lint@skillmeat" not in offered(claude)


def test_claude_code_reads_a_protected_collection_with_the_token(
        claude: ClaudeCli, collection: Path, client: httpx.Client, live_server: LiveServer,
        db: Database, settings: Settings) -> None:
    protected = {"api_token": SecretStr(TOKEN), "protect_reads": True}
    live_server.use(settings.model_copy(update=protected), db)
    url = f"{client.base_url}/collection.git"
    refused = claude.run("plugin", "marketplace", "add", url, check=False)
    assert refused.returncode != 0
    claude.run("plugin", "marketplace", "add", url.replace("://", f"://skillmeat:{TOKEN}@"))
    claude.run("plugin", "install", "servers@skillmeat")
    assert inventory(claude, "servers") == EXPECTED["servers"]

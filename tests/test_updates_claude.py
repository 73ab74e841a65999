"""The real Claude Code takes a reviewed update: a plugin installed from the collection over
/collection.git gains a component upstream; after a rescan and an update through the API,
`claude plugin marketplace update` and `claude plugin update` install the new version."""

from __future__ import annotations

from pathlib import Path

import httpx

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from skillmeat.core.marketplace import importing
from tests.claude_cli import ClaudeCli
from tests.core.collection_fixtures import scanned_repo
from tests.gitrepo import agent, commit
from tests.test_collection_claude import inventory

BASE = "/api/v1/marketplace/sources"


def test_claude_code_installs_the_updated_unit(claude: ClaudeCli, client: httpx.Client,
                                               db: Database, settings: Settings,
                                               tmp_path: Path) -> None:
    sid, ids = scanned_repo(db, settings, tmp_path)
    importing.import_entries(db, settings, sid, [ids["bundles/toolbox"]])
    claude.run("plugin", "marketplace", "add", f"{client.base_url}/collection.git")
    claude.run("plugin", "install", "toolbox@skillmeat")
    assert inventory(claude, "toolbox") == {"Skills": "lint"}

    commit(tmp_path / "tools", {"bundles/toolbox/agents/helper.md": agent("helper")},
           message="toolbox: a helper agent")
    assert client.post(f"{BASE}/{sid}/rescan").json()["imported_updates_count"] >= 1
    preview = client.get("/api/v1/collection/toolbox/update-preview").json()
    # Upstream kept version 2.1.0: the unit's manifest carries the commit so Claude Code
    # sees a new version.
    assert [f["path"] for f in preview["files"]] == [".claude-plugin/plugin.json",
                                                     "agents/helper.md"]
    done = client.post("/api/v1/collection/toolbox/update")
    assert done.status_code == 200, done.text
    version = done.json()["version"]
    assert version == f"2.1.0+{done.json()['new_commit'][:7]}"

    claude.run("plugin", "marketplace", "update", "skillmeat")
    claude.run("plugin", "update", "toolbox@skillmeat")
    assert inventory(claude, "toolbox") == {"Skills": "lint", "Agents": "helper"}
    assert f"toolbox {version}" in claude.run("plugin", "details", "toolbox@skillmeat").stdout

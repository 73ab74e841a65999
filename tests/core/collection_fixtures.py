"""A repository with one artifact of every kind, scanned, for the collection tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import select

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry
from skillmeat.config import Settings
from skillmeat.core.marketplace import scanning, sources
from tests.gitrepo import agent, command, commit, skill

# Quoted placeholder: Claude Code's strict validation warns about an unquoted one.
HOOKS = {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
    {"type": "command", "command": "\"${CLAUDE_PLUGIN_ROOT}/hooks/check.sh\""}]}]}}
MCP = {"mcpServers": {"files": {"command": "npx", "args": ["files-mcp"]}}}
PLUGIN_FILES: dict[str, str | bytes] = {
    "bundles/toolbox/.claude-plugin/plugin.json": json.dumps(
        {"name": "toolbox", "version": "2.1.0", "description": "A published plugin",
         "author": {"name": "Acme"}}),
    "bundles/toolbox/commands/lint.md": command("Lint the code"),
    "bundles/toolbox/README.md": "# toolbox\n",
}
FILES: dict[str, str | bytes] = {
    "skills/pdf/SKILL.md": skill("pdf"),
    "skills/pdf/scripts/extract.py": "print('extract')\n",
    ".claude/commands/deploy.md": command(),
    ".claude/agents/reviewer.md": agent("reviewer"),
    "guard/hooks/hooks.json": json.dumps(HOOKS),
    "guard/hooks/check.sh": "#!/bin/sh\nexit 0\n",
    "servers/.mcp.json": json.dumps(MCP),
    **PLUGIN_FILES,
}


def scanned_repo(db: Database, settings: Settings,
                 tmp_path: Path) -> tuple[str, dict[str, str]]:
    """A scanned source with every kind, the whole plugin (`bundles/toolbox`) included.
    Returns (source id, path -> entry id)."""
    repo = tmp_path / "tools"
    commit(repo, FILES, message="initial")
    os.chmod(repo / "guard/hooks/check.sh", 0o755)
    commit(repo, message="executable hook script")
    with db.session() as session:
        sid = sources.create_source(session, str(repo)).id
    scanning.scan_source(db, settings, sid)
    with db.session(write=False) as session:
        rows = session.scalars(select(MarketplaceCatalogEntry).where(
            MarketplaceCatalogEntry.source_id == sid)).all()
        return sid, {e.path: e.id for e in rows if e.excluded_at is None}

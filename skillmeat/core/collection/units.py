"""Units of the collection: what an imported artifact becomes inside a Claude Code plugin.

Each unit is one folder `plugins/<name>/`. A plugin is copied whole, as published; a loose
skill, command, agent, hook set or MCP configuration is wrapped in a generated plugin with the
artifact at Claude Code's default place. This module only maps paths and builds manifests:
writing and placing is the store's job.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from skillmeat.core.errors import InvalidInput
from skillmeat.core.marketplace.parsing import OverBudget, load_json
from skillmeat.core.marketplace.vocabulary import ArtifactType

MANIFEST = ".claude-plugin/plugin.json"


class UnitKind(StrEnum):
    PLUGIN = "plugin"
    SKILL = "skill"
    COMMAND = "command"
    AGENT = "agent"
    HOOKS = "hooks"
    MCP = "mcp"


KIND_OF_TYPE: dict[str, UnitKind] = {
    ArtifactType.PLUGIN: UnitKind.PLUGIN, ArtifactType.SKILL: UnitKind.SKILL,
    ArtifactType.COMMAND: UnitKind.COMMAND, ArtifactType.AGENT: UnitKind.AGENT,
    ArtifactType.HOOK: UnitKind.HOOKS, ArtifactType.MCP_SERVER: UnitKind.MCP,
}

# Claude Code's own slash commands: a command of the same name shadows one of them.
BUILTIN_COMMANDS = frozenset({
    "add-dir", "agents", "bug", "clear", "compact", "config", "context", "cost", "doctor",
    "export", "help", "hooks", "ide", "init", "install-github-app", "login", "logout", "mcp",
    "memory", "model", "permissions", "plugin", "pr-comments", "release-notes", "resume",
    "review", "status", "terminal-setup", "upgrade", "usage", "vim",
})


MAX_UNIT_NAME = 64
_NOT_KEBAB = re.compile(r"[^a-z0-9]+")
_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# Paths of the collection API a unit's name would be shadowed by (GET /collection/updates).
TAKEN_BY_API = frozenset({"updates"})


def unit_name(name: str, fallback: str) -> str:
    """A name Claude Code installs (`install NAME@marketplace` refuses spaces and more) and a
    safe folder name: kebab-case ASCII, at most 64 characters; `fallback` when nothing of
    `name` is left; `-unit` after a name the API's own paths use."""
    for candidate in (name, fallback):
        slug = _NOT_KEBAB.sub("-", candidate.casefold())[:MAX_UNIT_NAME].strip("-")
        if slug:
            return f"{slug}-unit" if slug in TAKEN_BY_API else slug
    return "unit"


def is_unit_name(name: str) -> bool:
    return len(name) <= MAX_UNIT_NAME + 6 and _KEBAB.fullmatch(name) is not None


def kind_of(artifact_type: str) -> UnitKind:
    try:
        return KIND_OF_TYPE[artifact_type]
    except KeyError:
        raise InvalidInput(f"artifact type {artifact_type!r} cannot be imported") from None


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the files of one artifact go inside its unit folder."""

    kind: UnitKind
    name: str  # the artifact's own safe name (the unit folder may be renamed, this is not)
    single: bool  # the artifact is one file rather than a folder

    def place(self, relative: str) -> str:
        kind, name = self.kind, self.name
        if kind is UnitKind.PLUGIN:
            return relative
        if kind is UnitKind.SKILL:
            return f"skills/{name}/{relative}"
        if kind in (UnitKind.COMMAND, UnitKind.AGENT):
            folder = "commands" if kind is UnitKind.COMMAND else "agents"
            return f"{folder}/{name}.md" if self.single else f"{folder}/{name}/{relative}"
        if kind is UnitKind.HOOKS:
            return "hooks/hooks.json" if self.single else f"hooks/{relative}"
        if self.single or relative == "mcp.json":
            return ".mcp.json"
        return relative

    def rewrite(self, relative: str, data: bytes) -> bytes:
        """A single hook or MCP file keeps only what Claude Code reads from a plugin's
        hooks/hooks.json or .mcp.json (a settings.json carries much else)."""
        if not self.single or self.kind not in (UnitKind.HOOKS, UnitKind.MCP):
            return data
        try:
            doc = load_json(data)
        except (OverBudget, ValueError) as exc:
            raise InvalidInput(f"{relative}: {exc}") from None
        if not isinstance(doc, dict):
            raise InvalidInput(f"{relative}: not a JSON object")
        if self.kind is UnitKind.HOOKS:
            out: dict[str, Any] = {"hooks": doc.get("hooks", {})}
        else:
            servers = doc.get("mcpServers", doc)
            out = {"mcpServers": servers}
        return (json.dumps(out, indent=2, ensure_ascii=False) + "\n").encode()

    def commands(self, relatives: list[str]) -> list[str]:
        """Slash command names this artifact adds, as Claude Code would call them."""
        if self.kind is UnitKind.COMMAND:
            return [self.name]
        if self.kind is UnitKind.PLUGIN:
            return [p.removeprefix("commands/").removesuffix(".md") for p in relatives
                    if p.startswith("commands/") and p.endswith(".md") and p.count("/") == 1]
        return []


def shadow_warnings(commands: list[str]) -> list[str]:
    return [f"command /{c} shadows Claude Code's built-in /{c}" for c in commands
            if c.casefold() in BUILTIN_COMMANDS]


def plugin_manifest(name: str, description: str, version: str, homepage: str | None,
                    author: str) -> dict[str, Any]:
    """The generated `.claude-plugin/plugin.json` of a wrapped loose artifact."""
    manifest: dict[str, Any] = {"name": name, "description": description, "version": version,
                                "author": {"name": author}}
    if homepage:
        manifest["homepage"] = homepage
    return manifest

"""Hooks and MCP server configurations: JSON files judged by where they sit and what they hold."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection.index import TreeIndex
from skillmeat.core.marketplace.detection.layout import Layout
from skillmeat.core.marketplace.detection.manifests import JsonFiles, Plugin
from skillmeat.core.marketplace.detection.metadata import clip
from skillmeat.core.marketplace.detection.paths import (
    BUILD_DIRS,
    OTHER_HARNESS_DIRS,
    TEST_DIRS,
    VENDORED_DIRS,
    WEB_DATA_DIRS,
    FolderSet,
    base_of,
    parent_of,
    stem_of,
)
from skillmeat.core.marketplace.detection.scoring import Score

CONFIG_NAMES = frozenset(
    {".mcp.json", "mcp.json", "hooks.json", "settings.json", "settings.local.json"}
)
CONFIG_DIRS = FolderSet(
    {"hooks", "hook", "mcp", "mcps", "mcp-servers", "mcp_servers", "mcpservers", "settings"}
)
_NOT_CONFIG = frozenset({"package.json", "package-lock.json", "tsconfig.json", "composer.json"})
_EXCLUDED = VENDORED_DIRS | TEST_DIRS | OTHER_HARNESS_DIRS | WEB_DATA_DIRS | BUILD_DIRS

# Claude Code hook events. Other assistants name theirs in camelCase (Cursor: "sessionStart").
HOOK_EVENTS = frozenset(
    {
        "PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "Notification",
        "UserPromptSubmit", "UserPromptExpansion", "Stop", "StopFailure", "SubagentStart",
        "SubagentStop", "PreCompact", "PostCompact", "SessionStart", "SessionEnd", "Setup",
        "TeammateIdle", "TaskCompleted", "ConfigChange", "WorktreeCreate", "WorktreeRemove",
        "InstructionsLoaded", "Elicitation", "ElicitationResult",
    }
)  # fmt: skip
_EVENT_NAME = re.compile(r"^[A-Z][A-Za-z]+$")
_SERVER_KEYS = frozenset({"command", "url", "serverUrl", "httpUrl"})


def config_candidates(index: TreeIndex, layout: Layout) -> list[str]:
    """JSON files that may be hook or MCP configurations, by name and folder alone."""
    out: list[str] = []
    for path in index.json:
        name = base_of(path)
        lower = name.lower()
        if lower in _NOT_CONFIG:
            continue
        folder = parent_of(path)
        named = name in CONFIG_NAMES or "hook" in lower or "mcp" in lower or "settings" in lower
        if not named and not CONFIG_DIRS.within(folder):
            continue
        if _EXCLUDED.within(folder) or layout.in_skill(path):
            continue  # fixtures, website data, other assistants, a skill's examples
        out.append(path)
    return out


def declared_configs(plugins: Iterable[Plugin]) -> dict[str, tuple[str, Plugin]]:
    """JSON files plugin manifests name for hooks or mcpServers: path -> (field, plugin)."""
    out: dict[str, tuple[str, Plugin]] = {}
    for plugin in plugins:
        for field_name in ("hooks", "mcpServers"):
            for path in plugin.declared.get(field_name, ()):
                out[path] = (field_name, plugin)
    return out


def hook_events(data: Any) -> list[str]:
    """Claude Code events of a top-level `hooks` object; empty when it is not one."""
    hooks = data.get("hooks") if isinstance(data, dict) else None
    if not isinstance(hooks, dict) or not hooks:
        return []
    keys = list(hooks)
    if not all(isinstance(k, str) and _EVENT_NAME.match(k) for k in keys):
        return []
    # New events appear often: an unknown PascalCase event counts when its entries have
    # Claude Code's shape ([{"matcher": ..., "hooks": [{"type": ...}]}]).
    if any(k in HOOK_EVENTS for k in keys) or all(_claude_shaped(v) for v in hooks.values()):
        return keys
    return []


def _claude_shaped(groups: Any) -> bool:
    return (
        isinstance(groups, list)
        and bool(groups)
        and all(
            isinstance(g, dict)
            and isinstance(g.get("hooks"), list)
            and all(isinstance(h, dict) and "type" in h for h in g["hooks"])
            for g in groups
        )
    )


def mcp_form(data: Any, flat_allowed: bool) -> str | None:
    """'mcpServers', 'flat' ({name: {command|url ...}}), 'empty', or None."""
    if not isinstance(data, dict):
        return None
    servers = data.get("mcpServers")
    if isinstance(servers, dict):
        return "mcpServers" if servers else "empty"
    if not flat_allowed:
        return None
    entries = {k: v for k, v in data.items() if not k.startswith("$")}
    if entries and all(isinstance(v, dict) and _SERVER_KEYS & v.keys() for v in entries.values()):
        return "flat"
    return None


def detect_configs(
    index: TreeIndex,
    layout: Layout,
    paths: Iterable[str],
    docs: JsonFiles,
) -> list[DetectedArtifact]:
    """Hook and MCP artifacts among candidate JSON files and manifest-declared ones."""
    declared = declared_configs(layout.plugins.values())
    out: list[DetectedArtifact] = []
    for path in dict.fromkeys([*paths, *declared]):
        if not index.is_file(path) or not index.in_scope(path):
            continue
        data = docs.get(path)
        if not isinstance(data, dict):
            continue
        field_name = declared.get(path, ("", None))[0]
        events = hook_events(data)
        if events:
            out.append(_hook(index, layout, path, data, field_name == "hooks"))
        name = base_of(path)
        form = mcp_form(data, flat_allowed=name == ".mcp.json" or field_name == "mcpServers")
        if form:
            out.append(_mcp(index, layout, path, data, form, field_name == "mcpServers"))
    for plugin in layout.plugins.values():
        out.extend(_inline(index, plugin, docs))
    return out


def _hook(
    index: TreeIndex, layout: Layout, path: str, data: dict[str, Any], declared: bool
) -> DetectedArtifact:
    score = Score({"hook_events": 40})
    name = base_of(path)
    folder = parent_of(path)
    owner_kind, owner_dir = layout.owner(path)
    plugin = layout.plugins.get(owner_dir) if owner_kind == "plugin" else None
    owner_name = stem_of(name)
    if declared:
        score.add("manifest", 50)
    elif name == "hooks.json" and plugin is not None and folder == _under(owner_dir, "hooks"):
        score.add("plugin_hooks", 50)
    elif name in ("settings.json", "settings.local.json") and base_of(folder) == ".claude":
        score.add("claude_settings", 50)
    elif name in ("settings.json", "settings.local.json"):
        score.add("settings_file", 30)
    elif name == "hooks.json":
        score.add("hooks_file", 30)
    elif CONFIG_DIRS.within(folder):
        score.add("hooks_folder", 25)
    else:
        score.add("standalone", 15)
    if plugin is not None and (declared or "plugin_hooks" in score.signals):
        owner_name = base_of(plugin.root) or plugin.name or owner_name
    elif "claude_settings" in score.signals:
        owner_name = base_of(parent_of(folder)) or owner_name
    elif name == "hooks.json" and base_of(folder) == "hooks":
        owner_name = base_of(parent_of(folder)) or owner_name
    return _artifact(index, "hook", path, owner_name, score, data, plugin)


def _mcp(
    index: TreeIndex,
    layout: Layout,
    path: str,
    data: dict[str, Any],
    form: str,
    declared: bool,
) -> DetectedArtifact:
    points = {"mcpServers": 40, "flat": 30, "empty": -25}[form]  # no servers: nothing to add
    score = Score({f"servers_{form}": points})
    name = base_of(path)
    folder = parent_of(path)
    plugin = layout.plugin_of(path)
    if declared:
        score.add("manifest", 50)
    elif name == ".mcp.json":
        score.add("mcp_json", 50)
    elif "mcp" in name.lower() or CONFIG_DIRS.within(folder):
        score.add("mcp_folder", 25)
    else:
        score.add("standalone", 10)
    owner_name = stem_of(name).lstrip(".") or "mcp"
    if name == ".mcp.json" or declared:
        owner_name = base_of(folder) or (plugin.name if plugin and plugin.name else owner_name)
    return _artifact(index, "mcp_server", path, owner_name, score, data, plugin)


def _inline(index: TreeIndex, plugin: Plugin, docs: JsonFiles) -> list[DetectedArtifact]:
    """Hooks or MCP servers written inside plugin.json itself."""
    if not plugin.inline or plugin.manifest is None or not index.in_scope(plugin.manifest):
        return []
    data = docs.get(plugin.manifest)
    if not isinstance(data, dict):
        return []
    out = []
    owner_name = base_of(plugin.root) or plugin.name or "plugin"
    if "hooks" in plugin.inline and hook_events(data):
        score = Score({"hook_events": 40, "manifest_inline": 40})
        out.append(_artifact(index, "hook", plugin.manifest, owner_name, score, data, plugin))
    if "mcpServers" in plugin.inline and mcp_form(data, flat_allowed=False) == "mcpServers":
        score = Score({"servers_mcpServers": 40, "manifest_inline": 40})
        out.append(_artifact(index, "mcp_server", plugin.manifest, owner_name, score, data, plugin))
    return out


def _under(folder: str, child: str) -> str:
    return f"{folder}/{child}" if folder else child


def _artifact(
    index: TreeIndex,
    kind: str,
    path: str,
    name: str,
    score: Score,
    data: dict[str, Any],
    plugin: Plugin | None,
) -> DetectedArtifact:
    description = data.get("description")
    return DetectedArtifact(
        type=kind,
        name=name,
        path=path,
        content_hash=index.sha(path),
        confidence=score.total,
        score_breakdown=score.signals,
        description=clip(description) if isinstance(description, str) else None,
        version=plugin.version if plugin is not None else None,
    )

"""Plugin and marketplace manifests: where plugins live and which files they declare."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skillmeat.core.marketplace.detection.index import MANIFEST_DIR, TreeIndex
from skillmeat.core.marketplace.detection.paths import TEST_DIRS, VENDORED_DIRS, join, parent_of
from skillmeat.core.marketplace.parsing import MAX_JSON_BYTES, load_json

# Component fields of plugin.json (and of marketplace entries, which may carry the manifest).
PATH_FIELDS = ("commands", "agents", "skills")
CONFIG_FIELDS = ("hooks", "mcpServers")


@dataclass(slots=True)
class Plugin:
    """A plugin root and what its manifests say about it."""

    root: str
    name: str | None = None
    version: str | None = None
    manifest: str | None = None  # its plugin.json, when there is one
    listed: bool = False  # named as a source by a marketplace in this repository
    # kind -> repo-relative files or folders the manifests declare for that kind
    declared: dict[str, list[str]] = field(default_factory=dict)
    inline: set[str] = field(default_factory=set)  # "hooks" / "mcpServers" given inline


class JsonFiles:
    """The JSON files detection read (manifests, configs), each parsed once within budget.

    A file that is too large, nested too deeply or not JSON counts as absent, and the reason
    goes to `problems`: the scan goes on and says which files it skipped.
    """

    def __init__(self, texts: Mapping[str, bytes], problems: list[str]) -> None:
        self._texts = texts
        self._parsed: dict[str, Any] = {}
        self.problems = problems

    def get(self, path: str | None) -> Any:
        if path is None:
            return None
        if path not in self._parsed:
            self._parsed[path] = self._parse(path)
        return self._parsed[path]

    def _parse(self, path: str) -> Any:
        raw = self._texts.get(path)
        if not raw:
            return None
        try:
            # Read one byte past the limit (see engine.JSON_LIMIT), so "too large" is known.
            return load_json(raw, max_bytes=MAX_JSON_BYTES)
        except ValueError as exc:  # OverBudget included
            self.problems.append(f"{path}: skipped: {exc}")
            return None


def find_plugins(index: TreeIndex, manifests: list[str], docs: JsonFiles) -> dict[str, Plugin]:
    """Plugins by root: folders with `.claude-plugin/plugin.json` or marketplace sources."""
    plugins: dict[str, Plugin] = {}
    for path in manifests:
        if path.endswith("/plugin.json") or path == f"{MANIFEST_DIR}/plugin.json":
            root = parent_of(parent_of(path))
            plugin = plugins.setdefault(root, Plugin(root))
            plugin.manifest = path
            data = docs.get(path)
            if isinstance(data, dict):
                _apply_manifest(plugin, data)
    for path in manifests:
        if path.endswith("marketplace.json"):
            data = docs.get(path)
            if isinstance(data, dict):
                _apply_marketplace(index, plugins, parent_of(parent_of(path)), data)
    return plugins


def manifest_paths(index: TreeIndex) -> list[str]:
    """Manifests that count: those in test fixtures or vendored code describe no plugin here."""
    excluded = TEST_DIRS | VENDORED_DIRS
    return [p for p in index.manifests if not excluded.within(parent_of(parent_of(p)))]


def _apply_marketplace(
    index: TreeIndex, plugins: dict[str, Plugin], market_root: str, data: dict[str, Any]
) -> None:
    entries = data.get("plugins")
    if not isinstance(entries, list):
        return  # not a Claude Code marketplace (some catalogs reuse the file name)
    metadata = data.get("metadata")
    base = market_root
    if isinstance(metadata, dict) and isinstance(metadata.get("pluginRoot"), str):
        base = join(market_root, metadata["pluginRoot"]) or market_root
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), str):
            continue  # remote sources (git, GitHub, URL) have no files here
        source = entry["source"]
        root = join(base, source)
        if root is None or not index.is_dir(root):
            continue
        plugin = plugins.setdefault(root, Plugin(root))
        plugin.listed = True
        # An entry may carry the whole manifest ("strict": false) or add to plugin.json.
        _apply_manifest(plugin, entry)


def _apply_manifest(plugin: Plugin, data: dict[str, Any]) -> None:
    if plugin.name is None and isinstance(data.get("name"), str):
        plugin.name = data["name"]
    version = data.get("version")
    if plugin.version is None and isinstance(version, str | int | float):
        plugin.version = str(version)
    for kind in PATH_FIELDS + CONFIG_FIELDS:
        value = data.get(kind)
        if isinstance(value, dict) and kind in CONFIG_FIELDS:
            plugin.inline.add(kind)
            continue
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list):
            continue
        for rel in values:
            if isinstance(rel, dict) and kind in CONFIG_FIELDS:
                plugin.inline.add(kind)
            elif isinstance(rel, str):
                resolved = join(plugin.root, rel)
                if resolved is not None:
                    plugin.declared.setdefault(kind, []).append(resolved)

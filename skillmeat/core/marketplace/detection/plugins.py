"""Plugins as entries: each plugin Claude Code would list, and the members it provides.

A plugin is a folder with `.claude-plugin/plugin.json`, or an entry of a
`.claude-plugin/marketplace.json` (a folder here, or another repository: a remote plugin).
Members are resolved as Claude Code resolves them: declared `commands` and `agents` paths
replace the default folders, declared `skills` add to `skills/` (a marketplace entry with no
plugin.json replaces it), hooks and MCP servers come from `hooks/hooks.json`, `.mcp.json`,
declared files and inline definitions. Nothing here trusts a path: one that leaves the
repository is ignored and said so.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection.index import TreeIndex
from skillmeat.core.marketplace.detection.manifests import JsonFiles
from skillmeat.core.marketplace.detection.metadata import clip
from skillmeat.core.marketplace.detection.paths import (
    TEST_DIRS,
    VENDORED_DIRS,
    join,
    parent_of,
)
from skillmeat.core.marketplace.detection.scoring import Score
from skillmeat.core.marketplace.vocabulary import ArtifactType

PLUGIN = ArtifactType.PLUGIN
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_OWNER_REPO = re.compile(r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")
_FOREIGN = TEST_DIRS | VENDORED_DIRS
# kind -> (manifest field, default place relative to the plugin root, whether it is a folder)
_DEFAULTS = {"skill": ("skills", "skills"), "command": ("commands", "commands"),
             "agent": ("agents", "agents"), "hook": ("hooks", "hooks/hooks.json"),
             "mcp_server": ("mcpServers", ".mcp.json")}
_REPLACING = frozenset({"command", "agent"})  # declared paths replace these defaults


@dataclass(slots=True)
class PluginSpec:
    """One plugin as Claude Code would list it, before its members are known."""

    path: str  # its entry's path: the root folder ("." for the repository), or a key
    name: str
    root: str | None  # None: a remote plugin, whose files are in another repository
    manifest: str | None = None  # its plugin.json
    fields: dict[str, Any] = field(default_factory=dict)  # plugin.json, then the listing
    listed: bool = False
    manifest_only: bool = False  # a marketplace entry with no plugin.json ("strict": false)
    remote: dict[str, str] = field(default_factory=dict)
    listing: dict[str, Any] | None = None  # its marketplace entry, when one lists it
    score: Score = field(default_factory=Score)
    order: int = 0


def find_plugin_specs(index: TreeIndex, manifests: Sequence[str], docs: JsonFiles,
                      problems: list[str]) -> list[PluginSpec]:
    """Every plugin in scope: plugin.json folders and marketplace entries, in listing order."""
    by_root: dict[str, PluginSpec] = {}
    for path in manifests:
        if path.endswith("plugin.json"):
            root = parent_of(parent_of(path))
            if index.in_scope(root):
                by_root[root] = _from_manifest(path, root, docs)
    listed: list[PluginSpec] = []
    for path in manifests:
        if path.endswith("marketplace.json") and index.in_scope(path):
            listed += _from_marketplace(index, path, docs, problems)
    names_at: dict[str, set[str]] = {}  # folder -> names marketplaces list it under
    for spec in listed:
        if spec.root is not None:
            names_at.setdefault(spec.root, set()).add(spec.name)
    out: dict[str, PluginSpec] = {}
    seen: set[tuple[str | None, str]] = set()
    for spec in listed:
        key = (spec.root, spec.name) if spec.root is not None else (None, spec.path)
        if key in seen:
            continue  # a second marketplace listing the same plugin
        seen.add(key)
        own = by_root.get(spec.root) if spec.root is not None else None
        single = spec.root is not None and len(names_at[spec.root]) == 1
        if own is not None and (single or own.name == spec.name):
            by_root.pop(own.root or "")
            spec = _merged(own, spec)
        elif spec.root is not None and not single:
            spec.path = f"{spec.root or '.'}#{spec.name}"
        out.setdefault(spec.path, spec)
    for spec in by_root.values():
        if index.in_scope(spec.root or ""):
            out.setdefault(spec.path, spec)
    for i, spec in enumerate(out.values()):
        spec.order = i
    return list(out.values())


def _from_manifest(path: str, root: str, docs: JsonFiles) -> PluginSpec:
    data = docs.get(path)
    spec = PluginSpec(path=root or ".", name=root.rpartition("/")[2] or "plugin", root=root,
                      manifest=path)
    if _FOREIGN.within(root):
        spec.score.add("test_or_vendored", -45)
        spec.score.note("why_low", "plugin.json sits in a test fixture or vendored code")
    if not isinstance(data, dict):
        spec.score.add("invalid_manifest", 15)
        spec.score.note("manifest_problem", "plugin.json is not a readable JSON object")
        return spec
    spec.fields = data
    name = data.get("name")
    if isinstance(name, str) and _NAME.match(name):
        spec.name = name
        spec.score.add("plugin_manifest", 60)
    else:
        spec.score.add("manifest_without_name", 25)
        spec.score.note("manifest_problem", "plugin.json has no valid `name`")
    return spec


def _from_marketplace(index: TreeIndex, path: str, docs: JsonFiles,
                      problems: list[str]) -> list[PluginSpec]:
    data = docs.get(path)
    entries = data.get("plugins") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    market_root = parent_of(parent_of(path))
    base = market_root
    metadata = data.get("metadata") if isinstance(data, dict) else None
    if isinstance(metadata, dict) and isinstance(metadata.get("pluginRoot"), str):
        base = join(market_root, metadata["pluginRoot"]) or market_root
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append(f"{path}: plugins[{i}]: no valid name; ignored")
            continue
        source = entry.get("source")
        spec = PluginSpec(path="", name=name, root=None, fields=entry, listed=True,
                          listing=entry)
        spec.score.add("marketplace_entry", 60)
        if isinstance(source, str):
            root = join(base, source)
            if root is None or not index.is_dir(root) or not index.in_scope(root):
                problems.append(f"{path}: plugin {name!r}: source {source[:200]!r} is not a "
                                "folder of this repository; ignored")
                continue
            spec.root, spec.path = root, root or "."
            spec.manifest_only = entry.get("strict") is False
        else:
            remote = _remote(source)
            if remote is None:
                problems.append(f"{path}: plugin {name!r}: source is neither a folder here nor "
                                "a GitHub or URL repository; ignored")
                continue
            spec.remote, spec.path = remote, f"{path}#{name}"
            spec.score.add("remote_source", 20)
        out.append(spec)
    return out


def _remote(source: Any) -> dict[str, str] | None:
    """The repository a marketplace entry points to, with the ref or sha it pins."""
    if not isinstance(source, dict):
        return None
    kind, url = source.get("source"), None
    if kind == "github" and isinstance(source.get("repo"), str) \
            and _OWNER_REPO.match(source["repo"]):
        url = f"https://github.com/{source['repo'].removesuffix('.git')}"
    elif kind in ("url", "git", "git-subdir") and isinstance(source.get("url"), str) \
            and source["url"].startswith("https://") and len(source["url"]) <= 1000 \
            and source["url"].isprintable() and " " not in source["url"]:
        url = source["url"]
    if url is None:
        return None
    out = {"upstream_url": url}
    for key, name in (("ref", "ref"), ("sha", "sha"), ("path", "upstream_path")):
        value = _short(source.get(key))
        if value is not None and len(value) <= 255:
            out[name] = value
    return out


def _merged(own: PluginSpec, listing: PluginSpec) -> PluginSpec:
    """A plugin.json folder that a marketplace lists: one plugin, both scores."""
    own.fields = {**own.fields, **{k: v for k, v in listing.fields.items() if k != "source"}}
    own.name, own.listed, own.listing = listing.name, True, listing.listing
    own.score.signals.update(listing.score.signals)
    return own


@dataclass(slots=True)
class _Claims:
    """Paths plugins provide, by kind: each folder or file -> the plugins claiming it."""

    places: dict[tuple[str, str], list[tuple[bool, PluginSpec]]] = field(default_factory=dict)
    # (kind, folder) -> the claims on it and every folder above it: artifacts share folders
    above: dict[tuple[str, str], list[tuple[bool, PluginSpec]]] = field(default_factory=dict)

    def add(self, kind: str, path: str, spec: PluginSpec, declared: bool) -> None:
        self.places.setdefault((kind, path), []).append((declared, spec))

    def owners(self, art: DetectedArtifact) -> list[tuple[bool, PluginSpec]]:
        own = self.places.get((art.type, art.path), [])
        return [*own, *self._above(art.type, parent_of(art.path))] if art.path else own

    def _above(self, kind: str, folder: str) -> list[tuple[bool, PluginSpec]]:
        key = (kind, folder)
        found = self.above.get(key)
        if found is None:
            here = self.places.get(key, [])
            found = [*here, *self._above(kind, parent_of(folder))] if folder else here
            self.above[key] = found
        return found


def attach_members(index: TreeIndex, specs: Sequence[PluginSpec],
                   found: Iterable[DetectedArtifact], problems: list[str]) -> None:
    """Set each artifact's plugin to the nearest plugin that provides it."""
    claims = _Claims()
    for spec in specs:
        if spec.root is not None:
            _claim(index, spec, claims, problems)
    for art in found:
        owners = claims.owners(art)
        if owners:
            # Nearest root first, then a declared place over a default one, then listing order.
            _, spec = max(owners, key=lambda o: (len(o[1].root or ""), o[0], -o[1].order))
            art.plugin_path = spec.path


def _claim(index: TreeIndex, spec: PluginSpec, claims: _Claims, problems: list[str]) -> None:
    root = spec.root or ""
    for kind, (field_name, default) in _DEFAULTS.items():
        declared = _declared(spec, field_name, problems)
        for path in declared:
            claims.add(kind, path, spec, True)
        replaced = (kind in _REPLACING and declared) or (
            kind == "skill" and declared and spec.manifest_only and spec.manifest is None)
        if not replaced:
            claims.add(kind, join(root, default) or "", spec, False)
        if field_name in ("hooks", "mcpServers") and spec.manifest is not None \
                and isinstance(spec.fields.get(field_name), dict):
            claims.add(kind, spec.manifest, spec, True)  # inline in plugin.json


def _declared(spec: PluginSpec, field_name: str, problems: list[str]) -> list[str]:
    value = spec.fields.get(field_name)
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    out = []
    for rel in values[:1000]:
        if not isinstance(rel, str):
            continue
        path = join(spec.root or "", rel)
        if path is None or (spec.root and path != spec.root
                            and not path.startswith(spec.root + "/")):
            problems.append(f"plugin {spec.name!r}: {field_name} path {rel[:200]!r} leaves the "
                            "plugin; ignored")
            continue
        out.append(path)
    return out


def plugin_artifacts(index: TreeIndex, specs: Sequence[PluginSpec],
                     found: Sequence[DetectedArtifact]) -> list[DetectedArtifact]:
    """The plugin entries themselves, with member counts by type and their metadata."""
    counts: dict[str, dict[str, int]] = {spec.path: {} for spec in specs}
    for art in found:
        if art.plugin_path in counts:
            by_type = counts[art.plugin_path]
            by_type[art.type] = by_type.get(art.type, 0) + 1
    out = []
    for spec in specs:
        members = counts[spec.path]
        score = spec.score
        if spec.root is not None:
            score.add("members" if members else "no_members", 10 if members else -20)
        out.append(DetectedArtifact(
            type=PLUGIN, name=spec.name, path=spec.path,
            content_hash=_content_hash(index, spec), confidence=score.total,
            score_breakdown=score.breakdown, description=_text(spec.fields, "description"),
            version=_version(spec.fields), plugin_meta=_meta(spec, members),
        ))
    return out


def _content_hash(index: TreeIndex, spec: PluginSpec) -> str:
    """The plugin folder's tree (the commit for the repository root; plugin.json is in it)
    and its marketplace entry."""
    folder = index.tree.commit if not spec.root else index.sha(spec.root) \
        if spec.root is not None else ""
    listing = json.dumps(spec.listing, default=str)[:100_000] if spec.listing else ""
    return hashlib.sha1(f"{folder}\n{listing}".encode(), usedforsecurity=False).hexdigest()


def _meta(spec: PluginSpec, members: dict[str, int]) -> dict[str, Any]:
    fields = spec.fields
    author = fields.get("author")
    repository = fields.get("repository")
    meta: dict[str, Any] = {
        "remote": spec.root is None,
        "member_counts": dict(sorted(members.items())),
        "root": spec.root,
        "author": _text(author, "name") if isinstance(author, dict) else _short(author),
        "homepage": _short(fields.get("homepage")),
        "repository": _text(repository, "url") if isinstance(repository, dict)
        else _short(repository),
        "license": _short(fields.get("license")),
    }
    if spec.root is not None and spec.manifest_only:
        meta["strict"] = False
    meta.update(spec.remote)
    return {k: v for k, v in meta.items() if v is not None}


def _text(data: Any, key: str) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "")  # the database refuses NUL; manifests may hold one
    return clip(value) if value.strip() else None


def _short(value: Any) -> str | None:
    """A short text from a manifest, control characters (NUL included) dropped."""
    if not isinstance(value, str):
        return None
    text = "".join(c for c in value[:500] if c.isprintable())
    return text if text.strip() else None


def _version(fields: dict[str, Any]) -> str | None:
    version = fields.get("version")
    return _short(str(version)[:100]) if isinstance(version, str | int | float) else None

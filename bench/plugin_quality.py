"""Plugins on the corpus: does each plugin Claude Code would list become an entry, with the
members that plugin provides?

The labels name member artifacts, not plugins, so the expectation is built here from the
snapshot's own manifests, in a deliberately plain second reading of Claude Code's rules:
a plugin is a marketplace entry (a folder here, or another repository) or a plugin.json
folder; it provides the labeled artifacts under its default folders (`skills/`, `commands/`,
`agents/`, `hooks/hooks.json`, `.mcp.json`) and declared paths, where declared `commands` and
`agents` replace the default folder. An entry's members are the listed detections that name
it as their plugin. A member two plugins provide counts for the nearer one only.
"""

from __future__ import annotations

import json
import posixpath
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.vocabulary import CONFIDENCE_THRESHOLD as VISIBLE

Key = tuple[str, str]
FIELDS = {
    "skill": ("skills", "skills"),
    "command": ("commands", "commands"),
    "agent": ("agents", "agents"),
    "hook": ("hooks", "hooks/hooks.json"),
    "mcp_server": ("mcpServers", ".mcp.json"),
}
SKIP = ("test", "tests", "fixtures", "node_modules", "vendor")


@dataclass
class Expected:
    name: str
    root: str | None  # None: remote
    places: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class PluginScore:
    repo: str
    expected: int = 0
    found: int = 0  # expected plugins that are entries
    remote: int = 0
    extra: int = 0  # listed plugin entries Claude Code would not list
    labeled: bool = True
    members: Counter[str] = field(default_factory=Counter)  # tp / fp / fn
    misses: list[str] = field(default_factory=list)


def _norm(base: str, rel: str) -> str | None:
    if rel.startswith("/") or "://" in rel:
        return None
    joined = posixpath.normpath(posixpath.join(base or ".", rel))
    return None if joined.startswith("..") else ("" if joined == "." else joined)


def expected_plugins(contents: dict[str, str], folders: set[str]) -> list[Expected]:
    """Plugins Claude Code would list and could install: a source folder must exist."""
    out: dict[str, Expected] = {}
    # plugin.json first: a marketplace entry for the same folder adds to it
    manifests = sorted(
        (
            p
            for p in contents
            if p.endswith((".claude-plugin/plugin.json", ".claude-plugin/marketplace.json"))
        ),
        key=lambda p: (p.endswith("marketplace.json"), p),
    )
    for path in manifests:
        root = posixpath.dirname(posixpath.dirname(path))
        if any(part in SKIP for part in root.split("/")):
            continue
        try:
            data = json.loads(contents[path])
        except ValueError:
            continue
        if path.endswith("plugin.json") and isinstance(data, dict):
            plugin = out.setdefault(f"{root}#", Expected(data.get("name") or root, root))
            _places(plugin, data, manifest=True)
            continue
        for entry in data.get("plugins", []) if isinstance(data, dict) else []:
            source = entry.get("source")
            if not isinstance(source, str):
                out[f"remote#{entry['name']}"] = Expected(entry["name"], None)
                continue
            plugin_root = _norm(root, source)
            if plugin_root is None or (plugin_root and plugin_root not in folders):
                continue
            own = out.get(f"{plugin_root}#")
            if own is not None and own.name == entry["name"]:
                _places(own, entry, manifest=True)
                continue
            plugin = out.setdefault(
                f"{plugin_root}#{entry['name']}", Expected(entry["name"], plugin_root)
            )
            _places(plugin, entry, manifest=own is not None or entry.get("strict") is not False)
    return list(out.values())


def _places(plugin: Expected, data: dict[str, Any], manifest: bool) -> None:
    for kind, (name, default) in FIELDS.items():
        value = data.get(name)
        declared = (
            [value]
            if isinstance(value, str)
            else [v for v in value if isinstance(v, str)]
            if isinstance(value, list)
            else []
        )
        paths = [p for p in (_norm(plugin.root or "", d) for d in declared) if p is not None]
        had = [p for p in plugin.places.get(kind, []) if p != _norm(plugin.root or "", default)]
        keep_default = (
            not (paths or had) or (kind == "skill" and manifest) or kind in ("hook", "mcp_server")
        )
        if keep_default:
            paths.append(_norm(plugin.root or "", default) or "")
        plugin.places[kind] = sorted(set(plugin.places.get(kind, []) + paths))


def provided_by(plugin: Expected, key: Key) -> bool:
    kind, path = key
    return any(
        path == p or path.startswith(p + "/") or (p == "" and kind != "plugin")
        for p in plugin.places.get(kind, ())
    )


def score_plugins(
    repo: str,
    contents: dict[str, str],
    folders: set[str],
    labels: set[Key] | None,
    detected: list[DetectedArtifact],
) -> PluginScore | None:
    """None when the repository has no plugin; members are scored only where it is labeled."""
    expected = expected_plugins(contents, folders)
    if not expected:
        return None
    result = PluginScore(repo, expected=len(expected), labeled=labels is not None)
    entries = {
        (a.name, a.plugin_meta.get("root") if a.plugin_meta else None): a
        for a in detected
        if a.type == "plugin" and a.confidence >= VISIBLE
    }
    wanted = {(p.name, p.root) for p in expected}
    result.extra = sum(1 for key in entries if key not in wanted)
    result.misses += [f"extra plugin entry {k}" for k in entries if k not in wanted][:5]
    members: dict[str, set[Key]] = {}
    for a in detected:
        if a.plugin_path and a.type != "plugin" and a.confidence >= VISIBLE:
            members.setdefault(a.plugin_path, set()).add((a.type, a.path))
    for plugin in expected:
        entry = entries.get((plugin.name, plugin.root))
        if entry is None:
            result.misses.append(f"plugin {plugin.name} ({plugin.root}) is not an entry")
            continue
        result.found += 1
        if plugin.root is None:
            result.remote += 1
            continue
        if labels is None:
            continue
        want = {k for k in labels if provided_by(plugin, k) and _nearest(plugin, k, expected)}
        got = members.get(entry.path, set())
        result.members.update(tp=len(want & got), fp=len(got - want), fn=len(want - got))
        result.misses += [f"{plugin.name}: missing {k}" for k in sorted(want - got)[:5]]
        result.misses += [f"{plugin.name}: extra {k}" for k in sorted(got - want)[:5]]
    return result


def _nearest(plugin: Expected, key: Key, every: list[Expected]) -> bool:
    depth = len(plugin.root or "")
    return not any(
        len(o.root or "") > depth
        for o in every
        if o.root is not None and o is not plugin and provided_by(o, key)
    )


def plugin_table(results: list[PluginScore]) -> str:
    lines = [
        "| repository | plugins Claude Code lists | entries | extra entries | remote | member TP "
        "| FP | FN | member F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total: Counter[str] = Counter()
    for r in results:
        total.update(
            expected=r.expected, found=r.found, extra=r.extra, remote=r.remote, **r.members
        )
        cells = (
            (f"{r.members['tp']} | {r.members['fp']} | {r.members['fn']} | {f1(r.members):.3f}")
            if r.labeled
            else "unlabeled | | |"
        )
        lines.append(f"| {r.repo} | {r.expected} | {r.found} | {r.extra} | {r.remote} | {cells} |")
    lines.append(
        f"| **all** | {total['expected']} | {total['found']} | {total['extra']} "
        f"| {total['remote']} "
        f"| {total['tp']} | {total['fp']} | {total['fn']} | **{f1(total):.3f}** |"
    )
    return "\n".join(lines)


def f1(c: Counter[str]) -> float:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    return 1.0 if not fp and not fn else 2 * tp / (2 * tp + fp + fn)

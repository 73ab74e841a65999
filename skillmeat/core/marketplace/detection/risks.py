"""Each detected artifact's risk surface, from what detection already holds: the parsed
configs, the markdown heads it read, and the tree listing (scripts are named by path, mode
and extension; their contents are not read at scan time)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection.index import TreeIndex
from skillmeat.core.marketplace.detection.manifests import JsonFiles
from skillmeat.core.marketplace.detection.paths import parent_of
from skillmeat.core.risk import model, shell, surface
from skillmeat.core.risk.model import Executable, Risk

MAX_WALK = 2000  # tree entries of one artifact looked at for scripts
EXECUTABLE_MODE = "100755"


def with_config_risk(found: Iterable[DetectedArtifact], index: TreeIndex,
                     docs: JsonFiles) -> None:
    """Hooks and MCP servers of config artifacts; a plugin's `hooks/` folder's scripts too."""
    for art in found:
        root = parent_of(art.path)
        risk = Risk()
        surface.add_config(risk, _relative(art.path, root), docs.get(art.path),
                           flat_allowed=art.type == "mcp_server")
        if art.type == "hook" and root.rpartition("/")[2] == "hooks":
            _scripts(risk, index, root)
        _store(art, risk)


def with_markdown_risk(found: Iterable[DetectedArtifact], index: TreeIndex,
                       markdown: Mapping[str, bytes], skills: Mapping[str, str]) -> None:
    """Tools a skill, command or agent grants itself; a skill's scripts. Built straight in
    the stored form: detection meets tens of thousands of these."""
    for art in found:
        is_skill = art.path in skills
        main = skills[art.path] if is_skill else art.path
        root = art.path if is_skill else parent_of(art.path)
        data: dict[str, Any] = {}
        parts: list[str] = []  # the summary, as model.summary words it for these kinds
        head = markdown.get(main, b"")[: surface.MARKDOWN_HEAD]
        if b"tools" in head:
            fields = surface.tool_fields(head)
            value = fields.get("allowed-tools")
            grant = surface.tool_grant(_relative(main, root), value if value is not None
                                       else fields.get("tools") if fields.get("name") else None)
            if grant is not None:
                data["tools"] = [grant]
                parts += ["Bash"] * grant["bash"] + ["tool wildcards"] * bool(grant["wildcards"])
        if is_skill:
            scripts = Risk()
            _scripts(scripts, index, root)
            if scripts:
                data.update(scripts.to_json())
                parts.append(model.count(len(scripts.executables), "script"))
        if data:
            art.risk = data
            art.risk_summary = " · ".join(parts) or None


def _scripts(risk: Risk, index: TreeIndex, root: str) -> None:
    tree = index.tree
    prefix = f"{root}/" if root else ""
    span = tree.span(root)
    for i in range(span.start, min(span.stop, span.start + MAX_WALK)):
        if not tree.is_file(i):
            continue
        relative = tree.paths[i][len(prefix):]
        if surface.is_script(relative, b"", tree.mode(i) == EXECUTABLE_MODE):
            language, _ = shell.language_of(relative, b"")
            risk.add("executables", Executable(path=model.clip(relative, 300), language=language))
    if len(span) > MAX_WALK:
        risk.truncated = True


def _relative(path: str, root: str) -> str:
    return path[len(root) + 1:] if root else path


def _store(art: DetectedArtifact, risk: Risk) -> None:
    if risk:
        art.risk = risk.to_json()
        art.risk_summary = model.summary(risk)


def with_plugin_risk(plugins: Iterable[DetectedArtifact],
                     members: Iterable[DetectedArtifact]) -> None:
    """A plugin runs what its members run: their stored risks combined, each item's path made
    relative to the plugin's folder."""
    by_plugin: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for art in members:
        if art.plugin_path is not None and art.risk:
            root = art.path if art.type == "skill" else parent_of(art.path)
            by_plugin.setdefault(art.plugin_path, []).append((root, art.risk))
    for plugin in plugins:
        base = (plugin.plugin_meta or {}).get("root")
        parts = by_plugin.get(plugin.path)
        if base is None or not parts:
            continue
        inside = [(_relative(root, base) if root.startswith(f"{base}/") or not base else root,
                   data) for root, data in parts]
        combined = model.combine_stored(inside)
        if combined:
            plugin.risk = combined
            plugin.risk_summary = model.summary(combined)

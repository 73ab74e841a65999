"""Slash commands and subagents: markdown prompts in `commands/` and `agents/` folders,
the files plugin manifests declare, and collections a README says to install."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection.frontmatter import Markdown, parse_markdown
from skillmeat.core.marketplace.detection.index import TreeIndex
from skillmeat.core.marketplace.detection.layout import Layout
from skillmeat.core.marketplace.detection.manifests import Plugin
from skillmeat.core.marketplace.detection.metadata import describe
from skillmeat.core.marketplace.detection.paths import (
    DOC_DIRS,
    OTHER_HARNESS_DIRS,
    TEST_DIRS,
    VENDORED_DIRS,
    base_of,
    has_any,
    is_doc_name,
    is_template_name,
    parent_of,
    stem_of,
)
from skillmeat.core.marketplace.detection.placeholders import is_placeholder_text
from skillmeat.core.marketplace.detection.scoring import Score

ANCHORS = {"commands": "command", "agents": "agent"}
_EXCLUDED_ABOVE = DOC_DIRS | TEST_DIRS | OTHER_HARNESS_DIRS
# Path-derived points; the strongest one an entry earns is kept.
LAYOUT_POINTS = {
    "command": {"layout": 50, "manifest": 60, "collection_readme": 45},
    "agent": {"layout": 45, "manifest": 60, "manifest_sibling": 45, "collection_readme": 40},
}
CONTAINER_POINTS = {
    "command": {"claude_dir": 30, "plugin": 30, "collection": 10},
    "agent": {"claude_dir": 20, "plugin": 20, "collection": 5},
}
_COMMAND_FIELDS = ("allowed-tools", "argument-hint", "disable-model-invocation")
_AGENT_FIELDS = ("tools", "model", "color", "permissionMode", "skills")


@dataclass(slots=True)
class Candidate:
    kind: str  # "command" or "agent"
    path: str
    signals: dict[str, int] = field(default_factory=dict)
    plugin: Plugin | None = None

    def offer(self, signal: str, points: int) -> None:
        """Keep only the strongest layout reason for this entry."""
        best = max(self.signals.values(), default=None)
        if best is None or points > best:
            self.signals = {signal: points}


class MarkdownFiles:
    """Markdown paths sorted once, so a folder's files are a range, not a scan."""

    def __init__(self, index: TreeIndex) -> None:
        self.paths = sorted(index.markdown)

    def under(self, folder: str, direct: bool = False) -> Iterator[str]:
        prefix = f"{folder}/" if folder else ""
        start = bisect.bisect_left(self.paths, prefix)
        for path in self.paths[start:]:
            if not path.startswith(prefix):
                break
            if direct and "/" in path[len(prefix) :]:
                continue
            yield path


def find_candidates(
    index: TreeIndex,
    layout: Layout,
    files: MarkdownFiles,
    collections: Mapping[str, set[str]],
) -> dict[tuple[str, str], Candidate]:
    """Command and agent candidates from paths and manifests alone (nothing read yet)."""
    found: dict[tuple[str, str], Candidate] = {}

    def offer(kind: str, path: str, signal: str) -> None:
        key = (kind, path)
        cand = found.get(key)
        if cand is None:
            cand = found[key] = Candidate(kind, path)
        cand.offer(signal, LAYOUT_POINTS[kind][signal])

    for path in index.markdown:
        kind = _anchored_kind(path, layout)
        if kind:
            offer(kind, path, "layout")
    for plugin in layout.plugins.values():
        for field_name, kind in (("commands", "command"), ("agents", "agent")):
            for declared in plugin.declared.get(field_name, ()):
                if declared.endswith(".md") and index.is_file(declared):
                    offer(kind, declared, "manifest")
                    if kind == "agent":
                        # Agent files beside the listed ones: a manifest that forgot one.
                        for sibling in files.under(parent_of(declared), direct=True):
                            if _loose_prompt(sibling, layout):
                                offer(kind, sibling, "manifest_sibling")
                elif index.is_dir(declared):
                    for path in files.under(declared):
                        if _loose_prompt(path, layout):
                            offer(kind, path, "manifest")
    for folder, kinds in collections.items():
        for path in files.under(folder):
            if _loose_prompt(path, layout):
                for kind in kinds:
                    offer(kind, path, "collection_readme")
    return found


def _anchored_kind(path: str, layout: Layout) -> str | None:
    """'command' or 'agent' for a prompt under a `commands/` or `agents/` folder."""
    segments = path.split("/")
    anchor = next((i for i, seg in enumerate(segments[:-1]) if seg in ANCHORS), None)
    if anchor is None:
        return None
    name = segments[-1]
    if is_doc_name(name) or is_template_name(name):
        return None
    if has_any(segments[:-1], VENDORED_DIRS) or has_any(segments[:anchor], _EXCLUDED_ABOVE):
        return None
    if layout.in_skill(path):
        return None  # a skill's own prompt files are resources of that skill
    return ANCHORS[segments[anchor]]


def _loose_prompt(path: str, layout: Layout) -> bool:
    """Whether a markdown file outside the standard folders may be a declared prompt."""
    name = base_of(path)
    if is_doc_name(name) or is_template_name(name):
        return False
    segments = path.split("/")[:-1]
    if has_any(segments, VENDORED_DIRS) or has_any(segments, _EXCLUDED_ABOVE):
        return False
    return not layout.in_skill(path)


def container_signal(path: str, layout: Layout) -> str:
    """Where the prompt's folder sits: a project's `.claude/`, a plugin root, or elsewhere."""
    owner_kind, owner_dir = layout.owner(path)
    segments = path.split("/")
    anchor = next((i for i, seg in enumerate(segments[:-1]) if seg in ANCHORS), None)
    if anchor is None:
        # Declared by a manifest or a README at a custom path.
        return "plugin" if owner_kind == "plugin" else "collection"
    if owner_kind in ("claude", "plugin") and "/".join(segments[:anchor]) == owner_dir:
        return "claude_dir" if owner_kind == "claude" else "plugin"
    return "collection"


def detect_prompts(
    layout: Layout,
    candidates: Mapping[tuple[str, str], Candidate],
    index: TreeIndex,
    texts: Mapping[str, bytes],
) -> list[DetectedArtifact]:
    """Score candidates once their frontmatter is read."""
    docs: dict[str, Markdown] = {}
    out: list[DetectedArtifact] = []
    for (kind, path), cand in candidates.items():
        doc = docs.get(path)
        if doc is None:
            doc = docs[path] = parse_markdown(texts.get(path, b""))
        if _yields_to_agent(kind, cand, candidates, doc):
            continue
        score = Score(dict(cand.signals))
        container = container_signal(path, layout)
        score.add(container, CONTAINER_POINTS[kind][container])
        description = doc.text("description")
        name = doc.text("name")
        if kind == "command":
            if description:
                score.add("frontmatter_description", 10)
            if any(doc.has(f) for f in _COMMAND_FIELDS):
                score.add("command_fields", 5)
            if "$ARGUMENTS" in doc.body or "$1" in doc.body:
                score.add("arguments", 5)
        else:
            if name:
                score.add("frontmatter_name", 25)
            else:
                score.add("no_name", -40)  # Claude Code loads no subagent without a name
            if description:
                score.add("frontmatter_description", 10)
            if any(doc.has(f) for f in _AGENT_FIELDS):
                score.add("agent_fields", 5)
        if not doc.body.strip() and not doc.fields:
            score.add("empty", -40)
        if is_placeholder_text(description):
            score.add("placeholder", -50)
        plugin = layout.plugin_of(path)
        title, desc, version = describe(doc, plugin)
        out.append(
            DetectedArtifact(
                type=kind,
                name=(name if kind == "agent" and name else stem_of(base_of(path))),
                path=path,
                content_hash=index.blobs[path].sha,
                confidence=score.total,
                score_breakdown=score.signals,
                title=title,
                description=desc,
                version=version,
            )
        )
    return out


def _yields_to_agent(
    kind: str,
    cand: Candidate,
    candidates: Mapping[tuple[str, str], Candidate],
    doc: Markdown,
) -> bool:
    """A collection file offered as both kinds is an agent when it has subagent frontmatter."""
    if "collection_readme" not in cand.signals:
        return False
    other = candidates.get(("agent" if kind == "command" else "command", cand.path))
    if other is None or "collection_readme" not in other.signals:
        return False
    is_agent = bool(doc.text("name") and doc.text("description"))
    return is_agent if kind == "command" else not is_agent

"""Slash commands and subagents: markdown prompts found by folder, manifest or install README."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection.frontmatter import Markdown, parse_markdown
from skillmeat.core.marketplace.detection.index import TreeIndex
from skillmeat.core.marketplace.detection.layout import Layout
from skillmeat.core.marketplace.detection.metadata import markdown_artifact
from skillmeat.core.marketplace.detection.paths import (
    DOC_DIRS,
    OTHER_HARNESS_DIRS,
    TEST_DIRS,
    VENDORED_DIRS,
    WEB_DATA_DIRS,
    base_of,
    is_doc_name,
    is_template_name,
    parent_of,
    stem_of,
)
from skillmeat.core.marketplace.detection.placeholders import (
    is_placeholder_name,
    is_placeholder_text,
)
from skillmeat.core.marketplace.detection.scoring import Score

ANCHORS = {"commands": "command", "agents": "agent"}
_ANCHOR = re.compile(r"(?:^|/)(commands|agents)/")  # the first match is the outermost folder
_EXCLUDED_ABOVE = DOC_DIRS | TEST_DIRS | OTHER_HARNESS_DIRS | WEB_DATA_DIRS
_EXCLUDED_LOOSE = _EXCLUDED_ABOVE | VENDORED_DIRS
# Path-derived points; the strongest one an entry earns is kept.
LAYOUT_POINTS = {
    "command": {"layout": 50, "manifest": 60, "collection_readme": 45},
    "agent": {
        "layout": 45,
        "manifest": 60,
        "manifest_sibling": 45,
        "collection_readme": 40,
        "agent_frontmatter": 20,
    },
}
CONTAINER_POINTS = {
    "command": {"claude_dir": 30, "plugin": 30, "collection": 10},
    "agent": {"claude_dir": 20, "plugin": 20, "collection": 5},
}
MIN_COLLECTION = 3  # prompts in one folder before it is read as a possible collection
_COMMAND_FIELDS = ("allowed-tools", "argument-hint", "disable-model-invocation")
_AGENT_FIELDS = ("tools", "model", "color", "permissionMode", "skills")


@dataclass(slots=True)
class Candidate:
    kind: str  # "command" or "agent"
    path: str
    signals: dict[str, int] = field(default_factory=dict)

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
        paths = self.paths
        for i in range(bisect.bisect_left(paths, prefix), len(paths)):
            path = paths[i]
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

    loose: dict[str, list[str]] = {}
    for path in index.markdown:
        kind = _anchored_kind(path, layout)
        if isinstance(kind, str):
            offer(kind, path, "layout")
        elif kind is None and _loose_prompt(path, layout) and "." not in stem_of(base_of(path)):
            loose.setdefault(parent_of(path), []).append(path)
    # Prompts outside any standard place, several to a folder or to a set of category
    # folders (a subagent collection): read them, and keep those with subagent frontmatter.
    by_collection: dict[str, int] = {}
    for folder, paths in loose.items():
        if folder:
            above = parent_of(folder)
            by_collection[above] = by_collection.get(above, 0) + len(paths)
    for folder, paths in loose.items():
        if len(paths) >= MIN_COLLECTION or (
            folder and by_collection[parent_of(folder)] >= MIN_COLLECTION
        ):
            for path in paths:
                offer("agent", path, "agent_frontmatter")
    sibling_dirs: set[str] = set()
    for plugin in layout.plugins.values():
        for field_name, kind in (("commands", "command"), ("agents", "agent")):
            for declared in plugin.declared.get(field_name, ()):
                if declared.endswith(".md") and index.is_file(declared):
                    offer(kind, declared, "manifest")
                    if kind == "agent":
                        sibling_dirs.add(parent_of(declared))
                elif index.is_dir(declared):
                    for path in files.under(declared):
                        if _loose_prompt(path, layout):
                            offer(kind, path, "manifest")
    # Agent files beside the listed ones: a manifest that forgot one (frontmatter decides).
    for folder in sibling_dirs:
        for sibling in files.under(folder, direct=True):
            if ("agent", sibling) not in found and _loose_prompt(sibling, layout):
                offer("agent", sibling, "manifest_sibling")
    for folder, kinds in collections.items():
        for path in files.under(folder):
            if _loose_prompt(path, layout):
                for kind in kinds:
                    offer(kind, path, "collection_readme")
    return found


def _anchored_kind(path: str, layout: Layout) -> str | bool | None:
    """'command' or 'agent' for a prompt under a `commands/` or `agents/` folder.

    None when there is no such folder above it; False when there is but the file is excluded.
    """
    anchor = _ANCHOR.search(path)
    if anchor is None:
        return None
    name = base_of(path)
    if is_doc_name(name) or is_template_name(name):
        return False
    if VENDORED_DIRS.within(parent_of(path)) or _EXCLUDED_ABOVE.within(path[: anchor.start()]):
        return False
    if layout.in_skill(path):
        return False  # a skill's own prompt files are resources of that skill
    return ANCHORS[anchor.group(1)]


def _loose_prompt(path: str, layout: Layout) -> bool:
    """Whether a markdown file outside the standard folders may be a declared prompt."""
    name = base_of(path)
    if is_doc_name(name) or is_template_name(name):
        return False
    if _EXCLUDED_LOOSE.within(parent_of(path)):
        return False
    return not layout.in_skill(path)


def container_signal(path: str, layout: Layout) -> str:
    """Where the prompt's folder sits: a project's `.claude/`, a plugin root, or elsewhere."""
    owner_kind, owner_dir = layout.owner(path)
    anchor = _ANCHOR.search(path)
    if anchor is None:
        # Declared by a manifest or a README at a custom path.
        return "plugin" if owner_kind == "plugin" else "collection"
    if owner_kind in ("claude", "plugin") and path[: max(anchor.start(), 0)] == owner_dir:
        return "claude_dir" if owner_kind == "claude" else "plugin"
    return "collection"


def detect_prompts(
    layout: Layout,
    keys: Iterable[tuple[str, str]],
    candidates: Mapping[tuple[str, str], Candidate],
    index: TreeIndex,
    texts: Mapping[str, bytes],
) -> list[DetectedArtifact]:
    """Score the candidates named by `keys` once their frontmatter is read (in `texts`).

    `candidates` holds them all: a file offered as both kinds is scored against the other.
    """
    out: list[DetectedArtifact] = []
    last: tuple[str, Markdown] | None = None
    for key in keys:
        kind, path = key
        cand = candidates[key]
        if last is None or last[0] != path:  # keys come sorted by path: parse each file once
            last = (path, parse_markdown(texts.get(path, b"")))
        doc = last[1]
        if _yields_to_agent(kind, cand, candidates, doc):
            continue
        if set(cand.signals) == {"agent_frontmatter"} and not _subagent_frontmatter(doc):
            continue  # an ordinary document among others
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
        if is_placeholder_text(description) or is_placeholder_name(name):
            score.add("placeholder", -70)
        shown = name if kind == "agent" and name else stem_of(base_of(path))
        out.append(markdown_artifact(kind, shown, path, index.sha(path), score, doc,
                                     layout.plugin_of(path)))
    return out


def _subagent_frontmatter(doc: Markdown) -> bool:
    """name and description, plus tools or model: the shape of a subagent definition."""
    return bool(
        doc.text("name") and doc.text("description") and (doc.has("tools") or doc.has("model"))
    )


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

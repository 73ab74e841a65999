"""Where slash commands and subagents may be: candidates from paths, manifests and READMEs.

Nothing is read here. Each candidate records where it was found (under a `commands/` or
`agents/` folder, declared by a manifest, installed by a README, or one of a set of loose
prompts); prompts.py weighs that against what the file holds once its frontmatter is read.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from skillmeat.core.marketplace.detection.index import TreeIndex
from skillmeat.core.marketplace.detection.layout import Layout
from skillmeat.core.marketplace.detection.paths import (
    FOREIGN_DIRS,
    VENDORED_DIRS,
    base_of,
    is_doc_name,
    is_template_name,
    parent_of,
    stem_of,
)

ANCHORS = {"commands": "command", "agents": "agent"}
_ANCHOR = re.compile(r"(?:^|/)(commands|agents)/")  # the first match is the outermost folder
MIN_COLLECTION = 3  # prompts in one folder (or its sibling folders) before they are read as a set
PROBE = 2  # files of a loose set read first; the rest only when one of them is a subagent
# Why a file was offered beyond its folder; an entry keeps the strongest reason.
RANK = {"manifest": 3, "collection_readme": 3, "manifest_sibling": 2, "loose_set": 1}
Key = tuple[str, str]


@dataclass(slots=True)
class Candidate:
    kind: str  # "command" or "agent"
    path: str
    anchored: bool = False  # under a `commands/` (command) or `agents/` (agent) folder
    reason: str | None = None  # a key of RANK

    def offer(self, reason: str) -> None:
        if self.reason is None or RANK[reason] > RANK[self.reason]:
            self.reason = reason


class Candidates(dict[Key, Candidate]):
    """Candidates by (kind, path), and the loose sets still to be probed before they join."""

    def __init__(self) -> None:
        super().__init__()
        self.loose_sets: dict[str, list[str]] = {}  # folder -> its loose prompts, sorted

    def add(self, kind: str, path: str) -> Candidate:
        key = (kind, path)
        found = self.get(key)
        if found is None:
            found = self[key] = Candidate(kind, path)
        return found

    def probes(self) -> dict[str, list[str]]:
        """Loose sets of more than PROBE unclaimed files -> the files to read first.

        A folder of subagents is subagents throughout; a folder of documents is not. Its
        first files tell which, so a documentation tree costs PROBE reads, not one per page.
        """
        out = {}
        for folder, paths in self.loose_sets.items():
            unclaimed = [path for path in paths if ("agent", path) not in self]
            if len(unclaimed) > PROBE:
                out[folder] = unclaimed[:PROBE]
        return out

    def admit(self, failed: set[str]) -> None:
        """Offer the loose sets as agents, but for the folders whose probes found none."""
        for folder, paths in self.loose_sets.items():
            if folder not in failed:
                for path in paths:
                    self.add("agent", path).offer("loose_set")
        self.loose_sets = {}


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


def anchor_start(path: str) -> int | None:
    """Where the outermost `commands/` or `agents/` folder starts (its owner's path ends)."""
    match = _ANCHOR.search(path)
    return None if match is None else match.start()


def find_candidates(
    index: TreeIndex,
    layout: Layout,
    files: MarkdownFiles,
    collections: Mapping[str, set[str]],
) -> Candidates:
    """Command and agent candidates from paths, manifests and install READMEs."""
    found = Candidates()
    found.loose_sets = _loose_sets(_anchored(index, layout, found))
    _declared(index, layout, files, found)
    for folder, kinds in collections.items():
        for path in files.under(folder):
            if loose_prompt(path, layout):
                for kind in kinds:
                    found.add(kind, path).offer("collection_readme")
    return found


def _anchored(index: TreeIndex, layout: Layout, found: Candidates) -> dict[str, list[str]]:
    """Offer files under `commands/` and `agents/` folders; return the others, by folder."""
    loose: dict[str, list[str]] = {}
    for path in index.markdown:
        kind = _anchored_kind(path, layout)
        if isinstance(kind, str):
            found.add(kind, path).anchored = True
        elif kind is None and loose_prompt(path, layout) and "." not in stem_of(base_of(path)):
            loose.setdefault(parent_of(path), []).append(path)
    return loose


def _loose_sets(loose: dict[str, list[str]]) -> dict[str, list[str]]:
    """Prompts outside any standard place, several to a folder or to a set of category folders
    (a subagent collection): agent candidates, kept only with subagent frontmatter."""
    by_parent: dict[str, int] = {}
    for folder, paths in loose.items():
        if folder:
            above = parent_of(folder)
            by_parent[above] = by_parent.get(above, 0) + len(paths)
    sets = {}
    for folder, paths in loose.items():
        among = by_parent[parent_of(folder)] if folder else 0  # with its sibling folders
        if len(paths) >= MIN_COLLECTION or among >= MIN_COLLECTION:
            sets[folder] = sorted(paths)
    return sets


def _declared(index: TreeIndex, layout: Layout, files: MarkdownFiles, found: Candidates) -> None:
    """Files and folders plugin manifests list, and agent files beside listed ones."""
    sibling_dirs: set[str] = set()
    for plugin in layout.plugins.values():
        for field_name, kind in (("commands", "command"), ("agents", "agent")):
            for declared in plugin.declared.get(field_name, ()):
                if declared.endswith(".md") and index.is_file(declared):
                    found.add(kind, declared).offer("manifest")
                    if kind == "agent":
                        sibling_dirs.add(parent_of(declared))
                elif index.is_dir(declared):
                    for path in files.under(declared):
                        if loose_prompt(path, layout):
                            found.add(kind, path).offer("manifest")
    # A manifest that lists agent files may have forgotten one (its frontmatter decides).
    for folder in sibling_dirs:
        for sibling in files.under(folder, direct=True):
            if ("agent", sibling) not in found and loose_prompt(sibling, layout):
                found.add("agent", sibling).offer("manifest_sibling")


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
    if VENDORED_DIRS.within(parent_of(path)) or FOREIGN_DIRS.within(path[: anchor.start()]):
        return False
    if layout.in_skill(path):
        return False  # a skill's own prompt files are resources of that skill
    return ANCHORS[anchor.group(1)]


def loose_prompt(path: str, layout: Layout) -> bool:
    """Whether a markdown file outside the standard folders may be a prompt at all."""
    name = base_of(path)
    if is_doc_name(name) or is_template_name(name):
        return False
    if FOREIGN_DIRS.within(parent_of(path)):
        return False
    return not layout.in_skill(path)

"""Skills: folders holding a SKILL.md (Agent Skills), nested ones included."""

from __future__ import annotations

import re
from collections.abc import Mapping

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection.frontmatter import parse_markdown
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
    parent_of,
)
from skillmeat.core.marketplace.detection.placeholders import (
    is_placeholder_name,
    is_placeholder_text,
)
from skillmeat.core.marketplace.detection.scoring import Score

# Agent Skills names: lowercase letters, digits and single hyphens, at most 64 characters.
_SKILL_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SKIPPED = VENDORED_DIRS | TEST_DIRS | WEB_DATA_DIRS  # website data holds copies


def find_skill_dirs(index: TreeIndex) -> dict[str, str]:
    """Skill folder -> its SKILL.md, skipping vendored code and test fixtures."""
    found: dict[str, str] = {}
    for path in index.skill_files:
        folder = parent_of(path)
        if _SKIPPED.within(folder):
            continue
        if folder not in found or base_of(path) == "SKILL.md":
            found[folder] = path
    return found


def valid_skill_name(name: str) -> bool:
    return len(name) <= 64 and bool(_SKILL_NAME.match(name))


def detect_skills(
    index: TreeIndex,
    layout: Layout,
    skills: Mapping[str, str],
    declared: frozenset[str],
    texts: Mapping[str, bytes],
) -> list[DetectedArtifact]:
    """One artifact per skill folder; `declared` holds folders that manifests list."""
    out: list[DetectedArtifact] = []
    for folder, path in skills.items():
        doc = parse_markdown(texts.get(path, b""))
        folder_name = base_of(folder)
        score = Score()
        if base_of(path) == "SKILL.md":
            score.add("layout", 55)
        else:
            score.add("layout_wrong_case", 30)  # loads only on case-insensitive file systems
        name = doc.text("name")
        description = doc.text("description")
        if not doc.has_frontmatter:
            score.add("no_frontmatter", -15)
        if name:
            if valid_skill_name(name):
                score.add("frontmatter_name", 15)
            else:
                score.add("invalid_name", 5)  # Claude Code may refuse it
            if name == folder_name:
                score.add("name_matches_dir", 5)
        if description:
            score.add("description", 10)
        if base_of(parent_of(folder)) == "skills":
            score.add("skills_folder", 10)
        owner = layout.plugin_of(folder)
        if owner is not None:
            score.add("plugin", 10)
        elif "/.claude/" in f"/{folder}/":
            score.add("claude_dir", 10)
        if folder in declared or parent_of(folder) in declared:
            score.add("manifest", 10)
        if is_placeholder_text(description) or is_placeholder_name(name):
            score.add("placeholder", -80)
        above = parent_of(folder)
        if DOC_DIRS.within(above):
            score.add("docs_location", -20)
        if OTHER_HARNESS_DIRS.within(above):
            score.add("other_harness", -15)
        content_hash = index.sha(folder) if folder else index.sha(path)
        out.append(markdown_artifact("skill", name or folder_name or "skill", folder,
                                     content_hash, score, doc, owner))
    return out

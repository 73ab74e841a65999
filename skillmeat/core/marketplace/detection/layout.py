"""Who owns a path: a plugin, a skill, a project's `.claude/` folder, or the repository."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from skillmeat.core.marketplace.detection.manifests import Plugin
from skillmeat.core.marketplace.detection.paths import ancestors, base_of

OwnerKind = Literal["plugin", "skill", "claude", "repo"]


class Layout:
    """Nearest-owner lookups over the plugin roots and skill folders found in a tree."""

    def __init__(self, plugins: Mapping[str, Plugin], skill_dirs: Iterable[str]) -> None:
        self.plugins = plugins
        # The root is never a bundling skill: a repository that is one skill may still keep
        # its own `.claude/` configuration or plugin folders beside it.
        self.skill_dirs = frozenset(d for d in skill_dirs if d)

    def owner(self, path: str) -> tuple[OwnerKind, str]:
        """The nearest folder above `path` that decides how Claude Code would load it."""
        for folder in ancestors(path):
            if folder in self.plugins:
                return "plugin", folder
            if folder in self.skill_dirs:
                return "skill", folder
            if base_of(folder) == ".claude":
                return "claude", folder
        return "repo", ""

    def in_skill(self, path: str) -> bool:
        """Whether `path` is a file bundled inside a skill (Claude Code never loads it alone)."""
        return self.owner(path)[0] == "skill"

    def plugin_of(self, path: str) -> Plugin | None:
        for folder in ancestors(path):
            plugin = self.plugins.get(folder)
            if plugin is not None:
                return plugin
        return None

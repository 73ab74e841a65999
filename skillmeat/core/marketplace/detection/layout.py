"""Who owns a path: a plugin, a skill, a project's `.claude/` folder, or the repository."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from skillmeat.core.marketplace.detection.manifests import Plugin
from skillmeat.core.marketplace.detection.paths import base_of, parent_of

OwnerKind = Literal["plugin", "skill", "claude", "repo"]
Owner = tuple[OwnerKind, str]


class Layout:
    """Nearest-owner lookups over plugin roots and skill folders, memoized per folder."""

    def __init__(self, plugins: Mapping[str, Plugin], skill_dirs: Iterable[str]) -> None:
        self.plugins = plugins
        # The root is never a bundling skill: a repository that is one skill may still keep
        # its own `.claude/` configuration or plugin folders beside it.
        self.skill_dirs = frozenset(d for d in skill_dirs if d)
        self._owners: dict[str, Owner] = {}
        self._plugin_roots: dict[str, str | None] = {}

    def owner(self, path: str) -> Owner:
        """The nearest folder above `path` that decides how Claude Code would load it."""
        return self._owner_of(parent_of(path))

    def in_skill(self, path: str) -> bool:
        """Whether `path` is a file bundled inside a skill (Claude Code never loads it alone)."""
        return self._owner_of(parent_of(path))[0] == "skill"

    def plugin_of(self, path: str) -> Plugin | None:
        """The nearest plugin above `path`, through skills and `.claude/` folders."""
        root = self._plugin_root_of(parent_of(path))
        return None if root is None else self.plugins[root]

    def _owner_of(self, folder: str) -> Owner:
        cache = self._owners
        walked: list[str] = []
        current = folder
        while True:
            hit = cache.get(current)
            if hit is not None:
                break
            if current in self.plugins:
                hit = ("plugin", current)
            elif current in self.skill_dirs:
                hit = ("skill", current)
            elif base_of(current) == ".claude":
                hit = ("claude", current)
            elif not current:
                hit = ("repo", "")
            walked.append(current)
            if hit is not None:
                break
            current = parent_of(current)
        for seen in walked:
            cache[seen] = hit
        return hit

    def _plugin_root_of(self, folder: str) -> str | None:
        cache = self._plugin_roots
        walked: list[str] = []
        current = folder
        while True:
            if current in cache:
                found = cache[current]
                break
            walked.append(current)
            if current in self.plugins:
                found = current
                break
            if not current:
                found = None
                break
            current = parent_of(current)
        for seen in walked:
            cache[seen] = found
        return found

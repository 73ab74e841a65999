"""Plugins in the catalog: members linked to their plugin entry, cascades, whole imports.

A plugin entry's path is its folder ("." for the repository root), `<folder>#<name>` when
several marketplace entries share one folder, or `<marketplace.json>#<name>` for a remote
plugin (its files are in another repository). Members carry the plugin entry's id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from skillmeat.cache import repositories as repo
from skillmeat.cache.models import MarketplaceCatalogEntry, MarketplaceSource, new_id
from skillmeat.core import errors
from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.vocabulary import ArtifactType

CASCADE_REASON = "excluded with plugin {name}"


def plugin_root(path: str) -> str:
    """The folder of a local plugin entry's files ("" for the repository root)."""
    folder = path.partition("#")[0]
    return "" if folder == "." else folder


def is_remote(entry: MarketplaceCatalogEntry) -> bool:
    return entry.artifact_type == ArtifactType.PLUGIN and bool((entry.plugin_meta or {})
                                                               .get("remote"))


class PluginLinks:
    """One merge's plugin ids: existing plugin entries keep theirs, new ones get one now, so
    members inserted in the same merge can point at them."""

    def __init__(self, existing: Mapping[str, str], artifacts: Sequence[DetectedArtifact]):
        self.plugins = {a.path: a for a in artifacts if a.type == ArtifactType.PLUGIN}
        self.ids = {path: existing.get(path) or new_id("cat") for path in self.plugins}
        self.counts: dict[str, dict[str, int]] = {path: {} for path in self.plugins}
        for art in artifacts:
            if art.plugin_path in self.counts:
                counts = self.counts[art.plugin_path]
                counts[art.type] = counts.get(art.type, 0) + 1

    def of(self, art: DetectedArtifact) -> tuple[str | None, str | None]:
        plugin = self.plugins.get(art.plugin_path or "")
        if plugin is None:
            return None, None
        return self.ids[plugin.path], plugin.name.strip()[:255]

    def meta(self, art: DetectedArtifact) -> dict[str, Any] | None:
        """A plugin's facts, its member counts as this merge links them."""
        if art.type != ArtifactType.PLUGIN:
            return None
        return {**(art.plugin_meta or {}), "member_counts": dict(sorted(
            self.counts[art.path].items()))}

    def new_id(self, art: DetectedArtifact) -> str | None:
        return self.ids.get(art.path) if art.type == ArtifactType.PLUGIN else None


def cascade_exclude(session: Session, source: MarketplaceSource,
                    plugin: MarketplaceCatalogEntry) -> list[MarketplaceCatalogEntry]:
    """Exclude the plugin's members that are not excluded yet, at the plugin's own moment and
    with one reason, so a cascade restore finds exactly these."""
    reason = CASCADE_REASON.format(name=plugin.name)[:500]
    members = [m for m in repo.plugin_members(session, source.id, plugin.id, lock=True)
               if m.excluded_at is None]
    for member in members:
        member.excluded_at = plugin.excluded_at
        member.excluded_reason = reason
    return members


def cascade_restore(session: Session, source: MarketplaceSource,
                    plugin: MarketplaceCatalogEntry) -> list[MarketplaceCatalogEntry]:
    """The members the plugin's cascade excluded (same moment, same reason), restored."""
    if plugin.excluded_at is None:
        return []
    reason = CASCADE_REASON.format(name=plugin.name)[:500]
    members = [m for m in repo.plugin_members(session, source.id, plugin.id, lock=True)
               if m.excluded_at == plugin.excluded_at and m.excluded_reason == reason]
    for member in members:
        member.excluded_at = None
        member.excluded_reason = None
    return members


def require_plugin(entry: MarketplaceCatalogEntry) -> None:
    if entry.artifact_type != ArtifactType.PLUGIN:
        raise errors.InvalidInput("cascade applies to plugin entries only", field="cascade")


def members_to_mark(session: Session, source_id: str,
                    plugin_ids: Sequence[str]) -> list[MarketplaceCatalogEntry]:
    """Members imported with their plugins: every one not excluded and still in the repository.

    The collection layout decides nothing here: a whole plugin lands as one folder, and its
    members are marked with it in the transaction that records the plugin's import.
    """
    out: list[MarketplaceCatalogEntry] = []
    for plugin_id in plugin_ids:
        out += [m for m in repo.plugin_members(session, source_id, plugin_id, lock=True)
                if m.excluded_at is None and m.removed_at is None]
    return out

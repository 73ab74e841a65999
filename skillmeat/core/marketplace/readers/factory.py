"""Pick the reader for a source: GitHub's REST API for github.com, the git CLI otherwise."""

from __future__ import annotations

from skillmeat.cache.models import MarketplaceSource
from skillmeat.config import Settings
from skillmeat.core.marketplace.readers.deadline import Deadline
from skillmeat.core.marketplace.readers.git import GitReader
from skillmeat.core.marketplace.readers.github import GitHubReader
from skillmeat.core.marketplace.tree import RepoReader
from skillmeat.core.marketplace.urls import parse_repo_url


def open_reader(source: MarketplaceSource, settings: Settings, *,
                allow_local: bool | None = None) -> RepoReader:
    """A reader for one scan, browse or import: it stops at SKILLMEAT_SCAN_DEADLINE_SECONDS."""
    allowed = settings.local_sources_allowed if allow_local is None else allow_local
    # Stored sources are checked again: the server may have stopped allowing local paths.
    location = parse_repo_url(source.repo_url, allow_local=allowed)
    if location.kind == "github" and location.owner:
        return GitHubReader.from_settings(location.owner, location.repo_name, source.ref,
                                          settings)
    return GitReader(location.repo_url, source.ref, settings.git_cache_dir, allow_local=allowed,
                     deadline=Deadline(settings.scan_deadline_seconds))

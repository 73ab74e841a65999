"""Listing a source's catalog: what a filter means, one keyset page, and the view's counts."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from skillmeat.cache import repositories as repo
from skillmeat.cache.models import MarketplaceCatalogEntry, MarketplaceSource
from skillmeat.core import errors
from skillmeat.core.cursor import CursorCodec, query_scope
from skillmeat.core.marketplace import counts
from skillmeat.core.marketplace.search import words_of
from skillmeat.core.marketplace.sources import get_source
from skillmeat.core.marketplace.vocabulary import (
    CONFIDENCE_THRESHOLD,
    CatalogStatus,
    SortBy,
    SortOrder,
    one_of,
)
from skillmeat.core.pagination import Page, keyset_page

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Each order's column and the type of its values (a cursor stores them as JSON).
SORTS: dict[SortBy, tuple[str, type]] = {
    SortBy.CONFIDENCE: ("confidence_score", int),
    SortBy.NAME: ("name", str),
    SortBy.DATE: ("detected_at", datetime),
}


@dataclass(frozen=True)
class EntryFilter:
    """What a person asks a listing for. Excluded and low-confidence entries stay hidden
    unless asked for; asking for a status shows that status, excluded included."""

    artifact_type: str | None = None
    status: str | None = None
    min_confidence: int | None = None
    max_confidence: int | None = None
    search: str | None = None
    include_excluded: bool = False
    include_below_threshold: bool = False
    plugin_id: str | None = None  # only the members of this plugin entry

    def check(self) -> None:
        low, high = self.min_confidence, self.max_confidence
        if low is not None and high is not None and low > high:
            raise errors.InvalidInput("min_confidence must not exceed max_confidence")
        if self.search and _CONTROL.search(self.search):
            raise errors.InvalidInput("search must not contain control characters")

    def criteria(self) -> repo.EntryCriteria:
        """The filter as column conditions, the hiding rules applied."""
        low = self.min_confidence
        if not self.include_below_threshold:
            low = max(low or 0, CONFIDENCE_THRESHOLD)
        hidden = None if self.include_excluded else CatalogStatus.EXCLUDED
        text = words_of(self.search) if self.search else None  # the search index's words
        return repo.EntryCriteria(self.artifact_type, self.status, hidden, low,
                                  self.max_confidence, text, self.plugin_id)


@dataclass(slots=True)
class CatalogCounts:
    """Entries per status (excluded included) and per type (as the default view shows)."""

    by_status: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, source: MarketplaceSource, include_below: bool = False) -> CatalogCounts:
        matrix = source.catalog_counts or {}
        return cls(counts.by_status(matrix, include_below), counts.by_type(matrix, include_below))


@dataclass(slots=True)
class CatalogPage:
    page: Page[MarketplaceCatalogEntry]
    counts: CatalogCounts


def list_entries(session: Session, codec: CursorCodec, source_id: str, f: EntryFilter, *,
                 sort_by: str = SortBy.CONFIDENCE, sort_order: str = SortOrder.DESC,
                 limit: int = 50, cursor: str | None = None) -> CatalogPage:
    sort = one_of(SortBy, sort_by, "sort_by")
    descending = one_of(SortOrder, sort_order, "sort_order") == SortOrder.DESC
    f.check()
    source = get_source(session, source_id)
    column, kind = SORTS[sort]
    criteria = f.criteria()
    page = keyset_page(
        codec, query_scope(source=source_id, f=asdict(f), sort=sort, order=sort_order),
        cursor, limit, key_types=(kind, str),
        fetch=lambda after, n: repo.entry_page(session, source_id, criteria, column,
                                               descending, after, n),
        key=lambda entry: (getattr(entry, column), entry.id),
    )
    return CatalogPage(page, CatalogCounts.of(source, f.include_below_threshold))

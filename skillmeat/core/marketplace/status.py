"""Catalog status: derived from an entry's facts in exactly one place."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

CatalogStatus = Literal["new", "updated", "removed", "imported", "excluded"]
STATUSES: tuple[str, ...] = ("new", "updated", "removed", "imported", "excluded")

# Entries below this confidence are stored but hidden from listings unless asked for.
CONFIDENCE_THRESHOLD = 30


def derive_status(
    *,
    excluded_at: datetime | None,
    removed_at: datetime | None,
    imported_sha: str | None,
    import_date: datetime | None,
    detected_sha: str | None,
) -> str:
    if excluded_at is not None:
        return "excluded"
    if removed_at is not None:
        return "removed"
    if import_date is not None:
        return "updated" if imported_sha != detected_sha else "imported"
    return "new"


def status_of(entry: object) -> str:
    """The status an entry (ORM object or row with the same attributes) should have."""
    return derive_status(
        excluded_at=getattr(entry, "excluded_at"),  # noqa: B009 - duck-typed rows
        removed_at=getattr(entry, "removed_at"),  # noqa: B009
        imported_sha=getattr(entry, "imported_sha"),  # noqa: B009
        import_date=getattr(entry, "import_date"),  # noqa: B009
        detected_sha=getattr(entry, "detected_sha"),  # noqa: B009
    )

"""Catalog status: derived from an entry's facts in exactly one place."""

from __future__ import annotations

from datetime import datetime

from skillmeat.core.marketplace.vocabulary import NOT_IMPORTABLE, CatalogStatus


def derive_status(
    *,
    excluded_at: datetime | None,
    removed_at: datetime | None,
    imported_sha: str | None,
    import_date: datetime | None,
    detected_sha: str | None,
) -> CatalogStatus:
    if excluded_at is not None:
        return CatalogStatus.EXCLUDED
    if removed_at is not None:
        return CatalogStatus.REMOVED
    if import_date is not None:
        return CatalogStatus.UPDATED if imported_sha != detected_sha else CatalogStatus.IMPORTED
    return CatalogStatus.NEW


def status_of(entry: object) -> CatalogStatus:
    """The status an entry (ORM object or row with the same attributes) should have."""
    return derive_status(
        excluded_at=getattr(entry, "excluded_at"),  # noqa: B009 - duck-typed rows
        removed_at=getattr(entry, "removed_at"),  # noqa: B009
        imported_sha=getattr(entry, "imported_sha"),  # noqa: B009
        import_date=getattr(entry, "import_date"),  # noqa: B009
        detected_sha=getattr(entry, "detected_sha"),  # noqa: B009
    )


def importable(status: str) -> bool:
    """Whether an entry with this status may be imported."""
    return status not in NOT_IMPORTABLE

"""Per-source catalog counts, kept in step with every write instead of counted per request.

The source row holds a small matrix `"type:status:band" -> n` (band 1: confidence at or above
the listing threshold). Listings read their tab and status counts from it in O(1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from skillmeat.core.marketplace.vocabulary import (
    CONFIDENCE_THRESHOLD,
    ArtifactType,
    CatalogStatus,
)


def band(confidence: int) -> int:
    return 1 if confidence >= CONFIDENCE_THRESHOLD else 0


def key(artifact_type: str, status: str, confidence: int) -> str:
    return f"{artifact_type}:{status}:{band(confidence)}"


def from_rows(rows: Iterable[tuple[str, str, int, int]]) -> dict[str, int]:
    """Build the matrix from (type, status, band, n) rows of a GROUP BY."""
    return {f"{t}:{s}:{b}": int(n) for t, s, b, n in rows if n}


def moved(counts: Mapping[str, int], old_key: str, new_key: str, n: int = 1) -> dict[str, int]:
    """The matrix after `n` entries moved from old_key to new_key."""
    result = dict(counts)
    if old_key == new_key:
        return result
    result[old_key] = result.get(old_key, 0) - n
    if result[old_key] <= 0:
        del result[old_key]
    result[new_key] = result.get(new_key, 0) + n
    return result


def _cells(counts: Mapping[str, int], include_below: bool) -> Iterable[tuple[str, str, int]]:
    for cell, n in counts.items():
        artifact_type, status, cell_band = cell.split(":")
        if include_below or cell_band == "1":
            yield artifact_type, status, n


def by_status(counts: Mapping[str, int], include_below: bool = False) -> dict[str, int]:
    result = dict.fromkeys(map(str, CatalogStatus), 0)
    for _type, status, n in _cells(counts, include_below):
        result[status] = result.get(status, 0) + n
    return result


def by_type(counts: Mapping[str, int], include_below: bool = False,
            include_excluded: bool = False) -> dict[str, int]:
    """Counts per type of what the default view shows: excluded entries left out."""
    result = dict.fromkeys(map(str, ArtifactType), 0)
    for artifact_type, status, n in _cells(counts, include_below):
        if include_excluded or status != CatalogStatus.EXCLUDED:
            result[artifact_type] = result.get(artifact_type, 0) + n
    return result

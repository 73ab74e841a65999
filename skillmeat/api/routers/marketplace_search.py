"""HTTP face of search across every source."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from skillmeat.api.deps import CodecDep, Reads
from skillmeat.api.schemas.search import SearchResponse
from skillmeat.core.marketplace import search as service
from skillmeat.core.marketplace.vocabulary import ArtifactType, CatalogStatus
from skillmeat.core.pagination import MAX_PAGE

router = APIRouter(prefix="/api/v1/marketplace", tags=["marketplace-search"])
MAX_SOURCES = 50


@router.get("/search", response_model=SearchResponse)
async def search(
    read: Reads,
    codec: CodecDep,
    q: Annotated[str, Query(max_length=service.MAX_QUERY, description=(
        "Words to find; all must match, the last as a prefix while typed. Empty, longer "
        "than 200 characters, more than 8 words or no letter or digit: 422."))],
    artifact_type: Annotated[list[ArtifactType] | None, Query(max_length=10)] = None,
    source_id: Annotated[list[str] | None, Query(max_length=MAX_SOURCES)] = None,
    status: CatalogStatus | None = None,
    include_excluded: bool = False,
    min_confidence: Annotated[int | None, Query(ge=0, le=100)] = None,
    group: Annotated[bool, Query(description="One hit per content hash.")] = False,
    facets: Annotated[bool, Query(description=(
        "Count hits by type and source (over at most 1,000 hits). Search-as-you-type "
        "and further pages can leave them out."))] = True,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> SearchResponse:
    f = service.SearchFilter(tuple(artifact_type or ()), tuple(source_id or ()), status,
                             include_excluded, min_confidence, group)
    return await read(lambda s: SearchResponse.of(
        service.search(s, codec, q, f, limit=limit, cursor=cursor, with_facets=facets)))

"""Response models of search across sources, and of an entry with its copies."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from skillmeat.api.schemas.marketplace import (
    CatalogEntryDetailResponse,
    CatalogEntryResponse,
    PageInfo,
)
from skillmeat.core.marketplace.search import Copy, Hit, SearchResult


class SnippetPart(BaseModel):
    text: str
    hit: bool = Field(description="A matched word (show it highlighted).")


class SearchHitResponse(BaseModel):
    entry: CatalogEntryResponse
    repo_name: str
    matched_in: str = Field(description="name, title, description, path or keywords")
    snippet: list[SnippetPart]
    tier: int = Field(description="0 all words in the name, 1 title, 2 description, 3 path, "
                                  "4 keywords, 5 spread over several fields.")
    also_in: int = Field(description="Other sources that hold the same content.")

    @classmethod
    def of(cls, hit: Hit) -> SearchHitResponse:
        return cls(entry=CatalogEntryResponse.model_validate(hit.entry), repo_name=hit.repo_name,
                   matched_in=hit.matched_in, tier=hit.tier, also_in=hit.also_in,
                   snippet=[SnippetPart(text=s.text, hit=s.hit) for s in hit.snippet])


class SourceFacet(BaseModel):
    source_id: str
    repo_name: str
    count: int


class SearchFacets(BaseModel):
    by_type: dict[str, int]
    by_source: list[SourceFacet]
    capped: bool = Field(description="Counting stopped at a cap: the counts are lower bounds.")


class SearchResponse(BaseModel):
    items: list[SearchHitResponse]
    page_info: PageInfo
    facets: SearchFacets | None = Field(description="Left out when facets=false.")
    words: list[str] = Field(description="The words searched for.")
    prefix: bool = Field(description="Whether the last word matched as a prefix.")

    @classmethod
    def of(cls, result: SearchResult) -> SearchResponse:
        f = result.facets
        return cls(
            items=[SearchHitResponse.of(h) for h in result.page.items],
            page_info=PageInfo.of(result.page),
            facets=None if f is None else SearchFacets(
                by_type=f.by_type, capped=f.capped, by_source=[
                    SourceFacet(source_id=s, repo_name=n, count=c) for s, n, c in f.by_source]),
            words=list(result.words.words), prefix=result.words.prefix)


class CopyResponse(BaseModel):
    source_id: str
    repo_url: str
    entry_id: str
    name: str
    path: str
    status: str

    @classmethod
    def of(cls, copy: Copy) -> CopyResponse:
        e = copy.entry
        return cls(source_id=e.source_id, repo_url=copy.repo_url, entry_id=e.id, name=e.name,
                   path=e.path, status=e.status)


class EntryDetailResponse(CatalogEntryDetailResponse):
    copies: list[CopyResponse] = Field(
        description="The same content (content hash) in other sources, up to 50.")

    @classmethod
    def with_copies(cls, entry: Any, copies: list[Copy]) -> EntryDetailResponse:
        return cls.of(entry, copies=[CopyResponse.of(c) for c in copies])

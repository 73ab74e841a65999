"""HTTP face of marketplace sources and their catalogs: parse, call a service, shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from sqlalchemy.orm import Session

from skillmeat.api.deps import ActorDep, CodecDep, Reads, Scans, SettingsDep, Writes
from skillmeat.api.schemas.marketplace import (
    CatalogEntryResponse,
    CatalogListResponse,
    ExcludeArtifactRequest,
    MergeResultResponse,
    RenameArtifactRequest,
    RepoUrlResponse,
    RestoreArtifactRequest,
    ScanHistoryResponse,
    ScanRecordResponse,
    ScanResultDocument,
    ScanResultResponse,
    SourceCreateRequest,
    SourceListResponse,
    SourceResponse,
    SourceUpdateRequest,
)
from skillmeat.api.schemas.search import EntryDetailResponse
from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry, MarketplaceSource
from skillmeat.config import Settings
from skillmeat.core.errors import SkillMeatError
from skillmeat.core.marketplace import catalog, history, listing, scanning, search, sources
from skillmeat.core.marketplace.listing import EntryFilter
from skillmeat.core.marketplace.merge import artifacts_from_document
from skillmeat.core.marketplace.pushes import apply_scan_document
from skillmeat.core.marketplace.readers.errors import ReaderError
from skillmeat.core.marketplace.vocabulary import (
    ArtifactType,
    CatalogStatus,
    ScanTrigger,
    SortBy,
    SortOrder,
)
from skillmeat.core.pagination import MAX_PAGE

router = APIRouter(prefix="/api/v1/marketplace/sources", tags=["marketplace-sources"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[str | None, Query(max_length=2048)]


def _create(session: Session, body: SourceCreateRequest, settings: Settings,
            ) -> MarketplaceSource:
    return sources.create_source(
        session, body.repo_url, ref=body.ref, root_hint=body.root_hint,
        description=body.description, allow_local=settings.local_sources_allowed,
    )


def _create_and_scan(db: Database, settings: Settings,
                     body: SourceCreateRequest) -> SourceResponse:
    # Its own transaction: the source must exist before the scan starts.
    with db.session() as session:
        source = _create(session, body, settings)
    try:
        scanning.scan_source(db, settings, source.id, trigger=ScanTrigger.CREATE)
    except (ReaderError, SkillMeatError):
        pass  # recorded on the source (scan_status=error, last_error) which we return
    with db.session(write=False) as session:
        return SourceResponse.model_validate(sources.get_source(session, source.id))


@router.post("", status_code=201, response_model=SourceResponse)
async def create_source(body: SourceCreateRequest, settings: SettingsDep, write: Writes,
                        scans: Scans) -> SourceResponse:
    if body.scan:  # the scan slot comes first: without a free one, nothing is created
        return await scans(_create_and_scan, body)
    return await write(lambda s: SourceResponse.model_validate(_create(s, body, settings)))


@router.get("", response_model=SourceListResponse)
async def list_sources(read: Reads, codec: CodecDep, limit: Limit = 50,
                       cursor: Cursor = None) -> SourceListResponse:
    return await read(lambda s: SourceListResponse.of(
        sources.list_sources(s, codec, limit=limit, cursor=cursor)))


# Declared before /{source_id}, which would otherwise take "url" for an id.
@router.get("/url", response_model=RepoUrlResponse)
async def read_repo_url(repo_url: Annotated[str, Query(max_length=1000)],
                        settings: SettingsDep) -> RepoUrlResponse:
    """How a repository URL would be added: where it is, and the ref and folder it names."""
    return RepoUrlResponse.of(sources.locate(repo_url, allow_local=settings.local_sources_allowed))


@router.get("/{source_id}", response_model=SourceResponse)
async def get_source(source_id: str, read: Reads) -> SourceResponse:
    return await read(lambda s: SourceResponse.model_validate(sources.get_source(s, source_id)))


@router.patch("/{source_id}", response_model=SourceResponse)
async def update_source(source_id: str, body: SourceUpdateRequest,
                        write: Writes) -> SourceResponse:
    changes = body.model_dump(include=body.model_fields_set)
    return await write(lambda s: SourceResponse.model_validate(
        sources.update_source(s, source_id, **changes)))


@router.delete("/{source_id}", status_code=204)
async def delete_source(source_id: str, write: Writes) -> Response:
    await write(lambda s: sources.delete_source(s, source_id))
    return Response(status_code=204)


@router.get("/{source_id}/artifacts", response_model=CatalogListResponse)
async def list_artifacts(
    source_id: str,
    read: Reads,
    codec: CodecDep,
    artifact_type: ArtifactType | None = None,
    status: CatalogStatus | None = None,
    min_confidence: Annotated[int | None, Query(ge=0, le=100)] = None,
    max_confidence: Annotated[int | None, Query(ge=0, le=100)] = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
    include_excluded: bool = False,
    include_below_threshold: bool = False,
    plugin_id: Annotated[str | None, Query(max_length=40,
                                           description="Only this plugin's members.")] = None,
    sort_by: SortBy = SortBy.CONFIDENCE,
    sort_order: SortOrder = SortOrder.DESC,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> CatalogListResponse:
    f = EntryFilter(artifact_type, status, min_confidence, max_confidence, search or None,
                    include_excluded, include_below_threshold, plugin_id or None)
    return await read(lambda s: CatalogListResponse.of(listing.list_entries(
        s, codec, source_id, f, sort_by=sort_by, sort_order=sort_order, limit=limit,
        cursor=cursor)))


def _entry(fn: Callable[..., MarketplaceCatalogEntry], *args: Any,
           ) -> Callable[[Session], CatalogEntryResponse]:
    """A unit of work that changes one entry with `fn(session, *args)` and shows it."""
    return lambda s: CatalogEntryResponse.model_validate(fn(s, *args))


@router.get("/{source_id}/artifacts/{entry_id}", response_model=EntryDetailResponse)
async def get_artifact(source_id: str, entry_id: str, read: Reads) -> EntryDetailResponse:
    """One entry: what it can run, and its copies in other sources (same content hash); a
    plugin's members link to it by plugin_id."""
    def detail(s: Session) -> EntryDetailResponse:
        entry, copies = search.entry_with_copies(s, source_id, entry_id)
        return EntryDetailResponse.with_copies(entry, copies)
    return await read(detail)


@router.patch("/{source_id}/artifacts/{entry_id}", response_model=CatalogEntryResponse)
async def rename_artifact(source_id: str, entry_id: str, body: RenameArtifactRequest,
                          write: Writes) -> CatalogEntryResponse:
    return await write(_entry(catalog.rename_entry, source_id, entry_id, body.name))


@router.patch("/{source_id}/artifacts/{entry_id}/exclude", response_model=CatalogEntryResponse)
async def exclude_artifact(source_id: str, entry_id: str, write: Writes, actor: ActorDep,
                           body: ExcludeArtifactRequest | None = None) -> CatalogEntryResponse:
    body = body or ExcludeArtifactRequest()
    if body.excluded:
        return await write(lambda s: CatalogEntryResponse.model_validate(catalog.exclude_entry(
            s, source_id, entry_id, body.reason, body.cascade, actor=actor)))
    return await write(lambda s: CatalogEntryResponse.model_validate(
        catalog.restore_entry(s, source_id, entry_id, body.cascade, actor=actor)))


@router.delete("/{source_id}/artifacts/{entry_id}/exclude", response_model=CatalogEntryResponse)
async def restore_artifact(source_id: str, entry_id: str, write: Writes, actor: ActorDep,
                           body: Annotated[RestoreArtifactRequest | None, Body()] = None,
                           ) -> CatalogEntryResponse:
    cascade = body.cascade if body is not None else False
    return await write(lambda s: CatalogEntryResponse.model_validate(
        catalog.restore_entry(s, source_id, entry_id, cascade, actor=actor)))


@router.post("/{source_id}/scan-results", response_model=MergeResultResponse)
async def push_scan_results(source_id: str, body: ScanResultDocument,
                            write: Writes) -> MergeResultResponse:
    artifacts = artifacts_from_document(a.model_dump() for a in body.artifacts)
    return await write(lambda s: MergeResultResponse.of(
        apply_scan_document(s, source_id, body.commit, artifacts)))


@router.post("/{source_id}/rescan", response_model=ScanResultResponse)
async def rescan_source(source_id: str, scans: Scans) -> ScanResultResponse:
    return ScanResultResponse.of(await scans(scanning.scan_source, source_id))


@router.get("/{source_id}/scans", response_model=ScanHistoryResponse)
async def list_scans(source_id: str, read: Reads) -> ScanHistoryResponse:
    return await read(lambda s: ScanHistoryResponse(items=[
        ScanRecordResponse.model_validate(r) for r in history.recent_scans(s, source_id)]))

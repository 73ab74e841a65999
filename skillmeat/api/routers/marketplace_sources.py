"""HTTP face of marketplace sources and their catalogs: parse, call a service, shape."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from skillmeat.api.deps import CodecDep, DbDep, ReadSession, SettingsDep, WriteSession
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
from skillmeat.core.errors import SkillMeatError
from skillmeat.core.marketplace import catalog, history, listing, scanning, sources
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


@router.post("", status_code=201, response_model=SourceResponse)
def create_source(body: SourceCreateRequest, db: DbDep, settings: SettingsDep) -> SourceResponse:
    # Its own transaction: with "scan": true the source must exist before the scan starts.
    with db.session() as session:
        source = sources.create_source(
            session, body.repo_url, ref=body.ref, root_hint=body.root_hint,
            description=body.description, allow_local=settings.local_sources_allowed,
        )
    if body.scan:
        try:
            scanning.scan_source(db, settings, source.id, trigger=ScanTrigger.CREATE)
        except (ReaderError, SkillMeatError):
            pass  # recorded on the source (scan_status=error, last_error) which we return
        with db.session(write=False) as session:
            source = sources.get_source(session, source.id)
    return SourceResponse.model_validate(source)


@router.get("", response_model=SourceListResponse)
def list_sources(session: ReadSession, codec: CodecDep, limit: Limit = 50,
                 cursor: Cursor = None) -> SourceListResponse:
    return SourceListResponse.of(sources.list_sources(session, codec, limit=limit, cursor=cursor))


# Declared before /{source_id}, which would otherwise take "url" for an id.
@router.get("/url", response_model=RepoUrlResponse)
def read_repo_url(repo_url: Annotated[str, Query(max_length=1000)],
                  settings: SettingsDep) -> RepoUrlResponse:
    """How a repository URL would be added: where it is, and the ref and folder it names."""
    return RepoUrlResponse.of(sources.locate(repo_url, allow_local=settings.local_sources_allowed))


@router.get("/{source_id}", response_model=SourceResponse)
def get_source(source_id: str, session: ReadSession) -> SourceResponse:
    return SourceResponse.model_validate(sources.get_source(session, source_id))


@router.patch("/{source_id}", response_model=SourceResponse)
def update_source(source_id: str, body: SourceUpdateRequest,
                  session: WriteSession) -> SourceResponse:
    changes = body.model_dump(include=body.model_fields_set)
    return SourceResponse.model_validate(sources.update_source(session, source_id, **changes))


@router.delete("/{source_id}", status_code=204)
def delete_source(source_id: str, session: WriteSession) -> Response:
    sources.delete_source(session, source_id)
    return Response(status_code=204)


@router.get("/{source_id}/artifacts", response_model=CatalogListResponse)
def list_artifacts(
    source_id: str,
    session: ReadSession,
    codec: CodecDep,
    artifact_type: ArtifactType | None = None,
    status: CatalogStatus | None = None,
    min_confidence: Annotated[int | None, Query(ge=0, le=100)] = None,
    max_confidence: Annotated[int | None, Query(ge=0, le=100)] = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
    include_excluded: bool = False,
    include_below_threshold: bool = False,
    sort_by: SortBy = SortBy.CONFIDENCE,
    sort_order: SortOrder = SortOrder.DESC,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> CatalogListResponse:
    f = EntryFilter(artifact_type, status, min_confidence, max_confidence, search or None,
                    include_excluded, include_below_threshold)
    return CatalogListResponse.of(listing.list_entries(
        session, codec, source_id, f, sort_by=sort_by, sort_order=sort_order, limit=limit,
        cursor=cursor))


@router.patch("/{source_id}/artifacts/{entry_id}", response_model=CatalogEntryResponse)
def rename_artifact(source_id: str, entry_id: str, body: RenameArtifactRequest,
                    session: WriteSession) -> CatalogEntryResponse:
    entry = catalog.rename_entry(session, source_id, entry_id, body.name)
    return CatalogEntryResponse.model_validate(entry)


@router.patch("/{source_id}/artifacts/{entry_id}/exclude", response_model=CatalogEntryResponse)
def exclude_artifact(source_id: str, entry_id: str, session: WriteSession,
                     body: ExcludeArtifactRequest | None = None) -> CatalogEntryResponse:
    body = body or ExcludeArtifactRequest()
    if body.excluded:
        entry = catalog.exclude_entry(session, source_id, entry_id, body.reason)
    else:
        entry = catalog.restore_entry(session, source_id, entry_id)
    return CatalogEntryResponse.model_validate(entry)


@router.delete("/{source_id}/artifacts/{entry_id}/exclude", response_model=CatalogEntryResponse)
def restore_artifact(source_id: str, entry_id: str, session: WriteSession,
                     body: Annotated[RestoreArtifactRequest | None, Body()] = None,
                     ) -> CatalogEntryResponse:
    return CatalogEntryResponse.model_validate(
        catalog.restore_entry(session, source_id, entry_id)
    )


@router.post("/{source_id}/scan-results", response_model=MergeResultResponse)
def push_scan_results(source_id: str, body: ScanResultDocument,
                      session: WriteSession) -> MergeResultResponse:
    artifacts = artifacts_from_document(a.model_dump() for a in body.artifacts)
    return MergeResultResponse.of(apply_scan_document(session, source_id, body.commit, artifacts))


@router.post("/{source_id}/rescan", response_model=ScanResultResponse)
def rescan_source(source_id: str, db: DbDep, settings: SettingsDep) -> ScanResultResponse:
    return ScanResultResponse.of(scanning.scan_source(db, settings, source_id))


@router.get("/{source_id}/scans", response_model=ScanHistoryResponse)
def list_scans(source_id: str, session: ReadSession) -> ScanHistoryResponse:
    scans = history.recent_scans(session, source_id)
    return ScanHistoryResponse(items=[ScanRecordResponse.model_validate(s) for s in scans])

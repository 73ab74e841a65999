"""HTTP face of importing entries and of looking inside them (both read the repository, so
both run in the browse lane: bounded, with threads of their own)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request

from skillmeat.api.deps import Browses, CodecDep
from skillmeat.api.routers.marketplace_sources import Cursor, Limit
from skillmeat.api.schemas.imports import (
    ArtifactFilesResponse,
    FileContentResponse,
    ImportRequest,
    ImportResponse,
)
from skillmeat.core.collection import service as collection
from skillmeat.core.marketplace import browsing, importing
from skillmeat.core.pagination import MAX_PAGE

router = APIRouter(prefix="/api/v1/marketplace/sources", tags=["marketplace-imports"])


@router.post("/{source_id}/import", response_model=ImportResponse)
async def import_artifacts(source_id: str, body: ImportRequest, browse: Browses,
                           request: Request, after: BackgroundTasks) -> ImportResponse:
    result = await browse(importing.import_entries, source_id, body.entry_ids,
                          body.conflict_strategy)
    after.add_task(collection.pack, request.app.state.settings)  # once answered
    return ImportResponse.of(result)


@router.get("/{source_id}/artifacts/{entry_id}/files", response_model=ArtifactFilesResponse)
async def list_artifact_files(source_id: str, entry_id: str, browse: Browses, codec: CodecDep,
                              limit: Limit = MAX_PAGE,
                              cursor: Cursor = None) -> ArtifactFilesResponse:
    return ArtifactFilesResponse.of(await browse(browsing.list_files, codec, source_id, entry_id,
                                                 limit=limit, cursor=cursor))


@router.get("/{source_id}/artifacts/{entry_id}/files/{file_path:path}",
            response_model=FileContentResponse)
async def read_artifact_file(source_id: str, entry_id: str, file_path: str,
                             browse: Browses) -> FileContentResponse:
    view = await browse(browsing.read_file, source_id, entry_id, file_path)
    return FileContentResponse.model_validate(view)

"""HTTP face of importing entries and of looking inside them."""

from __future__ import annotations

from fastapi import APIRouter

from skillmeat.api.deps import CodecDep, DbDep, SettingsDep
from skillmeat.api.routers.marketplace_sources import Cursor, Limit
from skillmeat.api.schemas.imports import (
    ArtifactFilesResponse,
    FileContentResponse,
    ImportRequest,
    ImportResponse,
)
from skillmeat.core.marketplace import browsing, importing
from skillmeat.core.pagination import MAX_PAGE

router = APIRouter(prefix="/api/v1/marketplace/sources", tags=["marketplace-imports"])


@router.post("/{source_id}/import", response_model=ImportResponse)
def import_artifacts(source_id: str, body: ImportRequest, db: DbDep,
                     settings: SettingsDep) -> ImportResponse:
    return ImportResponse.of(importing.import_entries(db, settings, source_id, body.entry_ids,
                                                      body.conflict_strategy))


@router.get("/{source_id}/artifacts/{entry_id}/files", response_model=ArtifactFilesResponse)
def list_artifact_files(source_id: str, entry_id: str, db: DbDep, settings: SettingsDep,
                        codec: CodecDep, limit: Limit = MAX_PAGE,
                        cursor: Cursor = None) -> ArtifactFilesResponse:
    return ArtifactFilesResponse.of(browsing.list_files(db, settings, codec, source_id, entry_id,
                                                        limit=limit, cursor=cursor))


@router.get("/{source_id}/artifacts/{entry_id}/files/{file_path:path}",
            response_model=FileContentResponse)
def read_artifact_file(source_id: str, entry_id: str, file_path: str, db: DbDep,
                       settings: SettingsDep) -> FileContentResponse:
    view = browsing.read_file(db, settings, source_id, entry_id, file_path)
    return FileContentResponse.model_validate(view)

"""HTTP face of importing entries and of looking inside them."""

from __future__ import annotations

from fastapi import APIRouter

from skillmeat.api.deps import DbDep, SettingsDep
from skillmeat.api.schemas.imports import (
    ArtifactFileResponse,
    ArtifactFilesResponse,
    FileContentResponse,
    ImportedItemResponse,
    ImportRequest,
    ImportResponse,
)
from skillmeat.core.marketplace import browsing, importing

router = APIRouter(prefix="/api/v1/marketplace/sources", tags=["marketplace-imports"])


@router.post("/{source_id}/import", response_model=ImportResponse)
def import_artifacts(source_id: str, body: ImportRequest, db: DbDep,
                     settings: SettingsDep) -> ImportResponse:
    return import_response(importing.import_entries(db, settings, source_id, body.entry_ids,
                                                    body.conflict_strategy))


@router.get("/{source_id}/artifacts/{entry_id}/files", response_model=ArtifactFilesResponse)
def list_artifact_files(source_id: str, entry_id: str, db: DbDep,
                        settings: SettingsDep) -> ArtifactFilesResponse:
    return files_response(browsing.list_files(db, settings, source_id, entry_id))


@router.get("/{source_id}/artifacts/{entry_id}/files/{file_path:path}",
            response_model=FileContentResponse)
def read_artifact_file(source_id: str, entry_id: str, file_path: str, db: DbDep,
                       settings: SettingsDep) -> FileContentResponse:
    view = browsing.read_file(db, settings, source_id, entry_id, file_path)
    return FileContentResponse.model_validate(view, from_attributes=True)


def import_response(result: importing.ImportResult) -> ImportResponse:
    return ImportResponse(
        # No collection_dir: a server path means nothing to a client and tells too much.
        import_id=result.import_id, source_id=result.source_id, commit=result.commit,
        items=[ImportedItemResponse.model_validate(i) for i in result.items],
    )


def files_response(listing: browsing.Listing) -> ArtifactFilesResponse:
    entry = listing.entry
    return ArtifactFilesResponse.model_validate({
        "entry_id": entry.id, "name": entry.name, "artifact_type": entry.artifact_type,
        "commit": listing.commit, "root": listing.root,
        "files": [ArtifactFileResponse.model_validate(m, from_attributes=True)
                  for m in listing.files],
    })

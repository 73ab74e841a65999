"""Request and response models of importing and of looking inside an entry."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from skillmeat.api.schemas.marketplace import ArtifactType

ConflictStrategy = Literal["skip", "overwrite", "rename"]
ImportOutcome = Literal["imported", "skipped", "renamed", "overwritten"]
FileKind = Literal["file", "symlink", "submodule"]


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry_ids: list[str] = Field(min_length=1, max_length=100)
    conflict_strategy: ConflictStrategy = Field(
        default="skip",
        description="When the target exists: leave it (skip), replace it (overwrite), or "
                    "write beside it as <name>-2 (rename).")


class SkippedFileResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    path: str
    reason: str


class ImportedItemResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    entry_id: str
    name: str
    artifact_type: ArtifactType
    outcome: ImportOutcome
    path: str = Field(description="Where it was written, relative to the server's collection "
                                  "folder (SKILLMEAT_COLLECTION_DIR).")
    file_count: int
    content_hash: str | None
    skipped_files: list[SkippedFileResponse] = Field(
        description="Repository paths left out: symbolic links, submodules, unsafe names.")


class ImportResponse(BaseModel):
    import_id: str
    source_id: str
    commit: str
    items: list[ImportedItemResponse]


class ArtifactFileResponse(BaseModel):
    path: str = Field(description="Relative to the artifact's root folder.")
    size: int | None
    sha: str
    kind: FileKind
    problem: str | None = Field(description="Why it is not imported or shown, if so.")


class ArtifactFilesResponse(BaseModel):
    entry_id: str
    name: str
    artifact_type: ArtifactType
    commit: str
    root: str = Field(description="The artifact's folder in the repository.")
    files: list[ArtifactFileResponse]


class FileContentResponse(BaseModel):
    path: str
    size: int | None
    sha: str
    binary: bool = Field(description="Not UTF-8 text: content is left out.")
    too_large: bool = Field(description="Over the display limit: content is left out.")
    content: str | None
    frontmatter: dict[str, Any] | None = Field(description="Markdown only.")
    frontmatter_error: str | None
    body: str | None = Field(description="Markdown only: the text after the frontmatter.")

"""Request and response models of importing and of looking inside an entry."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from skillmeat.core.marketplace.browsing import Listing, main_file
from skillmeat.core.marketplace.importing import ImportResult
from skillmeat.core.marketplace.vocabulary import (
    ArtifactType,
    ConflictStrategy,
    FileKind,
    ImportOutcome,
)


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry_ids: list[str] = Field(min_length=1, max_length=100)
    conflict_strategy: ConflictStrategy = Field(
        default=ConflictStrategy.SKIP,
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

    @classmethod
    def of(cls, result: ImportResult) -> ImportResponse:
        # No collection_dir: a server path means nothing to a client and tells too much.
        return cls(import_id=result.import_id, source_id=result.source_id, commit=result.commit,
                   items=[ImportedItemResponse.model_validate(i) for i in result.items])


class ArtifactFileResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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
    main_file: str | None = Field(description="The file that describes the artifact (its "
                                              "SKILL.md, or the entry's own file), if any.")

    @classmethod
    def of(cls, listing: Listing) -> ArtifactFilesResponse:
        entry = listing.entry
        return cls.model_validate({
            "entry_id": entry.id, "name": entry.name, "artifact_type": entry.artifact_type,
            "commit": listing.commit, "root": listing.root, "main_file": main_file(listing),
            "files": [ArtifactFileResponse.model_validate(m) for m in listing.files],
        })


class FileContentResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    path: str
    size: int | None
    sha: str
    binary: bool = Field(description="Not UTF-8 text: content is left out.")
    too_large: bool = Field(description="Over the display limit: content is left out.")
    content: str | None
    frontmatter: dict[str, Any] | None = Field(description="Markdown only.")
    frontmatter_error: str | None
    body: str | None = Field(description="Markdown only: the text after the frontmatter.")

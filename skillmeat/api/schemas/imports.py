"""Request and response models of importing and of looking inside an entry."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from skillmeat.api.schemas.marketplace import PageInfo
from skillmeat.core.marketplace.browsing import Listing
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
    conflict_strategy: ConflictStrategy | None = Field(
        default=None,
        description="When the plugin name is taken in the collection: leave it (skip), replace "
                    "it (overwrite), or write beside it as <name>-2 (rename). Unset: a name "
                    "taken by another origin is refused with 409, one of the same origin kept.")


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
    path: str = Field(description="Its unit folder (plugins/<name>), relative to the server's "
                                  "collection folder (SKILLMEAT_COLLECTION_DIR).")
    file_count: int
    content_hash: str | None
    skipped_files: list[SkippedFileResponse] = Field(
        description="Repository paths left out: symbolic links, submodules, unsafe names.")
    warnings: list[str] = Field(
        default_factory=list,
        description="E.g. a command that shadows one of Claude Code's built-in commands.")


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
    size: int | None = Field(description="Bytes, when the repository listing gives it (git "
                                         "sources: once the file was fetched).")
    sha: str
    kind: FileKind
    problem: str | None = Field(description="Why it is not imported or shown, if so.")


class ArtifactFilesResponse(BaseModel):
    entry_id: str
    name: str
    artifact_type: ArtifactType
    commit: str
    root: str = Field(description="The artifact's folder in the repository.")
    files: list[ArtifactFileResponse] = Field(description="This page, in path order.")
    page_info: PageInfo
    main_file: str | None = Field(description="The file that describes the artifact (its "
                                              "SKILL.md, or the entry's own file), if any.")
    file_count: int = Field(description="Files of the whole artifact that may be imported.")
    total_size: int = Field(description="Their bytes, as far as sizes are known.")
    unsized_files: int = Field(description="Files among them of unknown size.")
    problem: str | None = Field(description="Why an import would refuse the artifact (too "
                                            "many or too large files), if so.")

    @classmethod
    def of(cls, listing: Listing) -> ArtifactFilesResponse:
        entry, sums = listing.entry, listing.totals
        return cls.model_validate({
            "entry_id": entry.id, "name": entry.name, "artifact_type": entry.artifact_type,
            "commit": listing.commit, "root": listing.root, "main_file": listing.main_file,
            "files": [ArtifactFileResponse.model_validate(m) for m in listing.page.items],
            "page_info": PageInfo.of(listing.page), "file_count": sums.files,
            "total_size": sums.bytes, "unsized_files": sums.unsized, "problem": listing.problem,
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

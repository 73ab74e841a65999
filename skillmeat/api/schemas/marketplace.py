"""Request and response models of the marketplace API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, computed_field

from skillmeat.api.schemas.risk import RiskResponse
from skillmeat.core.marketplace.artifacts import (
    MAX_BREAKDOWN_ITEMS,
    MAX_BREAKDOWN_KEY,
    MAX_BREAKDOWN_TEXT,
)
from skillmeat.core.marketplace.listing import CatalogPage
from skillmeat.core.marketplace.merge import MergeResult
from skillmeat.core.marketplace.scanning import ScanReport
from skillmeat.core.marketplace.status import importable
from skillmeat.core.marketplace.tree import COMMIT_PREFIX
from skillmeat.core.marketplace.urls import RepoLocation
from skillmeat.core.marketplace.vocabulary import (
    ArtifactType,
    CatalogStatus,
    ScanOutcome,
    ScanStatus,
    ScanTrigger,
)
from skillmeat.core.pagination import Page
from skillmeat.core.risk import Risk


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceCreateRequest(_Request):
    repo_url: str = Field(min_length=1, max_length=1000,
                          examples=["https://github.com/anthropics/skills"])
    ref: str | None = Field(default=None, max_length=255,
                            description="Branch, tag or commit; default from the URL or main.")
    root_hint: str | None = Field(default=None, max_length=1000,
                                  description="Only scan below this folder.")
    description: str | None = Field(default=None, max_length=500)
    scan: bool = Field(default=False, description="Scan the repository right away.")


class SourceUpdateRequest(_Request):
    ref: str | None = Field(default=None, max_length=255)
    root_hint: str | None = Field(default=None, max_length=1000)
    description: str | None = Field(default=None, max_length=500)


class SourceResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    repo_url: str
    owner: str | None
    repo_name: str
    ref: str
    root_hint: str | None
    description: str | None
    scan_status: ScanStatus
    last_sync_at: datetime | None
    last_error: str | None
    last_scanned_sha: str | None
    artifact_count: int
    counts_by_type: dict[str, int]
    created_at: datetime
    updated_at: datetime


class RepoUrlResponse(BaseModel):
    """How the service reads a repository URL: where it is, and the ref and folder it names."""

    model_config = ConfigDict(from_attributes=True)

    repo_url: str = Field(description="The URL as a source stores it.")
    kind: str = Field(description="github, git or local")
    owner: str | None
    repo_name: str
    ref: str | None = Field(description="From a /tree/<ref>/... URL.")
    root_hint: str | None = Field(description="From a /tree/<ref>/<path> URL.")

    @classmethod
    def of(cls, location: RepoLocation) -> RepoUrlResponse:
        return cls.model_validate(location)


class PageInfo(BaseModel):
    next_cursor: str | None
    has_more: bool

    @classmethod
    def of(cls, page: Page[Any]) -> PageInfo:
        return cls(next_cursor=page.next_cursor, has_more=page.has_more)


class SourceListResponse(BaseModel):
    items: list[SourceResponse]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[Any]) -> SourceListResponse:
        return cls(items=[SourceResponse.model_validate(s) for s in page.items],
                   page_info=PageInfo.of(page))


class CatalogEntryResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    source_id: str
    artifact_type: ArtifactType
    name: str
    path: str
    upstream_url: str | None
    detected_sha: str | None
    detected_version: str | None
    confidence_score: int
    score_breakdown: dict[str, Any]
    status: CatalogStatus
    detected_at: datetime
    import_date: datetime | None
    import_id: str | None
    excluded_at: datetime | None
    excluded_reason: str | None
    excluded_by_rule: str | None = Field(description="The rule that excluded it (None: by hand).")
    title: str | None
    description: str | None
    risk_summary: str | None = Field(
        description='What it can run, in one line ("2 hooks · 1 MCP server · Bash").')
    created_at: datetime
    updated_at: datetime
    plugin_id: str | None = Field(description="The plugin entry this artifact is a member of.")
    plugin_name: str | None
    plugin_meta: dict[str, Any] | None = Field(
        exclude=True, default=None)  # shown through the fields below

    @computed_field(description="Whether an import would take it (not excluded or removed).")
    def importable(self) -> bool:
        return importable(self.status) and not (self.plugin_meta or {}).get("remote")

    @computed_field(description="Plugins: members by type.")
    def member_counts(self) -> dict[str, int] | None:
        return None if self.plugin_meta is None else self.plugin_meta.get("member_counts", {})

    @computed_field(description="Plugins: true when its files are in another repository "
                                "(upstream_url), which can be added as a source.")
    def remote(self) -> bool | None:
        return None if self.plugin_meta is None else bool(self.plugin_meta.get("remote"))

    @computed_field(description="The version its manifest declares.")
    def version(self) -> str | None:
        return self.detected_version

    @computed_field(description="Plugins: author, homepage, repository, license, and for a "
                                "remote plugin the ref or sha its marketplace pins.")
    def plugin(self) -> dict[str, Any] | None:
        if self.plugin_meta is None:
            return None
        return {k: v for k, v in self.plugin_meta.items() if k not in ("member_counts",
                                                                         "remote")}


class CatalogEntryDetailResponse(CatalogEntryResponse):
    risk: RiskResponse | None = Field(
        description="What this can run: hooks, MCP servers, tools, scripts, network endpoints "
                    "and unpinned package runners; null when it runs nothing.")

    @classmethod
    def of(cls, entry: Any, **extra: Any) -> Self:
        """The entry, its risk, and the `extra` fields a subclass adds."""
        risk = Risk.from_json(entry.risk)  # a stored risk read through the one model of it
        base = CatalogEntryResponse.model_validate(entry)
        return cls.model_validate({
            **base.model_dump(), "plugin_meta": base.plugin_meta,  # dumps leave it out
            "risk": RiskResponse.model_validate(risk) if risk else None, **extra})


class CatalogListResponse(BaseModel):
    items: list[CatalogEntryResponse]
    page_info: PageInfo
    counts_by_status: dict[str, int] = Field(
        description="Entries per status across the source, including excluded.")
    counts_by_type: dict[str, int] = Field(
        description="Entries per type of the default view (excluded entries left out).")

    @classmethod
    def of(cls, listing: CatalogPage) -> CatalogListResponse:
        return cls(items=[CatalogEntryResponse.model_validate(e) for e in listing.page.items],
                   page_info=PageInfo.of(listing.page),
                   counts_by_status=listing.counts.by_status,
                   counts_by_type=listing.counts.by_type)


class ExcludeArtifactRequest(_Request):
    excluded: bool = Field(default=True, description="false restores the entry.")
    reason: str | None = Field(default=None, max_length=500)
    cascade: bool = Field(default=False, description=(
        "Plugins only: its members too, in the same transaction (reason \"excluded with "
        "plugin <name>\"); a cascade restore brings back exactly those members."))


class RestoreArtifactRequest(_Request):
    """Body of a restore; nothing is required."""

    cascade: bool = Field(default=False, description="Plugins only: restore the members its "
                                                     "cascade excluded.")


class RenameArtifactRequest(_Request):
    name: str = Field(min_length=1, max_length=255)


BreakdownKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_BREAKDOWN_KEY)]
BreakdownValue = (Annotated[int, Field(strict=True)] | Annotated[float, Field(allow_inf_nan=False)]
                  | Annotated[str, StringConstraints(max_length=MAX_BREAKDOWN_TEXT)])


class ScanArtifact(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: ArtifactType
    name: str = Field(min_length=1, max_length=255)
    path: str = Field(min_length=1, max_length=1000)
    content_hash: str = Field(min_length=1, max_length=64)
    confidence: int = Field(ge=0, le=100)
    title: str | None = Field(default=None, max_length=2000)
    description: str | None = Field(default=None, max_length=20000)
    version: str | None = Field(default=None, max_length=200)
    keywords: str | None = Field(default=None, max_length=2000,
                                 description="Tags and keywords, for search.")
    plugin_path: str | None = Field(default=None, max_length=1000,
                                    description="Path of the plugin artifact it belongs to.")
    plugin_meta: dict[str, Any] | None = Field(default=None, max_length=20, description=(
        "Plugins: member_counts, remote, root, author, homepage, repository, license, "
        "upstream_url, ref, sha."))
    score_breakdown: Annotated[
        dict[BreakdownKey, BreakdownValue] | None,
        Field(max_length=MAX_BREAKDOWN_ITEMS, description=(
            "Flat: signal or note name -> points or a short text, as `skillmeat detect` "
            "writes it."))] = None


class ScanResultDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    commit: str = Field(min_length=4, max_length=64, pattern=COMMIT_PREFIX.pattern)
    artifacts: list[ScanArtifact] = Field(max_length=500_000)


class MergeResultResponse(BaseModel):
    commit: str
    new: int
    updated: int
    removed: int
    unchanged: int
    imported_updates: int = Field(description="Imported entries whose upstream content "
                                              "changed: offered on the Updates page.")

    @classmethod
    def of(cls, result: MergeResult) -> MergeResultResponse:
        return cls(commit=result.commit, new=result.new, updated=result.updated,
                   removed=result.removed, unchanged=result.unchanged,
                   imported_updates=result.imported_updates)


class ScanResultResponse(BaseModel):
    scan_id: str
    source_id: str
    commit: str | None
    unchanged: bool = Field(description="True when the commit and detector were already scanned.")
    new_count: int
    updated_count: int
    removed_count: int
    unchanged_count: int
    artifact_count: int = Field(description="Artifacts this scan detected.")
    imported_updates_count: int = Field(description="Imported entries whose upstream content "
                                                    "changed: offered on the Updates page.")
    complete: bool = Field(description="False when part of the tree could not be read; "
                                       "nothing is marked removed then.")
    problems: list[str] = Field(description="Parts of the tree that could not be read, and "
                                            "files skipped as unreadable (JSON too large or "
                                            "nested too deeply, say); at most 50, then a count.")
    duration_ms: int

    @classmethod
    def of(cls, report: ScanReport) -> ScanResultResponse:
        return cls(
            scan_id=report.scan_id, source_id=report.source_id, commit=report.commit,
            unchanged=report.already_scanned, new_count=report.new,
            updated_count=report.updated, removed_count=report.removed,
            unchanged_count=report.unchanged, artifact_count=report.artifacts,
            imported_updates_count=report.imported_updates, complete=report.complete,
            problems=report.problems, duration_ms=report.duration_ms,
        )


class ScanRecordResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    started_at: datetime
    finished_at: datetime | None
    commit_sha: str | None
    outcome: ScanOutcome
    trigger: ScanTrigger
    new_count: int
    updated_count: int
    removed_count: int
    unchanged_count: int
    imported_updates_count: int
    duration_ms: int | None
    error: str | None


class ScanHistoryResponse(BaseModel):
    items: list[ScanRecordResponse]

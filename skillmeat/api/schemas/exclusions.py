"""Request and response models of bulk exclusions, exclusion rules, events and transfers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from skillmeat.cache.models import ExclusionEvent, ExclusionRule
from skillmeat.core.marketplace import exclusion_io
from skillmeat.core.marketplace.exclusions import MAX_BULK_IDS, BulkResult, Selection
from skillmeat.core.marketplace.listing import EntryFilter
from skillmeat.core.marketplace.rules import MAX_PATTERN, MAX_RULES, DryRun
from skillmeat.core.marketplace.vocabulary import ArtifactType, CatalogStatus
from skillmeat.core.pagination import Page

from .marketplace import PageInfo

Reason = Field(default=None, max_length=500)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CatalogFilter(_Request):
    """The catalog listing's filters (excluded entries are always part of a selection)."""

    artifact_type: ArtifactType | None = None
    status: CatalogStatus | None = None
    min_confidence: int | None = Field(default=None, ge=0, le=100)
    max_confidence: int | None = Field(default=None, ge=0, le=100)
    search: str | None = Field(default=None, max_length=200)
    include_below_threshold: bool = False

    def entry_filter(self) -> EntryFilter:
        return EntryFilter(self.artifact_type, self.status, self.min_confidence,
                           self.max_confidence, self.search or None, True,
                           self.include_below_threshold)


class BulkRestoreRequest(_Request):
    entry_ids: list[str] | None = Field(
        default=None, max_length=MAX_BULK_IDS,
        description=f"At most {MAX_BULK_IDS} ids, all of this source.")
    filter: CatalogFilter | None = Field(default=None, description="Instead of entry_ids.")

    def selection(self) -> Selection:
        return Selection(self.entry_ids,
                         self.filter.entry_filter() if self.filter is not None else None)


class BulkExcludeRequest(BulkRestoreRequest):
    reason: str | None = Reason


class BulkResultResponse(BaseModel):
    changed: int = Field(description="Entries this request changed.")
    already: int = Field(description="Selected entries that were already so.")

    @classmethod
    def of(cls, result: BulkResult) -> BulkResultResponse:
        return cls(changed=result.changed, already=result.already)


class RuleCreateRequest(_Request):
    pattern: str = Field(min_length=1, max_length=MAX_PATTERN,
                         description="gitignore syntax on the entry path, e.g. docs/**")
    artifact_type: ArtifactType | None = None
    reason: str | None = Reason


class RuleResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    source_id: str
    pattern: str
    artifact_type: ArtifactType | None
    reason: str | None
    origin: str = Field(description="user, or repo (the repository's .skillmeat-ignore)")
    created_at: datetime
    excluded_count: int = Field(description="Entries the rule excludes now.")

    @classmethod
    def of(cls, rule: ExclusionRule, excluded: int) -> RuleResponse:
        return cls.model_validate({**{k: getattr(rule, k) for k in (
            "id", "source_id", "pattern", "artifact_type", "reason", "origin", "created_at")},
            "excluded_count": excluded})


class RuleListResponse(BaseModel):
    items: list[RuleResponse] = Field(description=f"Oldest first; at most {MAX_RULES}.")


class RuleMatch(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    artifact_type: ArtifactType
    path: str
    name: str


class RuleDryRunResponse(BaseModel):
    would_exclude: int
    items: list[RuleMatch] = Field(description="The first entries it would exclude.")

    @classmethod
    def of(cls, result: DryRun) -> RuleDryRunResponse:
        return cls(would_exclude=result.count,
                   items=[RuleMatch.model_validate(r) for r in result.sample])


class RuleDeleteResponse(BaseModel):
    restored: int = Field(description="Entries the rule had excluded, now restored.")


class ExclusionEventResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    entry_id: str | None
    rule_id: str | None
    pattern: str | None
    reason: str | None


class ExclusionEventListResponse(BaseModel):
    items: list[ExclusionEventResponse]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[ExclusionEvent]) -> ExclusionEventListResponse:
        return cls(items=[ExclusionEventResponse.model_validate(e) for e in page.items],
                   page_info=PageInfo.of(page))


# --- export and import -----------------------------------------------------------------------

class _Doc(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RuleItem(_Doc):
    pattern: str = Field(min_length=1, max_length=MAX_PATTERN)
    artifact_type: ArtifactType | None = None
    reason: str | None = Reason


class ExclusionItem(_Doc):
    artifact_type: ArtifactType
    path: str = Field(min_length=1, max_length=1000)
    reason: str | None = Reason


class SourceItems(_Doc):
    repo_url: str = Field(min_length=1, max_length=1000)
    rules: list[RuleItem] = Field(default_factory=list, max_length=MAX_RULES)
    exclusions: list[ExclusionItem] = Field(default_factory=list, max_length=500_000)


class ExclusionDocument(_Doc):
    format: str = Field(pattern=f"^{exclusion_io.FORMAT}$")
    version: int = Field(ge=1, le=exclusion_io.VERSION)
    sources: list[SourceItems] = Field(max_length=10_000)

    def items(self) -> list[exclusion_io.SourceItems]:
        return [exclusion_io.SourceItems(
            s.repo_url,
            [exclusion_io.RuleItem(r.pattern, r.artifact_type, r.reason) for r in s.rules],
            [exclusion_io.ExclusionItem(e.artifact_type, e.path, e.reason)
             for e in s.exclusions]) for s in self.sources]


class ImportReportResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sources_matched: int
    sources_unmatched: list[str] = Field(description="Repository URLs no source here has.")
    rules_added: int
    rules_existing: int
    excluded: int
    already_excluded: int
    unmatched_count: int = Field(description="Exclusions naming no entry here.")
    unmatched: list[dict[str, Any]] = Field(description="The first 100 of them.")

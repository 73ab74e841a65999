"""Responses of the collection API: units with their provenance and local edits."""

from __future__ import annotations

from pydantic import BaseModel, Field

from skillmeat.api.schemas.marketplace import PageInfo
from skillmeat.core.collection.service import UnitView
from skillmeat.core.pagination import Page

MAX_CHANGED_SHOWN = 100


class UnitResponse(BaseModel):
    name: str = Field(description="The plugin name: `claude plugin install NAME@<marketplace>`.")
    kind: str = Field(description="plugin, skill, command, agent, hooks or mcp.")
    description: str
    version: str
    homepage: str | None
    folder: str = Field(description="plugins/<name>, relative to the collection.")
    source_id: str | None
    source_url: str | None
    ref: str | None
    commit: str | None = Field(description="The upstream commit it was imported at.")
    path: str | None = Field(description="Its path in the source repository.")
    entry_id: str | None
    content_hash: str | None
    imported_at: str
    file_count: int
    tree_hash: str
    local_edits: bool = Field(description="Files differ from what was imported (edited, "
                                          "added or missing).")
    changed_files: list[str] = Field(description=f"The first {MAX_CHANGED_SHOWN} of them.")

    @classmethod
    def of(cls, unit: UnitView) -> UnitResponse:
        r = unit.record
        return cls(name=r.name, kind=r.kind, description=r.description, version=r.version,
                   homepage=r.homepage, folder=r.folder, source_id=r.source_id,
                   source_url=r.source_url, ref=r.ref, commit=r.commit, path=r.path,
                   entry_id=r.entry_id, content_hash=r.content_hash,
                   imported_at=r.imported_at, file_count=len(r.files), tree_hash=r.tree_hash,
                   local_edits=unit.local_edits,
                   changed_files=unit.changed_files[:MAX_CHANGED_SHOWN])


class AddCommands(BaseModel):
    local: str = Field(description="On the server's machine.")
    remote: str = Field(description="From anywhere that reaches this server; with protected "
                                    "reads git asks for a password: the API token.")


class CollectionResponse(BaseModel):
    marketplace: str
    items: list[UnitResponse]
    page_info: PageInfo
    add_commands: AddCommands

    @classmethod
    def of(cls, marketplace: str, page: Page[UnitView], commands: AddCommands
           ) -> CollectionResponse:
        return cls(marketplace=marketplace, items=[UnitResponse.of(u) for u in page.items],
                   page_info=PageInfo.of(page), add_commands=commands)


class RemovedResponse(BaseModel):
    name: str
    entry_id: str | None
    source_id: str | None

"""Responses of the updates API: units with upstream changes, a preview, an update, a pin."""

from __future__ import annotations

from pydantic import BaseModel, Field

from skillmeat.core.collection.manifest import UnitRecord
from skillmeat.core.collection.updates import (
    LocalEdits,
    UnitUpdate,
    UpdatePreview,
    UpdateResult,
    Updates,
)
from skillmeat.core.review.diff import FileChange


class UpdateItem(BaseModel):
    name: str
    kind: str
    source_id: str | None
    source_url: str | None
    path: str | None
    entry_id: str | None
    commit: str | None = Field(description="The upstream commit it was imported at.")
    upstream_commit: str | None = Field(description="The commit its source was last scanned at.")
    risk_before: str | None = Field(description="What it could run when imported (summary).")
    risk_now: str | None = Field(description="What the upstream version can run (summary).")
    risk_changed: bool
    risk_difference: list[str] = Field(description='What moved between the two summaries: '
                                                   '"+1 hook", "now Bash", "-1 script".')
    pinned: bool

    @classmethod
    def of(cls, item: UnitUpdate) -> UpdateItem:
        r = item.record
        return cls(name=r.name, kind=r.kind, source_id=r.source_id, source_url=r.source_url,
                   path=r.path, entry_id=r.entry_id, commit=r.commit,
                   upstream_commit=item.upstream_commit, risk_before=r.risk_summary,
                   risk_now=item.risk_now, risk_changed=item.risk_changed,
                   risk_difference=item.risk_difference, pinned=r.pinned)


class UpdatesResponse(BaseModel):
    items: list[UpdateItem] = Field(description="Units offered for update, in name order.")
    pinned: list[UpdateItem] = Field(description="Changed upstream but pinned: not offered.")
    count: int

    @classmethod
    def of(cls, updates: Updates) -> UpdatesResponse:
        return cls(items=[UpdateItem.of(u) for u in updates.items],
                   pinned=[UpdateItem.of(u) for u in updates.pinned], count=len(updates.items))


class FileChangeResponse(BaseModel):
    path: str
    status: str = Field(description="added, removed or modified.")
    binary: bool
    old_size: int | None
    new_size: int | None
    old_sha256: str | None
    new_sha256: str | None
    diff: str | None = Field(description="Unified diff of a text file (capped).")
    note: str | None = Field(description="Why the diff is cut or missing.")
    local_edit: bool = Field(description="The collection's copy was edited since the import.")

    @classmethod
    def of(cls, f: FileChange, edited: set[str]) -> FileChangeResponse:
        return cls(path=f.path, status=f.status, binary=f.binary, old_size=f.old_size,
                   new_size=f.new_size, old_sha256=f.old_sha256, new_sha256=f.new_sha256,
                   diff=f.diff, note=f.note, local_edit=f.path in edited)


class PreviewResponse(BaseModel):
    name: str
    commit: str | None = Field(description="The imported commit.")
    upstream_commit: str
    counts: dict[str, int] = Field(description="Files added, removed and modified.")
    files: list[FileChangeResponse]
    truncated: bool = Field(description="Some diff was cut or left out.")
    risk_changes: list[str] = Field(description="What the update changes in what the unit "
                                                "can run, in words.")
    local_edits: list[str] = Field(description="Files edited in the collection since the "
                                               "import.")

    @classmethod
    def of(cls, p: UpdatePreview) -> PreviewResponse:
        edited = set(p.local_edits)
        files = p.review.files
        return cls(name=p.record.name, commit=p.record.commit, upstream_commit=p.upstream_commit,
                   counts={s: files.count(s) for s in ("added", "removed", "modified")},
                   files=[FileChangeResponse.of(f, edited) for f in files.files],
                   truncated=files.truncated, risk_changes=p.review.risk_changes,
                   local_edits=p.local_edits)


class UpdateRequest(BaseModel):
    on_local_edits: LocalEdits = Field(
        default=LocalEdits.REFUSE,
        description="refuse: 409 naming edited files; overwrite: replace them (the edited copy "
                    "is committed on a backup branch); keep: leave them as they are.")


class UpdateResponse(BaseModel):
    name: str
    old_commit: str | None
    new_commit: str
    version: str = Field(description="The unit's version in marketplace.json now.")
    message: str = Field(description="The collection's commit message.")
    backup_branch: str | None = Field(description="The collection's branch holding the edited "
                                                  "copy, when there were local edits.")
    kept: list[str]
    overwritten: list[str]

    @classmethod
    def of(cls, r: UpdateResult) -> UpdateResponse:
        return cls(name=r.name, old_commit=r.old_commit, new_commit=r.new_commit,
                   version=r.version, message=r.message, backup_branch=r.backup_branch,
                   kept=r.kept, overwritten=r.overwritten)


class PinResponse(BaseModel):
    name: str
    pinned: bool
    commit: str | None

    @classmethod
    def of(cls, r: UnitRecord) -> PinResponse:
        return cls(name=r.name, pinned=r.pinned, commit=r.commit)

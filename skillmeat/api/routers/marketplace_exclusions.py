"""HTTP face of exclusions at scale: bulk changes, rules, the audit trail, export and import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from skillmeat.api.deps import ActorDep, CodecDep, Reads, SettingsDep, Writes
from skillmeat.api.schemas.exclusions import (
    BulkExcludeRequest,
    BulkRestoreRequest,
    BulkResultResponse,
    ExclusionDocument,
    ExclusionEventListResponse,
    ImportReportResponse,
    RuleCreateRequest,
    RuleDeleteResponse,
    RuleDryRunResponse,
    RuleListResponse,
    RuleResponse,
)
from skillmeat.core.errors import InvalidInput
from skillmeat.core.marketplace import exclusion_io, exclusions, rules
from skillmeat.core.marketplace.parsing import OverBudget, load_json
from skillmeat.core.pagination import MAX_PAGE

router = APIRouter(prefix="/api/v1/marketplace/sources", tags=["exclusions"])
transfer = APIRouter(prefix="/api/v1/marketplace/exclusions", tags=["exclusions"])
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@router.post("/{source_id}/artifacts/exclude", response_model=BulkResultResponse)
async def bulk_exclude(source_id: str, body: BulkExcludeRequest, write: Writes,
                       actor: ActorDep) -> BulkResultResponse:
    """Mark many entries "not an artifact" at once: `entry_ids` or a catalog `filter`."""
    return await write(lambda s: BulkResultResponse.of(exclusions.bulk_exclude(
        s, source_id, body.selection(), body.reason, actor=actor)))


@router.post("/{source_id}/artifacts/restore", response_model=BulkResultResponse)
async def bulk_restore(source_id: str, body: BulkRestoreRequest, write: Writes,
                       actor: ActorDep) -> BulkResultResponse:
    """Restore many entries at once; rule-excluded ones become exceptions to their rule."""
    return await write(lambda s: BulkResultResponse.of(exclusions.bulk_restore(
        s, source_id, body.selection(), actor=actor)))


@router.get("/{source_id}/exclusion-rules", response_model=RuleListResponse)
async def list_rules(source_id: str, read: Reads) -> RuleListResponse:
    return await read(lambda s: RuleListResponse(items=[
        RuleResponse.of(rule, n) for rule, n in rules.list_rules(s, source_id)]))


@router.post("/{source_id}/exclusion-rules", status_code=201,
             response_model=RuleResponse | RuleDryRunResponse,
             responses={200: {"model": RuleDryRunResponse,
                              "description": "dry_run=true: what the rule would exclude"}})
async def create_rule(source_id: str, body: RuleCreateRequest, write: Writes, read: Reads,
                      actor: ActorDep, response: Response, dry_run: bool = False) -> Any:
    """Add a rule (it excludes what it matches now and on every scan), or with
    `dry_run=true` only say how many entries it would exclude, and the first of them."""
    if dry_run:
        response.status_code = 200  # nothing created
        return await read(lambda s: RuleDryRunResponse.of(
            rules.dry_run(s, source_id, body.pattern, body.artifact_type)))
    return await write(lambda s: RuleResponse.of(*rules.add_rule(
        s, source_id, body.pattern, body.artifact_type, body.reason, actor=actor)))


@router.delete("/{source_id}/exclusion-rules/{rule_id}", response_model=RuleDeleteResponse)
async def delete_rule(source_id: str, rule_id: str, write: Writes,
                      actor: ActorDep) -> RuleDeleteResponse:
    """Delete a rule; exactly the entries it excluded are restored."""
    return await write(lambda s: RuleDeleteResponse(
        restored=rules.delete_rule(s, source_id, rule_id, actor=actor)))


@router.get("/{source_id}/exclusion-events", response_model=ExclusionEventListResponse)
async def list_events(source_id: str, read: Reads, codec: CodecDep,
                      entry_id: Annotated[str | None, Query(max_length=40)] = None,
                      limit: Limit = 50, cursor: Cursor = None) -> ExclusionEventListResponse:
    """Every change to an exclusion, newest first; `entry_id` for one entry's history."""
    return await read(lambda s: ExclusionEventListResponse.of(exclusions.list_events(
        s, codec, source_id, entry_id=entry_id, limit=limit, cursor=cursor)))


@transfer.get("/export")
async def export_exclusions(read: Reads) -> dict[str, Any]:
    """Every source's rules and hand-made exclusions, keyed by repository URL, type, path."""
    return await read(exclusion_io.export_document)


@transfer.post("/import", response_model=ImportReportResponse, openapi_extra={
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "description": "A document from GET .../exclusions/export: "
        '{"format": "skillmeat-exclusions", "version": 1, "sources": [...]}'}}}}})
async def import_exclusions(request: Request, write: Writes, settings: SettingsDep,
                            actor: ActorDep) -> ImportReportResponse:
    """Apply an exported document to the sources with the same repository URLs."""
    doc = parse_document(await request.body(), settings.max_scan_result_bytes)
    return await write(lambda s: ImportReportResponse.model_validate(
        exclusion_io.import_document(s, doc.items(), actor=actor)))


def parse_document(raw: bytes, max_bytes: int) -> ExclusionDocument:
    """A hostile document: size and depth budgets before any parsing, then the schema."""
    try:
        data = load_json(raw, max_bytes=max_bytes)
    except OverBudget as exc:
        raise InvalidInput(f"exclusion document refused: {exc}") from None
    except ValueError as exc:
        raise InvalidInput(f"exclusion document is not JSON: {exc}") from None
    try:
        return ExclusionDocument.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None

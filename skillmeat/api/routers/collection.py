"""HTTP face of the collection: list, show and remove units (file and git work: browse lane)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from skillmeat.api.deps import Browses, CodecDep
from skillmeat.api.routers.marketplace_sources import Cursor, Limit
from skillmeat.api.schemas.collection import (
    AddCommands,
    CollectionResponse,
    RemovedResponse,
    UnitResponse,
)
from skillmeat.core.collection import service
from skillmeat.core.pagination import MAX_PAGE

router = APIRouter(prefix="/api/v1/collection", tags=["collection"])


@router.get("", response_model=CollectionResponse)
async def list_collection(request: Request, browse: Browses, codec: CodecDep,
                          limit: Limit = MAX_PAGE, cursor: Cursor = None) -> CollectionResponse:
    settings = request.app.state.settings
    page = await browse(lambda db, s: service.list_units(s, codec, limit=limit, cursor=cursor))
    local = await browse(lambda db, s: service.display_root(s))
    base = str(request.base_url).rstrip("/")
    commands = AddCommands(local=f"claude plugin marketplace add {local}",
                           remote=f"claude plugin marketplace add {base}/collection.git")
    return CollectionResponse.of(settings.marketplace_name, page, commands)


@router.get("/{name}", response_model=UnitResponse)
async def get_unit(name: str, browse: Browses) -> UnitResponse:
    return UnitResponse.of(await browse(lambda db, s: service.get_unit(s, name)))


@router.delete("/{name}", response_model=RemovedResponse)
async def remove_unit(name: str, browse: Browses) -> RemovedResponse:
    record = await browse(service.remove_unit, name)
    return RemovedResponse(name=record.name, entry_id=record.entry_id,
                           source_id=record.source_id)

"""HTTP face of the collection: list, show and remove units; updates, previews and pins (file
and git work: browse lane)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from skillmeat.api.deps import Browses, CodecDep
from skillmeat.api.routers.marketplace_sources import Cursor, Limit
from skillmeat.api.schemas.collection import (
    AddCommands,
    CollectionResponse,
    RemovedResponse,
    UnitResponse,
)
from skillmeat.api.schemas.updates import (
    PinResponse,
    PreviewResponse,
    UpdateRequest,
    UpdateResponse,
    UpdatesResponse,
)
from skillmeat.cache.db import Database
from skillmeat.config import Settings
from skillmeat.core.collection import service, updates
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


@router.get("/updates", response_model=UpdatesResponse)
async def list_updates(browse: Browses) -> Response:
    """Units whose upstream content changed since import (pinned ones apart); reads no file."""
    return Response(await browse(_updates_json), media_type="application/json")


_SHAPED: list[tuple[object, bytes]] = []  # the service's last answer, as sent


def _updates_json(db: Database, settings: Settings) -> bytes:
    """Built and checked once by its model, not validated a second time; the service returns
    the same answer object while nothing changed, and then the same bytes go out."""
    found = updates.list_updates(db, settings)
    if _SHAPED and _SHAPED[0][0] is found:
        return _SHAPED[0][1]
    body = UpdatesResponse.of(found).model_dump_json().encode()
    _SHAPED[:] = [(found, body)]
    return body


@router.get("/{name}", response_model=UnitResponse)
async def get_unit(name: str, browse: Browses) -> UnitResponse:
    return UnitResponse.of(await browse(lambda db, s: service.get_unit(s, name)))


@router.delete("/{name}", response_model=RemovedResponse)
async def remove_unit(name: str, browse: Browses) -> RemovedResponse:
    record = await browse(service.remove_unit, name)
    return RemovedResponse(name=record.name, entry_id=record.entry_id,
                           source_id=record.source_id)


@router.get("/{name}/update-preview", response_model=PreviewResponse)
async def preview_update(name: str, browse: Browses) -> PreviewResponse:
    """The imported commit against the upstream one: file diffs, what it can run, local edits."""
    return PreviewResponse.of(await browse(updates.preview_update, name))


@router.post("/{name}/update", response_model=UpdateResponse)
async def update_unit(name: str, browse: Browses,
                      body: UpdateRequest | None = None) -> UpdateResponse:
    mode = (body or UpdateRequest()).on_local_edits
    return UpdateResponse.of(await browse(updates.update_unit, name, mode))


@router.post("/{name}/pin", response_model=PinResponse)
async def pin_unit(name: str, browse: Browses) -> PinResponse:
    """A pinned unit is never offered for update."""
    return PinResponse.of(await browse(updates.set_pin, name, True))


@router.delete("/{name}/pin", response_model=PinResponse)
async def unpin_unit(name: str, browse: Browses) -> PinResponse:
    return PinResponse.of(await browse(updates.set_pin, name, False))

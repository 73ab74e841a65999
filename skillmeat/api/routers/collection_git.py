"""The collection served to Claude Code: `/collection.git` (git smart HTTP, read-only) and
`/collection/marketplace.json`. Auth is the API's (ApiTokenMiddleware): with protected reads,
git sends the API token as the HTTP Basic password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import StreamingResponse

from skillmeat.api.deps import Browses
from skillmeat.core.collection import git_http, service
from skillmeat.core.errors import NotFound

router = APIRouter(tags=["collection-serving"])
NO_CACHE = {"Cache-Control": "no-cache, max-age=0, must-revalidate", "Expires": "0"}


@router.get("/collection/marketplace.json")
async def marketplace_manifest(browse: Browses) -> Response:
    data = await browse(service.marketplace_json)
    return Response(data, media_type="application/json", headers=NO_CACHE)


@router.get("/collection.git/info/refs", include_in_schema=False)
async def info_refs(request: Request, browse: Browses,
                    git_protocol: Annotated[str | None, Header()] = None) -> StreamingResponse:
    wanted = request.query_params.get("service")
    if wanted != git_http.SERVICE:
        # receive-pack (push) and the dumb protocol are not served.
        raise NotFound("only git-upload-pack is served: the collection is read-only")
    root = await browse(service.prepare)
    deadline = request.app.state.settings.scan_deadline_seconds
    return StreamingResponse(git_http.upload_pack(root, None, git_protocol, deadline),
                             media_type=git_http.ADVERTISEMENT, headers=NO_CACHE)


@router.post("/collection.git/git-upload-pack", include_in_schema=False)
async def upload_pack(request: Request, browse: Browses,
                      git_protocol: Annotated[str | None, Header()] = None,
                      content_encoding: Annotated[str | None, Header()] = None
                      ) -> StreamingResponse:
    body = git_http.inflate(await request.body(), content_encoding)
    root = await browse(service.prepare)
    deadline = request.app.state.settings.scan_deadline_seconds
    return StreamingResponse(git_http.upload_pack(root, body, git_protocol, deadline),
                             media_type=git_http.RESULT, headers=NO_CACHE)

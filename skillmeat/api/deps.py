"""Request dependencies: settings, the cursor codec, and units of work run in their lanes.

Handlers are `async def` and hand their blocking work to a lane (api/lanes.py) as one call:
`await write(lambda session: ...)` opens a session, runs the service, shapes the response,
commits and closes in ONE worker-thread call, so the commit happens before the response is
sent and a thread holding a transaction never waits for another thread. The dependencies
themselves are `async def` too: FastAPI would run plain functions on its thread pool.

"Load or 404" is the services' own first step (`sources.get_source`, `catalog.get_entry` raise
NotFound, which api/errors.py renders), so handlers need no helper of their own for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from skillmeat.api.auth import SESSION_COOKIE, cookies
from skillmeat.api.lanes import Lane, Lanes
from skillmeat.cache.db import Database
from skillmeat.config import Settings
from skillmeat.core.cursor import CursorCodec
from skillmeat.core.marketplace.vocabulary import Actor

P = ParamSpec("P")
UI_HEADER = "x-skillmeat-client"  # the web UI's requests say "ui"
T = TypeVar("T")


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_codec(request: Request) -> CursorCodec:
    codec: CursorCodec = request.app.state.codec
    return codec


async def get_actor(request: Request) -> str:
    """Who is asking, for the audit trail: the API token's name, the web UI, or "api"."""
    settings: Settings = request.app.state.settings
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return settings.api_token_name
    if SESSION_COOKIE in cookies(request.scope) or request.headers.get(UI_HEADER) == "ui":
        return Actor.UI
    return Actor.API


def lanes(request: Request) -> Lanes:
    found: Lanes = request.app.state.lanes
    return found


class Work:
    """One transaction in one worker-thread call: open, run `fn`, commit (or roll back), close."""

    def __init__(self, lane: Lane, db: Database, *, write: bool) -> None:
        self._lane, self._db, self._write = lane, db, write

    async def __call__(self, fn: Callable[[Session], T]) -> T:
        return await self._lane.run(self._unit, fn)

    def _unit(self, fn: Callable[[Session], T]) -> T:
        with self._db.session(write=self._write) as session:
            return fn(session)


class RepoWork:
    """A service that reads a repository, `fn(db, settings, ...)`, in its lane's threads.

    It opens its own short transactions (never one during repository I/O).
    """

    def __init__(self, lane: Lane, db: Database, settings: Settings) -> None:
        self._lane, self._db, self._settings = lane, db, settings

    async def __call__(self, fn: Callable[Concatenate[Database, Settings, P], T],
                       *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._lane.run(fn, self._db, self._settings, *args, **kwargs)


async def write_work(request: Request) -> Work:
    """A write transaction: committed before the handler returns, rolled back if it raises."""
    return Work(lanes(request).database, request.app.state.db, write=True)


async def read_work(request: Request) -> Work:
    """A read transaction (on SQLite a deferred one, so reads never wait for the write lock)."""
    return Work(lanes(request).database, request.app.state.db, write=False)


async def scan_work(request: Request) -> RepoWork:
    return RepoWork(lanes(request).scans, request.app.state.db, request.app.state.settings)


async def browse_work(request: Request) -> RepoWork:
    return RepoWork(lanes(request).browses, request.app.state.db, request.app.state.settings)


Writes = Annotated[Work, Depends(write_work)]
Reads = Annotated[Work, Depends(read_work)]
Scans = Annotated[RepoWork, Depends(scan_work)]  # 429 at once when every scan slot is taken
Browses = Annotated[RepoWork, Depends(browse_work)]  # browses and imports
SettingsDep = Annotated[Settings, Depends(get_settings)]
CodecDep = Annotated[CursorCodec, Depends(get_codec)]
DbDep = Annotated[Database, Depends(get_db)]
ActorDep = Annotated[str, Depends(get_actor)]

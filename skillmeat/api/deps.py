"""Request dependencies: the database, one transaction per request, settings, the cursor codec.

"Load or 404" is the services' own first step (`sources.get_source`, `catalog.get_entry` raise
NotFound, which api/errors.py renders), so handlers need no helper of their own for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from skillmeat.core.cursor import CursorCodec


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_codec(request: Request) -> CursorCodec:
    codec: CursorCodec = request.app.state.codec
    return codec


def _session(request: Request, write: bool) -> Iterator[Session]:
    with get_db(request).session(write=write) as session:
        yield session


def write_session(request: Request) -> Iterator[Session]:
    """A write transaction: committed when the handler returns, rolled back if it raises."""
    yield from _session(request, write=True)


def read_session(request: Request) -> Iterator[Session]:
    """A read transaction (on SQLite a deferred one, so reads never wait for the write lock)."""
    yield from _session(request, write=False)


# scope="function": commit before the response leaves, so an acknowledged write is committed.
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
ReadSession = Annotated[Session, Depends(read_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CodecDep = Annotated[CursorCodec, Depends(get_codec)]
DbDep = Annotated[Database, Depends(get_db)]

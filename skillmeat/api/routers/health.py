"""Probes: /healthz (the process answers) and /readyz (database reachable, schema at head).

Neither waits for a request's resources: /healthz runs on the event loop and touches
nothing; /readyz connects on its own (never from the request pool), in a thread of its own,
and answers 503 if the database does not answer in PROBE_SECONDS.
"""

from __future__ import annotations

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from skillmeat.api.auth import check_request
from skillmeat.api.deps import DbDep, SettingsDep, lanes
from skillmeat.cache import migrate
from skillmeat.cache.db import Database

router = APIRouter(tags=["health"])
PROBE_SECONDS = 3.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _revision_if_writable(db: Database) -> str | None:
    # A write that is rolled back: reachable is not enough, the catalog must be writable
    # (an SQLite file can become read-only under a running server).
    with db.probe_engine.connect() as conn, conn.begin() as tx:
        conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
        tx.rollback()
    return migrate.current_revision(db.probe_engine)


@router.get("/readyz", responses={503: {"description": "database unreachable or not migrated"}})
async def readyz(request: Request, db: DbDep, settings: SettingsDep) -> JSONResponse:
    # Under protected reads only an authorized caller learns which database and revision.
    private = settings.protect_reads and await lanes(request).database.run(
        check_request, request.scope, settings, db) is not None
    revision, cause = None, " (no answer in time)"
    with anyio.move_on_after(PROBE_SECONDS):
        try:
            revision = await anyio.to_thread.run_sync(_revision_if_writable, db,
                                                      limiter=lanes(request).probe,
                                                      abandon_on_cancel=True)
            cause = ""
        except SQLAlchemyError as exc:
            cause = f" ({type(exc).__name__})"
    if cause:
        return JSONResponse({"detail": f"database unreachable{'' if private else cause}"}, 503)
    head = migrate.head_revision()
    if revision != head:
        detail = "database schema is not at the expected revision" if private else \
            f"database at revision {revision}, expected {head}"
        return JSONResponse({"detail": f"{detail}; run `skillmeat db upgrade`"}, 503)
    if private:
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "ready", "database": db.engine.dialect.name,
                         "revision": revision})

"""Probes: /healthz (the process answers) and /readyz (database reachable, schema at head)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from skillmeat.api.auth import check_request
from skillmeat.api.deps import DbDep, SettingsDep
from skillmeat.cache import migrate

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "database unreachable or not migrated"}})
def readyz(request: Request, db: DbDep, settings: SettingsDep) -> JSONResponse:
    # Under protected reads only an authorized caller learns which database and revision.
    private = settings.protect_reads and check_request(request.scope, settings, db) is not None
    try:
        # A write that is rolled back: reachable is not enough, the catalog must be writable
        # (an SQLite file can become read-only under a running server).
        with db.engine.connect() as conn, conn.begin() as tx:
            conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
            tx.rollback()
        revision = migrate.current_revision(db.engine)
    except SQLAlchemyError as exc:
        cause = "" if private else f" ({type(exc).__name__})"
        return JSONResponse({"detail": f"database unreachable{cause}"}, 503)
    head = migrate.head_revision()
    if revision != head:
        detail = "database schema is not at the expected revision" if private else \
            f"database at revision {revision}, expected {head}"
        return JSONResponse({"detail": f"{detail}; run `skillmeat db upgrade`"}, 503)
    if private:
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "ready", "database": db.engine.dialect.name,
                         "revision": revision})

"""Probes: /healthz (the process answers) and /readyz (database reachable, schema at head)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from skillmeat.api.deps import DbDep
from skillmeat.cache import migrate

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "database unreachable or not migrated"}})
def readyz(db: DbDep) -> JSONResponse:
    try:
        # A write that is rolled back: reachable is not enough, the catalog must be writable
        # (an SQLite file can become read-only under a running server).
        with db.engine.connect() as conn, conn.begin() as tx:
            conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
            tx.rollback()
        revision = migrate.current_revision(db.engine)
    except SQLAlchemyError as exc:
        return JSONResponse({"detail": f"database unreachable ({type(exc).__name__})"}, 503)
    head = migrate.head_revision()
    if revision != head:
        return JSONResponse({"detail": f"database at revision {revision}, expected {head}; "
                                       "run `skillmeat db upgrade`"}, 503)
    return JSONResponse({"status": "ready", "database": db.engine.dialect.name,
                         "revision": revision})

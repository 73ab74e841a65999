"""Application factory: settings, database, error handlers, routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from starlette.datastructures import State

from skillmeat.api.auth import ApiTokenMiddleware
from skillmeat.api.errors import install_error_handlers
from skillmeat.api.lanes import Lanes
from skillmeat.api.middleware import (
    BodyLimitMiddleware,
    HostCheckMiddleware,
    JsonTextMiddleware,
    RequestLogMiddleware,
)
from skillmeat.api.routers import (
    api_docs,
    collection,
    collection_git,
    health,
    login,
    marketplace_exclusions,
    marketplace_imports,
    marketplace_search,
    marketplace_sources,
    web,
)
from skillmeat.api.schemas.errors import ERROR_RESPONSES
from skillmeat.cache.db import Database
from skillmeat.config import Settings, get_settings
from skillmeat.core.collection import service as collection_service
from skillmeat.core.cursor import CursorCodec
from skillmeat.core.marketplace.scheduler import RescanScheduler
from skillmeat.core.redaction import redact

log = logging.getLogger("skillmeat.api")


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await _settle_collection(app.state)
        scheduler = None
        if settings.rescan_interval:
            scheduler = RescanScheduler(app.state.db, settings, settings.rescan_interval,
                                        app.state.lanes.scans.slots)
            scheduler.start()
        yield
        if scheduler is not None:
            scheduler.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="SkillMeat Marketplace",
        version="0.1.0",
        docs_url=None,  # served by routers/api_docs.py from packaged files, inside the CSP
        redoc_url=None,
        generate_unique_id_function=lambda route: f"{route.tags[0]}-{route.name}"
        if route.tags else route.name,
    )
    configure(app.state, settings, db or Database(
        settings.resolved_database_url, sqlite_synchronous=settings.sqlite_synchronous,
        sqlite_mmap_bytes=settings.sqlite_mmap_bytes))
    install_error_handlers(app)
    # Outermost last: every request is logged, including those refused for host, size or
    # auth; a body is buffered for the JSON check only once its sender is authorized.
    app.add_middleware(JsonTextMiddleware)
    app.add_middleware(ApiTokenMiddleware, state=app.state)
    app.add_middleware(BodyLimitMiddleware, default_limit=settings.max_body_bytes,
                       large_limit=settings.max_scan_result_bytes,
                       large_suffixes=("/scan-results", "/exclusions/import"))
    app.add_middleware(HostCheckMiddleware, state=app.state)
    app.add_middleware(RequestLogMiddleware)
    app.include_router(health.router)
    app.include_router(marketplace_sources.router, responses=ERROR_RESPONSES)
    app.include_router(marketplace_imports.router, responses=ERROR_RESPONSES)
    app.include_router(marketplace_search.router, responses=ERROR_RESPONSES)
    app.include_router(marketplace_exclusions.router, responses=ERROR_RESPONSES)
    app.include_router(marketplace_exclusions.transfer, responses=ERROR_RESPONSES)
    app.include_router(collection.router, responses=ERROR_RESPONSES)
    app.include_router(collection_git.router)
    app.include_router(login.router)
    app.include_router(api_docs.router)
    app.include_router(web.router)
    return app


async def _settle_collection(state: State) -> None:
    """Finish or roll back a collection change a crash interrupted, before serving."""
    try:
        await anyio.to_thread.run_sync(collection_service.prepare, state.db, state.settings)
    except Exception as exc:  # noqa: BLE001 - the API still serves; the next change retries
        log.error("could not settle the collection: %s", redact(str(exc), state.settings))


def configure(state: State, settings: Settings, db: Database) -> None:
    """What every request reads from the app: settings, database, cursor codec, lanes."""
    state.settings = settings
    state.db = db
    state.codec = CursorCodec.from_settings(settings)
    state.lanes = Lanes.for_settings(settings)

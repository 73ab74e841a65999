"""Every error leaves as JSON {"detail": ...}: domain errors, database outages, bugs."""

from __future__ import annotations

import json
import logging
import math
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from skillmeat.core.errors import Busy, SkillMeatError
from skillmeat.core.marketplace.readers.errors import DeadlineExceeded, RateLimited, ReaderError
from skillmeat.core.redaction import redact

log = logging.getLogger("skillmeat.api")
_SURROGATE = re.compile("[\ud800-\udfff]")
# PostgreSQL's "try again" errors: lock_timeout, deadlock, serialization, statement timeout.
_PG_BUSY = {"55P03", "40P01", "40001", "57014"}
_BUSY = {"detail": "database is busy; try again"}


def _is_busy(exc: OperationalError) -> bool:
    """A lock or timeout the database gave up on: the request may succeed if retried."""
    state = getattr(exc.orig, "sqlstate", None)
    return state in _PG_BUSY or "locked" in str(exc.orig).lower()


def json_safe(value: Any) -> Any:
    """`value` as strict JSON can carry it: lone surrogates and 1e999 are client input too."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {json_safe(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return json_safe(str(value))


class SafeJSONResponse(JSONResponse):
    """An error body that renders whatever the client sent us."""

    def render(self, content: Any) -> bytes:
        return json.dumps(json_safe(content), ensure_ascii=False, allow_nan=False,
                          separators=(",", ":")).encode("utf-8")


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # The offending input is not echoed back: it may be large, and it is the client's own.
    return [{key: error[key] for key in ("type", "loc", "msg", "ctx") if key in error}
            for error in exc.errors()]


def install_error_handlers(app: FastAPI) -> None:
    def settings_of(request: Request) -> Any:
        return request.app.state.settings

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return SafeJSONResponse({"detail": _validation_errors(exc)}, status_code=422)

    @app.exception_handler(SkillMeatError)
    async def _domain(request: Request, exc: SkillMeatError) -> JSONResponse:
        body = {"detail": redact(exc.detail, settings_of(request))}
        if exc.field is not None:
            body["field"] = exc.field
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Busy) else None
        return SafeJSONResponse(body, status_code=exc.status_code, headers=headers)

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> JSONResponse:
        # FastAPI answers an undecodable body with 400; to clients it is invalid input.
        if exc.status_code == 400:
            return JSONResponse({"detail": "request body is not valid JSON"}, status_code=422)
        return SafeJSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))

    @app.exception_handler(ReaderError)
    async def _upstream(request: Request, exc: ReaderError) -> JSONResponse:
        # The repository host failed us, not the client: 502, 504 when it did not answer in
        # time, or 429 when rate limited.
        status = 429 if isinstance(exc, RateLimited) else \
            504 if isinstance(exc, DeadlineExceeded) else 502
        headers = {}
        if isinstance(exc, RateLimited) and exc.reset_at is not None:
            headers["Retry-After"] = exc.reset_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
        detail = redact(f"repository read failed: {exc}", settings_of(request))
        return SafeJSONResponse({"detail": detail}, status_code=status, headers=headers)

    @app.exception_handler(PoolTimeout)
    async def _pool_busy(_request: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("database busy: no pooled connection free in time")
        return JSONResponse(_BUSY, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(OperationalError)
    async def _db_down(_request: Request, exc: OperationalError) -> JSONResponse:
        if _is_busy(exc):
            log.warning("database busy: %s", type(exc.orig).__name__)
            return JSONResponse(_BUSY, status_code=503, headers={"Retry-After": "1"})
        log.error("database unavailable: %s", type(exc.orig).__name__)
        return JSONResponse({"detail": "database unavailable; try again shortly"},
                            status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(DataError)
    async def _bad_data(_request: Request, exc: DataError) -> JSONResponse:
        # Input the database cannot store (a NUL in a string, say) that no check caught.
        log.warning("database refused input: %s", type(exc.orig).__name__)
        return JSONResponse({"detail": "input contains characters or values the database "
                                       "cannot store"}, status_code=422)

    @app.exception_handler(DBAPIError)
    async def _db_error(_request: Request, exc: DBAPIError) -> JSONResponse:
        log.error("database error: %s", type(exc.orig).__name__)
        return JSONResponse({"detail": "database error; the change was not applied"},
                            status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error"}, status_code=500)

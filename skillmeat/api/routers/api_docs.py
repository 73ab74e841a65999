"""/docs: Swagger UI served from the package (works offline), under the web UI's CSP."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from skillmeat.api.routers.web import SECURITY_HEADERS, WEB_DIR

router = APIRouter(include_in_schema=False)


@cache
def _page() -> str:
    return (WEB_DIR / "pages" / "api_docs.html").read_text(encoding="utf-8")


@router.get("/docs", response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    return HTMLResponse(_page(), headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})

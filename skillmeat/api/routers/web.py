"""The web UI: HTML shells and static files. Pages read and write through the JSON API."""

from __future__ import annotations

import html
import json
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy.orm import Session

from skillmeat.api.deps import Reads
from skillmeat.api.schemas.marketplace import CatalogEntryResponse, SourceResponse
from skillmeat.core.errors import NotFound
from skillmeat.core.marketplace import catalog, sources
from skillmeat.core.marketplace.vocabulary import choices

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
STATIC_DIR = WEB_DIR / "static"
MEDIA_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml",
               ".txt": "text/plain"}
# Scripts and styles come only from /static: no inline code, so injected markup cannot run.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

router = APIRouter(include_in_schema=False)


@cache
def _template(name: str) -> Template:
    return Template((WEB_DIR / "pages" / name).read_text(encoding="utf-8"))


def _json_for_html(data: Any) -> str:
    # Inside <script type="application/json">: "</script>" must not end the element.
    text = json.dumps(data, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# Per page: its script, where the skip link jumps, and which main-menu link is current.
PAGES = {
    "sources.html": ("sources.js", "#main", "Skip to content", "/"),
    "source.html": ("catalog.js", "#catalog", "Skip to catalog", None),
    "search.html": ("search.js", "#results", "Skip to results", None),
    "collection.html": ("collection.js", "#main", "Skip to content", "/collection"),
    "updates.html": ("updates.js", "#main", "Skip to content", "/updates"),
    "not_found.html": (None, None, None, None),
    "login.html": (None, None, None, "none"),
}


# The top bar's search field (static/js/topsearch.js): a combobox whose list shows hits.
TOP_SEARCH = """    <form class="topsearch" role="search" action="/search" method="get">
      <label for="top-q" class="sr-only">Search all sources</label>
      <input id="top-q" name="q" type="text" role="combobox" aria-expanded="false"
             aria-controls="top-results" aria-autocomplete="list" autocomplete="off"
             spellcheck="false" maxlength="200" placeholder="Search all sources">
      <kbd class="key-hint" aria-hidden="true">/</kbd>
      <ul id="top-results" class="top-results" role="listbox" aria-label="Matching artifacts"
          hidden></ul>
    </form>"""


def render(name: str, title: str, boot: dict[str, Any], status_code: int = 200,
           **fields: str) -> HTMLResponse:
    """A page: its content (with `fields` filled in) inside the shared layout.

    Every page's boot data carries the API's vocabulary (types, statuses, sorts, the
    confidence threshold), so no script keeps a copy of its own.
    """
    script, skip_target, skip_text, current = PAGES[name]
    nav = "" if current == "none" else (
        '    <nav aria-label="Main"><a href="/"'
        + (' aria-current="page"' if current == "/" else "")
        + '>Sources</a><a href="/collection"'
        + (' aria-current="page"' if current == "/collection" else "")
        + '>Collection</a><a href="/updates"'
        + (' aria-current="page"' if current == "/updates" else "")
        + '>Updates</a><a href="/docs">API</a></nav>')
    scripts = ([script] if script else []) + ([] if current == "none" else ["topsearch.js"])
    body = _template("layout.html").substitute(
        title=html.escape(title),
        head="\n".join(f'  <script type="module" src="/static/js/{s}"></script>' for s in scripts),
        search="" if current == "none" else TOP_SEARCH,
        skip=f'  <a class="skip-link" href="{skip_target}">{skip_text}</a>' if skip_target else "",
        nav=nav,
        content=_template(name).substitute(fields),
        boot=_json_for_html({"vocabulary": choices(), **boot}),
    )
    return HTMLResponse(body, status_code=status_code,
                        headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})


@router.get("/", response_class=HTMLResponse)
def sources_page() -> HTMLResponse:
    return render("sources.html", "Sources", {})


@router.get("/search", response_class=HTMLResponse)
def search_page() -> HTMLResponse:
    return render("search.html", "Search", {})
@router.get("/collection", response_class=HTMLResponse)
def collection_page() -> HTMLResponse:
    return render("collection.html", "Collection", {})


@router.get("/updates", response_class=HTMLResponse)
def updates_page() -> HTMLResponse:
    return render("updates.html", "Updates", {})


@router.get("/sources/{source_id}", response_class=HTMLResponse)
async def source_page(source_id: str, read: Reads, entry: str | None = None) -> HTMLResponse:
    return await read(lambda s: _source_page(s, source_id, entry))


def _source_page(session: Session, source_id: str, entry: str | None) -> HTMLResponse:
    try:
        source = sources.get_source(session, source_id)
    except NotFound as exc:
        return render("not_found.html", "Not found", {"detail": exc.detail}, status_code=404)
    boot: dict[str, Any] = {"source": SourceResponse.model_validate(source).model_dump(mode="json")}
    if entry:
        # A shared link to an entry opens its detail without a lookup the API does not offer.
        try:
            found = catalog.get_entry(session, source_id, entry)
            boot["entry"] = CatalogEntryResponse.model_validate(found).model_dump(mode="json")
        except NotFound:
            boot["entry"] = None
    return render("source.html", source.repo_name, boot)


@router.api_route("/static/{path:path}", methods=["GET", "HEAD"])
def static_file(path: str) -> FileResponse:
    target = (STATIC_DIR / path).resolve()
    if STATIC_DIR not in target.parents or not target.is_file():
        raise HTTPException(status_code=404, detail="Not Found")
    return FileResponse(target, media_type=MEDIA_TYPES.get(target.suffix),
                        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return static_file("favicon.svg")

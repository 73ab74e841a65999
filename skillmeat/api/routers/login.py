"""Log in to the web UI with the API token: an HTTP-only cookie plus a CSRF cookie."""

from __future__ import annotations

import html
import secrets
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from skillmeat.api.deps import SettingsDep
from skillmeat.api.middleware import CSRF_COOKIE, TOKEN_COOKIE, token_matches
from skillmeat.api.routers.web import render

router = APIRouter(include_in_schema=False)
MAX_FORM_BYTES = 4096


def _safe_next(target: str) -> str:
    # Only same-site paths: "//host" or "https://host" would make this an open redirect.
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _form(next_path: str, error: str = "", status: int = 200) -> HTMLResponse:
    return render("login.html", "Log in", {}, status, next=html.escape(_safe_next(next_path)),
                  error=html.escape(error), error_hidden="" if error else "hidden")


@router.get("/login", response_class=HTMLResponse)
def login_form(next: str = "/") -> HTMLResponse:  # noqa: A002 - the query parameter's name
    return _form(next)


@router.post("/login")
async def login(request: Request, settings: SettingsDep) -> Response:
    raw = await request.body()
    fields = parse_qs(raw[:MAX_FORM_BYTES].decode("utf-8", "replace"))
    given = (fields.get("token") or [""])[0]
    next_path = _safe_next((fields.get("next") or ["/"])[0])
    expected = settings.api_token.get_secret_value() if settings.api_token else None
    if expected is None:
        return RedirectResponse(next_path, status_code=303)
    if not given or not token_matches(given, expected):
        return _form(next_path, "That token is not right.", status=403)
    response = RedirectResponse(next_path, status_code=303)
    common = {"secure": True, "samesite": "strict", "path": "/"}
    response.set_cookie(TOKEN_COOKIE, expected, httponly=True, **common)  # type: ignore[arg-type]
    response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(24), httponly=False,
                        **common)  # type: ignore[arg-type]
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response

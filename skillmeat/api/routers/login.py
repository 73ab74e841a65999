"""Log in to the web UI with the API token: a server-side session cookie plus a CSRF cookie."""

from __future__ import annotations

import html
from datetime import timedelta
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from skillmeat.api.auth import CSRF_COOKIE, SESSION_COOKIE
from skillmeat.api.deps import DbDep, SettingsDep, Writes, lanes
from skillmeat.api.routers.web import render
from skillmeat.core import logins

router = APIRouter(include_in_schema=False)
MAX_FORM_BYTES = 4096
LEGACY_COOKIE = "skillmeat_token"  # earlier versions kept the token itself in a cookie


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
async def login(request: Request, settings: SettingsDep, db: DbDep) -> Response:
    raw = await request.body()
    fields = parse_qs(raw[:MAX_FORM_BYTES].decode("utf-8", "replace"))
    given = (fields.get("token") or [""])[0].strip()
    next_path = _safe_next((fields.get("next") or ["/"])[0])
    token = settings.auth_token
    if token is None:
        return RedirectResponse(next_path, status_code=303)
    # Behind a configured proxy uvicorn has already put the forwarded client and scheme here.
    client = logins.client_key(request.client.host if request.client else None)
    lifetime = timedelta(hours=settings.session_hours)
    result = await lanes(request).database.run(logins.log_in, db, client, given, token,
                                               lifetime)
    if not result.budget.allowed:
        minutes = -(-result.budget.retry_after // 60)
        refused = _form(next_path, f"Too many failed log-ins from your address; try again in "
                                   f"{minutes} minute{'s' if minutes != 1 else ''}.", status=429)
        refused.headers["Retry-After"] = str(result.budget.retry_after)
        return refused
    if result.secret is None:
        return _form(next_path, "That token is not right.", status=403)
    response = RedirectResponse(next_path, status_code=303)
    # Secure only where the browser will keep it: over HTTPS (directly or via a trusted proxy).
    common = {"secure": request.url.scheme == "https", "samesite": "strict", "path": "/",
              "max_age": int(lifetime.total_seconds())}
    response.set_cookie(SESSION_COOKIE, result.secret, httponly=True,
                        **common)  # type: ignore[arg-type]
    response.set_cookie(CSRF_COOKIE, logins.csrf_token(result.secret), httponly=False,
                        **common)  # type: ignore[arg-type]
    response.delete_cookie(LEGACY_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request, write: Writes) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:  # the row goes: every server process refuses it now
        await write(lambda s: logins.end_session(s, secret))
    response = RedirectResponse("/login", status_code=303)
    for name in (SESSION_COOKIE, CSRF_COOKIE, LEGACY_COOKIE):
        response.delete_cookie(name, path="/")
    return response

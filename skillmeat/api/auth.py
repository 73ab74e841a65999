"""Who may do what: the API token for scripts, a log-in session (plus CSRF header) for the UI."""

from __future__ import annotations

import base64
import hmac
import logging
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Receive, Scope, Send

from skillmeat.api.middleware import WRITE_METHODS, send_json
from skillmeat.cache.db import Database
from skillmeat.config import Settings
from skillmeat.core import logins
from skillmeat.core.errors import Busy

log = logging.getLogger("skillmeat.api")
SESSION_COOKIE = "skillmeat_session"
CSRF_COOKIE = "skillmeat_csrf"
CSRF_HEADER = b"x-csrf-token"
# Paths that must stay reachable without a token (probes, the login form itself).
OPEN_PATHS = ("/healthz", "/readyz", "/login", "/logout", "/static/")
# The collection as git and Claude Code fetch it: the one place HTTP Basic (any user name, the
# API token as password) is accepted, since git can send nothing else.
BASIC_PATHS = ("/collection.git/", "/collection/")
GIT_FETCH = "/collection.git/git-upload-pack"

Problem = tuple[int, str]
_NO_BEARER: Problem = (0, "no bearer header")  # not a verdict: look at the session instead


def cookies(scope: Scope) -> dict[str, str]:
    raw = dict(scope["headers"]).get(b"cookie", b"").decode("latin-1")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # noqa: BLE001 - a malformed cookie header is simply no cookie
        return {}
    return {k: v.value for k, v in jar.items()}


def token_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _bearer(scope: Scope, token: str) -> Problem | None:
    """The bearer header's verdict, or _NO_BEARER when the request carries none."""
    auth = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
    if not auth:
        return _NO_BEARER
    scheme, _, given = auth.partition(" ")
    if scheme.lower() == "basic" and scope["path"].startswith(BASIC_PATHS):
        return _basic(given.strip(), token)
    if scheme.lower() != "bearer" or not given.strip():
        return 401, "use 'Authorization: Bearer <token>'"
    return None if token_matches(given.strip(), token) else (403, "invalid API token")


def _basic(given: str, token: str) -> Problem | None:
    try:
        _user, _, password = base64.b64decode(given, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return 401, "malformed Basic credentials"
    return None if token_matches(password, token) else (401, "invalid API token")


def _session(scope: Scope, token: str, db: Database) -> Problem | None:
    """A log-in session's verdict (reads the database: call it off the event loop)."""
    secret = cookies(scope).get(SESSION_COOKIE)
    if not secret:
        return 401, "authentication required: send 'Authorization: Bearer <token>'"
    with db.session(write=False) as session:
        valid = logins.session_is_valid(session, secret, token)
    if not valid:
        return 401, "your session has ended; log in again"
    if scope["method"] in WRITE_METHODS:
        given = dict(scope["headers"]).get(CSRF_HEADER, b"").decode("latin-1")
        if not given or not token_matches(given, logins.csrf_token(secret)):
            return 403, "missing or wrong CSRF token; reload the page"
    return None


def check_request(scope: Scope, settings: Settings, db: Database) -> Problem | None:
    """None when the request may go ahead as an authenticated one (sync; may read the DB)."""
    token = settings.auth_token
    if token is None:
        return None
    verdict = _bearer(scope, token)
    return _session(scope, token, db) if verdict is _NO_BEARER else verdict


class ApiTokenMiddleware:
    """With SKILLMEAT_API_TOKEN set, state-changing requests need the token (reads optionally).

    A bearer header is for scripts; the web UI's session cookie is accepted only together
    with the session's CSRF header, so another site cannot post with it.
    """

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state  # app.state: settings may be swapped at run time (tests)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings: Settings = self.state.settings
        token = settings.auth_token
        if scope["type"] != "http" or token is None or scope["path"].startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        # git's fetch POSTs its wants: a read of the collection, not a change.
        is_write = scope["method"] in WRITE_METHODS and scope["path"] != GIT_FETCH
        if not is_write and not settings.protect_reads:
            await self.app(scope, receive, send)
            return
        problem = _bearer(scope, token)
        if problem is _NO_BEARER:
            try:  # a unit of work like any other: in the database lane, bounded
                problem = await self.state.lanes.database.run(_session, scope, token,
                                                              self.state.db)
            except Busy as exc:  # outside the app: its error handlers cannot help
                await send_json(send, exc.status_code, exc.detail,
                                [(b"retry-after", str(exc.retry_after).encode())])
                return
            except SQLAlchemyError as exc:
                log.error("session check failed: %s", type(exc).__name__)
                await send_json(send, 503, "database unavailable; try again shortly",
                                [(b"retry-after", b"5")])
                return
        if problem is None:
            await self.app(scope, receive, send)
            return
        status, detail = problem
        if scope["path"].startswith(BASIC_PATHS):  # git: a Basic challenge makes it ask
            headers = [(b"www-authenticate", b'Basic realm="skillmeat collection"')] \
                if status == 401 else []
            await send_json(send, status, detail, headers)
            return
        if not is_write and not scope["path"].startswith("/api/"):
            # A page of the web UI: send the person to the login form, then back here.
            target = quote(scope["path"] + ("?" + scope["query_string"].decode("latin-1")
                                            if scope.get("query_string") else ""), safe="")
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", f"/login?next={target}".encode())]})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [(b"www-authenticate", b"Bearer")] if status == 401 else []
        await send_json(send, status, detail, headers)

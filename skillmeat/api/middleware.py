"""ASGI middleware: request ids and access logs, body size limits, API token checks.

Pure ASGI rather than BaseHTTPMiddleware: these run on every request, including the ones the
latency benchmark measures.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
import uuid
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("skillmeat.access")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TOKEN_COOKIE = "skillmeat_token"
CSRF_COOKIE = "skillmeat_csrf"
CSRF_HEADER = b"x-csrf-token"
# Paths that must stay reachable without a token (probes, the login form itself).
OPEN_PATHS = ("/healthz", "/readyz", "/login", "/logout", "/static/")


async def _send_json(send: Send, status: int, detail: str,
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class RequestLogMiddleware:
    """One structured line per request; the request id is echoed as X-Request-ID."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() \
            else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        logged = False

        def write_log() -> None:
            nonlocal logged
            logged = True
            log.info("request", extra={
                "method": scope["method"], "path": scope["path"], "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": request_id,
            })

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"x-request-id", request_id.encode())]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                write_log()  # before the last byte leaves, so the line exists once it lands
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if not logged:
                write_log()


class BodyLimitMiddleware:
    """413 for bodies over the limit, whether announced by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, default_limit: int, large_limit: int,
                 large_suffixes: tuple[str, ...] = ("/scan-results",)) -> None:
        self.app = app
        self.default_limit = default_limit
        self.large_limit = large_limit
        self.large_suffixes = large_suffixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.large_limit if scope["path"].endswith(self.large_suffixes) \
            else self.default_limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_json(send, 413, f"request body is larger than {limit} bytes")
            return
        received = 0
        refused = False

        async def counting_receive() -> Message:
            # Past the limit: answer 413 at once and tell the app the client went away.
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    await _send_json(send, 413, f"request body is larger than {limit} bytes")
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)


def _cookies(scope: Scope) -> dict[str, str]:
    raw = dict(scope["headers"]).get(b"cookie", b"").decode("latin-1")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # noqa: BLE001 - a malformed cookie header is simply no cookie
        return {}
    return {k: v.value for k, v in jar.items()}


def token_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


class ApiTokenMiddleware:
    """With SKILLMEAT_API_TOKEN set, state-changing requests need the token (reads optionally).

    A bearer header is for scripts; the web UI's HTTP-only cookie is accepted only together
    with a matching CSRF header (double-submit), so another site cannot post with it.
    """

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state  # app.state: settings may be swapped at run time (tests)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings = self.state.settings
        token = settings.api_token.get_secret_value() if settings.api_token else None
        if scope["type"] != "http" or not token or scope["path"].startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        is_write = scope["method"] in WRITE_METHODS
        if not is_write and not settings.protect_reads:
            await self.app(scope, receive, send)
            return
        problem = self._check(scope, token)
        if problem is None:
            await self.app(scope, receive, send)
            return
        status, detail = problem
        if not is_write and not scope["path"].startswith("/api/"):
            # A page of the web UI: send the person to the login form, then back here.
            target = quote(scope["path"] + ("?" + scope["query_string"].decode("latin-1")
                                            if scope.get("query_string") else ""), safe="")
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", f"/login?next={target}".encode())]})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [(b"www-authenticate", b"Bearer")] if status == 401 else []
        await _send_json(send, status, detail, headers)

    @staticmethod
    def _check(scope: Scope, token: str) -> tuple[int, str] | None:
        headers = dict(scope["headers"])
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth:
            scheme, _, given = auth.partition(" ")
            if scheme.lower() != "bearer" or not given:
                return 401, "use 'Authorization: Bearer <token>'"
            return None if token_matches(given.strip(), token) else (403, "invalid API token")
        cookies = _cookies(scope)
        if TOKEN_COOKIE in cookies:
            if not token_matches(cookies[TOKEN_COOKIE], token):
                return 403, "invalid API token; log in again"
            csrf = headers.get(CSRF_HEADER, b"").decode("latin-1")
            expected = cookies.get(CSRF_COOKIE, "")
            if scope["method"] in WRITE_METHODS and (
                    not csrf or not expected or not token_matches(csrf, expected)):
                return 403, "missing or wrong CSRF token; reload the page"
            return None
        return 401, "authentication required: send 'Authorization: Bearer <token>'"

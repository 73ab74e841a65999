"""ASGI middleware: request ids and access logs, Host checks, body size limits, JSON text.

Pure ASGI rather than BaseHTTPMiddleware: these run on every request, including the ones the
latency benchmark measures.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import math
import re
import time
import uuid
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skillmeat.config import is_loopback

log = logging.getLogger("skillmeat.access")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def send_json(send: Send, status: int, detail: str,
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
            await send_json(send, 413, f"request body is larger than {limit} bytes")
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
                    await send_json(send, 413, f"request body is larger than {limit} bytes")
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)




def host_allowed(host_header: str, allowed: list[str]) -> bool:
    """Whether a Host header names this server rather than someone else's DNS name.

    A page rebinding its own name to our address sends that name: loopback names and IP
    literals cannot be such a name, anything else must be in SKILLMEAT_ALLOWED_HOSTS (an
    entry ".example.org" allows that domain and every name under it; "*" turns the check off).
    """
    if "*" in allowed:
        return True
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[1:host.find("]")] if "]" in host else ""
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    host = host.rstrip(".")
    if not host:
        return False
    if is_loopback(host):
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    return any(host == entry or (entry.startswith(".") and
                                 (host.endswith(entry) or host == entry[1:]))
               for entry in allowed)


class HostCheckMiddleware:
    """400 for a Host header that names neither this machine nor an allowed name."""

    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app = app
        self.state = state  # app.state: settings may be swapped at run time (tests)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            if not host_allowed(host, self.state.settings.allowed_hosts):
                await send_json(send, 400, "unknown Host header; the server's address or a "
                                           "name in SKILLMEAT_ALLOWED_HOSTS is expected")
                return
        await self.app(scope, receive, send)


# A JSON escape for half a surrogate pair, or a number token no float holds (it follows ":",
# "," or "[", so hex digits inside a string never look like one): rare in real bodies, so
# only bodies that contain one are parsed here to look closer.
_SUSPECT = re.compile(rb"\\u[dD][89a-fA-F]"
                      rb"|[:,\[]\s*-?(?:Infinity|NaN|[0-9.]+[eE][+-]?[0-9]{3}|[0-9]{309})")
_THREAD_ABOVE = 1 << 20  # bigger bodies are checked off the event loop
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def _check_text(value: Any) -> None:
    if isinstance(value, str):
        if _LONE_SURROGATE.search(value):
            raise ValueError("text contains an unpaired surrogate (\\ud800-\\udfff)")
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


def _checked_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    for key, value in pairs:
        _check_text(key)
        _check_text(value)
    return dict(pairs)


def json_text_problem(body: bytes) -> str | None:
    """Why a JSON body holds values no text or number column can take back out, if it does."""
    if not _SUSPECT.search(body):
        return None
    try:
        _check_text(json.loads(body, parse_constant=_refuse_constant, parse_float=_finite,
                               object_pairs_hook=_checked_object))
    except ValueError as exc:  # invalid JSON included: FastAPI words that one itself
        return str(exc) if not isinstance(exc, json.JSONDecodeError) else None
    except RecursionError:  # brackets nested past the interpreter's stack
        return "JSON is nested too deeply"
    return None


class JsonTextMiddleware:
    """422 for JSON bodies with lone surrogates or out-of-range numbers, before any handler.

    Pydantic refuses them in typed fields, but free-form fields (a scan result's score
    breakdown) would store them and every later read of the row would fail to render.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"json")
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS \
                or b"json" not in content_type.lower():
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        problem = json_text_problem(body) if len(body) <= _THREAD_ABOVE else \
            await run_in_threadpool(json_text_problem, body)
        if problem:
            await send_json(send, 422, f"request body: {problem}; send valid Unicode and finite "
                                       "numbers")
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body,
                                        "more_body": False}], receive), send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive

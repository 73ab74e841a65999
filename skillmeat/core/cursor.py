"""Opaque, signed keyset cursors. A cursor only works for the query that produced it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from skillmeat.config import Settings
from skillmeat.core.errors import InvalidInput

MAX_CURSOR_LENGTH = 2048


def cursor_secret(settings: Settings) -> bytes:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    # Stable across restarts and server processes sharing one database.
    return hashlib.sha256(b"skillmeat-cursor:" + settings.resolved_database_url.encode()).digest()


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @classmethod
    def from_settings(cls, settings: Settings) -> CursorCodec:
        return cls(cursor_secret(settings))

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._secret, body, hashlib.sha256).digest()[:16]

    def encode(self, scope: str, position: list[Any]) -> str:
        body = json.dumps({"q": scope, "p": position}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(self._sign(body) + body).decode().rstrip("=")

    def decode(self, token: str, scope: str) -> list[Any]:
        """The position stored in `token`; InvalidInput when forged, stale or for another query."""
        if len(token) > MAX_CURSOR_LENGTH:
            raise InvalidInput("cursor is too long")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise InvalidInput("cursor is not valid") from None
        signature, body = raw[:16], raw[16:]
        if not hmac.compare_digest(signature, self._sign(body)):
            raise InvalidInput("cursor is not valid") from None
        payload = json.loads(body)
        if payload.get("q") != scope:
            raise InvalidInput("cursor belongs to a different query; start again without it")
        position = payload.get("p")
        if not isinstance(position, list):
            raise InvalidInput("cursor is not valid")
        return position


def query_scope(**parts: Any) -> str:
    """A short fingerprint of what a list query asks for (filters, order, owner)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]

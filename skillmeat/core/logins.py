"""Web UI log-ins: server-side sessions and the rate limit on failed attempts.

The session cookie carries a random secret, never the API token; the database keeps only the
secret's SHA-256, so logging out (deleting the row) ends the session in every server process
sharing the database, and a restart keeps it. A session is tied to the token it was opened
with: changing SKILLMEAT_API_TOKEN ends them all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from skillmeat.cache import logins as repo
from skillmeat.cache.db import Database
from skillmeat.cache.models import WebSession, utcnow

ATTEMPTS_PER_WINDOW = 10  # per client address (an IPv6 client: per /64)
ATTEMPT_WINDOW = timedelta(minutes=15)
_SECRET_BYTES = 32


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def token_fingerprint(token: str) -> str:
    return hmac.new(token.encode(), b"skillmeat-web-session", hashlib.sha256).hexdigest()


def csrf_token(secret: str) -> str:
    """The CSRF value that goes with a session: derived from its secret, so nothing to store."""
    mac = hmac.new(secret.encode("utf-8", "replace"), b"skillmeat-csrf", hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def start_session(session: Session, token: str, lifetime: timedelta) -> str:
    """Open a session for a person who gave the right token; returns the cookie's secret."""
    now = utcnow()
    repo.delete_sessions_expired(session, now)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    repo.add_session(session, WebSession(id=_digest(secret), token_fingerprint=token_fingerprint(
        token), created_at=now, expires_at=now + lifetime))
    return secret


def session_is_valid(session: Session, secret: str, token: str) -> bool:
    if not secret or len(secret) > 256:
        return False
    row = repo.get_session(session, _digest(secret))
    return row is not None and row.expires_at > utcnow() and hmac.compare_digest(
        row.token_fingerprint, token_fingerprint(token))


def end_session(session: Session, secret: str) -> None:
    if secret and len(secret) <= 256:
        repo.delete_session(session, _digest(secret))


def client_key(address: str | None) -> str:
    """Whose attempts count together: one address, or one /64 for IPv6 (one host's range)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "unknown")[:64]
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped or ip) if ip.version == 6 else str(ip)


def record_attempt(session: Session, client: str) -> str:
    """Note an attempt before the token is checked; commit it before counting."""
    now = utcnow()
    repo.delete_attempts_before(session, now - ATTEMPT_WINDOW)
    return repo.add_attempt(session, client, now)


@dataclass(frozen=True)
class Budget:
    allowed: bool
    retry_after: int  # seconds until an attempt is allowed again


def attempt_budget(session: Session, client: str) -> Budget:
    """Whether `client`'s latest recorded attempt is within the limit.

    Every attempt is committed before it is counted, so concurrent attempts, in this process or
    another, each see at least those committed before them: at most ATTEMPTS_PER_WINDOW get
    their token checked per window.
    """
    now = utcnow()
    count, oldest = repo.attempts_since(session, client, now - ATTEMPT_WINDOW)
    if count <= ATTEMPTS_PER_WINDOW:
        return Budget(True, 0)
    reopens = (oldest or now) + ATTEMPT_WINDOW
    return Budget(False, max(1, int((_aware(reopens) - now).total_seconds()) + 1))


def forget_attempt(session: Session, attempt_id: str) -> None:
    """A successful log-in does not count against the limit."""
    repo.delete_attempt(session, attempt_id)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


@dataclass(frozen=True)
class LoginResult:
    secret: str | None  # the new session's cookie value; None when refused
    budget: Budget


def log_in(db: Database, client: str, given: str, token: str,
           lifetime: timedelta) -> LoginResult:
    """Check a token typed into the log-in form, within the client's attempt budget."""
    with db.session() as session:
        attempt = record_attempt(session, client)
    with db.session(write=False) as session:
        budget = attempt_budget(session, client)
    # Over the limit, the token is not even compared: guessing must stop, not just fail.
    if not budget.allowed or not given or not hmac.compare_digest(given.encode(),
                                                                  token.encode()):
        return LoginResult(None, budget)
    with db.session() as session:
        forget_attempt(session, attempt)
        return LoginResult(start_session(session, token, lifetime), budget)

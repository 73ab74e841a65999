"""Queries for web UI log-in sessions and log-in attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from skillmeat.cache.models import LoginAttempt, WebSession


def add_session(session: Session, row: WebSession) -> None:
    session.add(row)
    session.flush()


def get_session(session: Session, session_id: str) -> WebSession | None:
    return session.get(WebSession, session_id)


def delete_session(session: Session, session_id: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id == session_id))


def delete_sessions_expired(session: Session, now: datetime) -> None:
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))


def add_attempt(session: Session, client: str, at: datetime) -> str:
    row = LoginAttempt(client=client, attempted_at=at)
    session.add(row)
    session.flush()
    return row.id


def attempts_since(session: Session, client: str, since: datetime) -> tuple[int, datetime | None]:
    """How many attempts `client` made after `since`, and when the oldest of them was."""
    stmt = select(func.count(), func.min(LoginAttempt.attempted_at)).where(
        LoginAttempt.client == client, LoginAttempt.attempted_at > since)
    count, oldest = session.execute(stmt).one()
    return int(count), oldest


def delete_attempt(session: Session, attempt_id: str) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


def delete_attempts_before(session: Session, before: datetime) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= before))

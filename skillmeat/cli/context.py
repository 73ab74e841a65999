"""What every CLI command needs: settings, a migrated database, a cursor codec."""

from __future__ import annotations

from functools import lru_cache

import typer

from skillmeat.api.app import cursor_secret
from skillmeat.cache import migrate
from skillmeat.cache.db import Database
from skillmeat.config import Settings, get_settings
from skillmeat.core.cursor import CursorCodec


def settings() -> Settings:
    return get_settings()


@lru_cache
def database() -> Database:
    url = settings().resolved_database_url
    migrate.upgrade(url)
    return Database(url, sqlite_synchronous=settings().sqlite_synchronous)


def codec() -> CursorCodec:
    return CursorCodec(cursor_secret(settings()))


def fail(exc: Exception | str, code: int = 1) -> typer.Exit:
    """Print a readable error on stderr and return the Exit to raise."""
    from skillmeat.cli.output import err_console

    err_console.print(f"[red]error:[/red] {getattr(exc, 'detail', exc)}")
    return typer.Exit(code)

"""What every CLI command needs: settings, a migrated database, a cursor codec."""

from __future__ import annotations

from functools import lru_cache

import typer
from pydantic import ValidationError

from skillmeat.api.app import cursor_secret
from skillmeat.cache import migrate
from skillmeat.cache.db import Database
from skillmeat.config import Settings, get_settings, settings_error
from skillmeat.core.cursor import CursorCodec


def settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:  # a refused SKILLMEAT_* variable: say which, then stop
        raise fail(f"configuration refused: {settings_error(exc)}", code=2) from None


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

"""What every CLI command needs: settings, a migrated database, a cursor codec, error exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import typer
from pydantic import ValidationError

from skillmeat.cache import migrate
from skillmeat.cache.db import Database
from skillmeat.config import Settings, get_settings, settings_error
from skillmeat.core.cursor import CursorCodec
from skillmeat.core.errors import SkillMeatError
from skillmeat.core.marketplace.readers.errors import ReaderError


def settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:  # a refused SKILLMEAT_* variable: say which, then stop
        raise fail(f"configuration refused: {settings_error(exc)}", code=2) from None


@lru_cache
def database() -> Database:
    url = settings().resolved_database_url
    migrate.upgrade(url)
    return Database(url, sqlite_synchronous=settings().sqlite_synchronous,
                    sqlite_mmap_bytes=settings().sqlite_mmap_bytes)


def codec() -> CursorCodec:
    return CursorCodec.from_settings(settings())


def fail(exc: Exception | str, code: int = 1) -> typer.Exit:
    """Print a readable error on stderr and return the Exit to raise."""
    from skillmeat.cli.output import err_console

    err_console.print(f"[red]error:[/red] {getattr(exc, 'detail', exc)}")
    return typer.Exit(code)


@contextmanager
def reported(what: str = "") -> Iterator[None]:
    """Service and repository errors inside end the command: message on stderr, exit 1.

    `what` names the failed action ("scan failed"), said before the error's own words.
    """
    try:
        yield
    except (SkillMeatError, ReaderError) as exc:
        detail = getattr(exc, "detail", None) or str(exc)
        raise fail(f"{what}: {detail}" if what else detail) from None

"""Engine and transactions. One operation = one transaction, opened here and nowhere else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


SYNCHRONOUS_MODES = ("NORMAL", "FULL")


def _sqlite_connect_with(synchronous: str) -> Any:
    def connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _sqlite_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # NORMAL (default): in WAL mode a committed transaction survives the process being
        # killed at any moment; only an OS crash or power loss can drop the last commits.
        # FULL also survives those, at one fsync per commit (see the API benchmark).
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.close()

    return connect


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock up front (BEGIN IMMEDIATE): a deferred transaction that reads
    # then writes can fail with "database is locked" instead of waiting its turn.
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {mode}")


_SQLITE_BROKEN = ("readonly database", "unable to open database", "disk i/o error")


def _sqlite_handle_error(ctx: Any) -> None:
    # A connection opened while the file was unwritable stays read-only for good: treat it as
    # broken so the pool replaces it and the service recovers once the file is writable again.
    if ctx.original_exception is not None and any(
            marker in str(ctx.original_exception).lower() for marker in _SQLITE_BROKEN):
        ctx.is_disconnect = True


def make_engine(url: str, *, sqlite_synchronous: str = "NORMAL", **kwargs: Any) -> Engine:
    if sqlite_synchronous not in SYNCHRONOUS_MODES:
        raise ValueError(f"sqlite_synchronous must be one of {SYNCHRONOUS_MODES}")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 10})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_connect_with(sqlite_synchronous))
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _sqlite_handle_error)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
    return create_engine(url, **kwargs)


class Database:
    """Owns the engine and hands out one session per unit of work."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        reader = self.engine.execution_options(sqlite_begin="DEFERRED")
        self._reader = sessionmaker(reader, expire_on_commit=False)

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        session = (self._writer if write else self._reader)()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()

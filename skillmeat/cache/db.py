"""Engine and transactions. One operation = one transaction, opened here and nowhere else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

# How long a statement waits for a lock another transaction holds (SQLite's busy timeout,
# PostgreSQL's lock_timeout) before it fails as "busy", which the API answers with 503.
LOCK_WAIT_MS = 10_000
# Pooled connections: the API runs at most POOL_SIZE request units at once (api/lanes.py);
# the overflow serves scans, browses and the scheduler, which take one at a time each.
POOL_SIZE, MAX_OVERFLOW = 10, 20
POOL_TIMEOUT_SECONDS = 10


SYNCHRONOUS_MODES = ("NORMAL", "FULL")
# SQLite reads the first this many bytes of the file through a memory map (capped by the
# library's build: 2 GiB on common ones): a page the OS already caches costs no read call and
# no copy. A search's facet count reads up to 1,000 scattered entry rows: 6.4 ms through
# read calls, 4.2 ms mapped, at a million entries. Address space only, no memory of its own.
SQLITE_MMAP_BYTES = 2**31


def _sqlite_connect_with(synchronous: str, mmap_bytes: int) -> Any:
    def connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _sqlite_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
        # NORMAL (default): in WAL mode a committed transaction survives the process being
        # killed at any moment; only an OS crash or power loss can drop the last commits.
        # FULL also survives those, at one fsync per commit (see the API benchmark).
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute(f"PRAGMA mmap_size={int(mmap_bytes)}")
        cur.close()

    return connect


def _postgres_connect(dbapi_conn: Any, _record: Any) -> None:
    with dbapi_conn.cursor() as cur:
        cur.execute(f"SET lock_timeout = {LOCK_WAIT_MS}")
        # psycopg prepares a statement run five times, and PostgreSQL may then keep one
        # generic plan for it whatever the parameters. Which plan is right depends on them
        # (a search's words, a source's size): after 300 two-word searches inside a source,
        # the plan kept for them made every prefix search 105 ms instead of 19.
        cur.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_conn.commit()


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


def make_engine(url: str, *, sqlite_synchronous: str = "NORMAL",
                sqlite_mmap_bytes: int = SQLITE_MMAP_BYTES, **kwargs: Any) -> Engine:
    if sqlite_synchronous not in SYNCHRONOUS_MODES:
        raise ValueError(f"sqlite_synchronous must be one of {SYNCHRONOUS_MODES}")
    if sqlite_mmap_bytes < 0:
        raise ValueError("sqlite_mmap_bytes must be 0 (off) or more")
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    in_memory = sqlite and parsed.database in (None, "", ":memory:")
    if not in_memory and "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", MAX_OVERFLOW)
        kwargs.setdefault("pool_timeout", POOL_TIMEOUT_SECONDS)
    if sqlite:
        if not in_memory:
            Path(str(parsed.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False,
                                           "timeout": LOCK_WAIT_MS / 1000})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_connect_with(sqlite_synchronous,
                                                                 sqlite_mmap_bytes))
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _sqlite_handle_error)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _postgres_connect)
    return engine


class Database:
    """Owns the engine and hands out one session per unit of work."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        # Probes (/readyz) connect on their own, so a pool that requests have exhausted
        # cannot make the server look down. Made on first use.
        self._synchronous = engine_kwargs.get("sqlite_synchronous", "NORMAL")
        self._probe_engine: Engine | None = None
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

    @property
    def probe_engine(self) -> Engine:
        if self._probe_engine is None:
            extra: dict[str, Any] = {"connect_args": {"connect_timeout": 3}} \
                if self.engine.dialect.name == "postgresql" else {}
            self._probe_engine = make_engine(self.url, poolclass=NullPool,
                                             sqlite_synchronous=self._synchronous, **extra)
        return self._probe_engine

    def dispose(self) -> None:
        self.engine.dispose()
        if self._probe_engine is not None:
            self._probe_engine.dispose()

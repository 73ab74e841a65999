"""Test set-up: a real database (SQLite by default, PostgreSQL when asked) and a real server.

`SKILLMEAT_TEST_DATABASE_URL=postgresql+psycopg://...` runs the database-backed tests against
PostgreSQL in a schema of their own. Unreachable PostgreSQL skips them, except when CI=true,
where it fails the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, text

from skillmeat.api.app import configure, create_app
from skillmeat.cache import migrate
from skillmeat.cache.db import Database
from skillmeat.cache.models import Base
from skillmeat.config import Settings

pytest_plugins = ["tests.fakes.github_server", "tests.fakes.hanging_host", "tests.claude_cli"]

# Nothing in the suite may leave the machine: git may only use local repositories, and any
# HTTP client that is not talking to loopback goes to a dead loopback proxy and fails fast.
os.environ["SKILLMEAT_GIT_PROTOCOLS"] = "file"
for _var in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy"):
    os.environ[_var] = "http://127.0.0.1:9"
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
DEAD_API = "http://127.0.0.1:9"
os.environ["SKILLMEAT_GITHUB_API_URL"] = DEAD_API

PG_URL = os.environ.get("SKILLMEAT_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_report_header(config: pytest.Config) -> str:
    return f"skillmeat test database: {'postgresql' if PG_URL else 'sqlite'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The PostgreSQL pass re-runs only what touches a database; the rest ran on the first pass.
    if not PG_URL:
        return
    keep = [i for i in items if "db" in getattr(i, "fixturenames", ())
            or "pg_url" in getattr(i, "fixturenames", ())]
    config.hook.pytest_deselected(items=[i for i in items if i not in keep])
    items[:] = keep


def _with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str | None]:
    """A private schema on the PostgreSQL server under test, or None on the SQLite pass."""
    if not PG_URL:
        yield None
        return
    admin = create_engine(PG_URL, connect_args={"connect_timeout": 5})
    try:
        with admin.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "unreachable"
        admin.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable in CI: {type(exc).__name__}", pytrace=False)
        pytest.skip("PostgreSQL unreachable")
    schemas: list[str] = []

    def make_schema() -> str:
        schema = f"smtest_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        return _with_schema(PG_URL, schema)

    yield make_schema()  # type: ignore[misc]
    with admin.begin() as conn:
        for schema in schemas:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_url(pg_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at head: built once per session by running the migration chain."""
    if pg_url:
        url = pg_url
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def _pg_database(migrated_url: str, pg_url: str | None) -> Iterator[Database | None]:
    if not pg_url:
        yield None
        return
    database = Database(migrated_url)
    yield database
    database.dispose()


@pytest.fixture
def db(migrated_url: str, _pg_database: Database | None, tmp_path: Path) -> Iterator[Database]:
    """An empty database at head for one test."""
    if _pg_database is not None:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with _pg_database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} CASCADE"))
        yield _pg_database
        return
    template = Path(migrated_url.removeprefix("sqlite:///"))
    target = tmp_path / "skillmeat.db"
    shutil.copyfile(template, target)
    database = Database(f"sqlite:///{target}")
    yield database
    database.dispose()


@pytest.fixture
def settings(db: Database, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db.url, allow_local_sources=True,
                    github_api_url=DEAD_API, github_retries=0)


class LiveServer:
    """One uvicorn server per session; each test points its app at that test's database."""

    def __init__(self) -> None:
        self.app = create_app(Settings(data_dir=Path("/nonexistent-unused")),
                              db=Database("sqlite://"))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.01)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def use(self, settings: Settings, db: Database) -> None:
        configure(self.app.state, settings, db)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture
def client(live_server: LiveServer, settings: Settings, db: Database) -> Iterator[httpx.Client]:
    """An HTTP client talking to the real server over loopback."""
    live_server.use(settings, db)
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        yield http

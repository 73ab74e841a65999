"""CLI tests run the real commands against the test database through environment settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skillmeat.cache.db import Database
from skillmeat.cli import context
from skillmeat.config import get_settings


@pytest.fixture
def cli_env(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("COLUMNS", "200")  # Rich folds table cells to the terminal width
    monkeypatch.setenv("SKILLMEAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SKILLMEAT_DATABASE_URL", db.url)
    get_settings.cache_clear()
    context.database.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
    context.database.cache_clear()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()

"""The SQLite connection settings the engine applies to every pooled connection."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from skillmeat.cache.db import Database
from skillmeat.config import Settings


def _pragma(db: Database, name: str) -> object:
    with db.session(write=False) as session:
        return session.execute(text(f"PRAGMA {name}")).scalar()


def test_sqlite_connections_read_through_a_memory_map_unless_turned_off(
        tmp_path: Path) -> None:
    on = Database(f"sqlite:///{tmp_path / 'on.db'}")
    off = Database(f"sqlite:///{tmp_path / 'off.db'}", sqlite_mmap_bytes=0)
    try:
        assert int(str(_pragma(on, "mmap_size"))) > 0
        assert _pragma(off, "mmap_size") == 0
        assert str(_pragma(on, "journal_mode")).lower() == "wal"
    finally:
        on.dispose()
        off.dispose()


def test_memory_map_setting_comes_from_the_environment_and_refuses_negatives(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLMEAT_SQLITE_MMAP_BYTES", "0")
    assert Settings().sqlite_mmap_bytes == 0
    monkeypatch.setenv("SKILLMEAT_SQLITE_MMAP_BYTES", "-1")
    with pytest.raises(ValueError):
        Settings()
    with pytest.raises(ValueError, match="sqlite_mmap_bytes"):
        Database("sqlite:///unused.db", sqlite_mmap_bytes=-1)


def test_postgresql_plans_each_statement_for_its_own_parameters(pg_url: str | None) -> None:
    """A plan kept for one search's words must not serve another's (see cache/db.py): each
    pooled connection asks for custom plans."""
    if pg_url is None:
        pytest.skip("runs on the PostgreSQL pass")
    db = Database(pg_url)
    try:
        with db.session(write=False) as session:
            assert session.execute(text("SHOW plan_cache_mode")).scalar() == \
                "force_custom_plan"
    finally:
        db.dispose()

"""The migration chain: empty to head, in-place upgrade with data, down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine

from skillmeat.cache import migrate, search_index
from skillmeat.cache.db import Database
from skillmeat.cache.models import Base
from skillmeat.cache.search_index import include_object
from skillmeat.core.cursor import CursorCodec
from skillmeat.core.marketplace import listing, search


@pytest.fixture
def empty_url(db: Database, pg_url: str | None, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (its own schema on PostgreSQL)."""
    if pg_url is None:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schema = f"mig_{tmp_path.name[-20:].replace('-', '_').lower()}"
    admin = create_engine(db.url.split("?")[0])
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{db.url.split('?')[0]}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _engine(url: str) -> Engine:
    return Database(url).engine


def _columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def _add_source(conn: Connection, source_id: str = "src_1") -> None:
    conn.execute(text(
        "INSERT INTO marketplace_sources (id, repo_url, owner, repo_name, ref, scan_status,"
        " artifact_count, counts_by_type, catalog_counts, created_at, updated_at) VALUES"
        " (:id, :url, 'a', :id, 'main', 'success', 1, '{}', '{}',"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"id": source_id,
                                                   "url": f"https://github.com/a/{source_id}"})


def _seed_one_entry(engine: Engine) -> None:
    """A source and one skill entry, written with the columns every revision has."""
    with engine.begin() as conn:
        _add_source(conn)
        conn.execute(text(
            "INSERT INTO marketplace_catalog_entries (id, source_id, artifact_type, name,"
            " renamed, path, confidence_score, score_breakdown, status, detected_at,"
            " created_at, updated_at) VALUES ('cat_1', 'src_1', 'skill', 'pdf', false,"
            " 'skills/pdf', 90, '{}', 'new', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP)"))


def test_empty_database_upgrades_to_head(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    engine = _engine(empty_url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert {"excluded_at", "excluded_reason"} <= _columns(engine, "marketplace_catalog_entries")
    engine.dispose()


def test_revision_1_database_with_rows_upgrades_in_place(empty_url: str) -> None:
    migrate.upgrade(empty_url, "0001")
    engine = _engine(empty_url)
    assert "excluded_at" not in _columns(engine, "marketplace_catalog_entries")
    _seed_one_entry(engine)
    engine.dispose()

    migrate.upgrade(empty_url)
    engine = _engine(empty_url)
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT name, status, excluded_at, excluded_reason FROM marketplace_catalog_entries"
        )).one()
    assert tuple(row) == ("pdf", "new", None, None)
    engine.dispose()


def test_downgrade_to_revision_1_and_up_again(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.downgrade(empty_url, "0001")
    engine = _engine(empty_url)
    assert "excluded_at" not in _columns(engine, "marketplace_catalog_entries")
    assert "marketplace_scans" not in inspect(engine).get_table_names()
    engine.dispose()
    migrate.upgrade(empty_url)
    engine = _engine(empty_url)
    assert "excluded_reason" in _columns(engine, "marketplace_catalog_entries")
    engine.dispose()


def test_models_and_migrations_agree(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    engine = _engine(empty_url)
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(conn, opts=opts)
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_web_sessions_revision_goes_down_and_up_with_rows_in_place(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    engine = _engine(empty_url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO web_sessions (id, token_fingerprint, created_at, expires_at) VALUES"
            " ('s1', 'f1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO login_attempts (id, client, attempted_at) VALUES"
                          " ('a1', '192.0.2.1', CURRENT_TIMESTAMP)"))
    engine.dispose()
    migrate.downgrade(empty_url, "0003")
    engine = _engine(empty_url)
    tables = set(inspect(engine).get_table_names())
    assert not {"web_sessions", "login_attempts"} & tables and "marketplace_scans" in tables
    engine.dispose()
    migrate.upgrade(empty_url)
    engine = _engine(empty_url)
    indexes = {i["name"] for i in inspect(engine).get_indexes("login_attempts")}
    assert {"ix_login_attempts_client_at", "ix_login_attempts_attempted_at"} <= indexes
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM web_sessions")).scalar() == 0
    engine.dispose()


def test_risk_surface_revision_goes_down_and_up_keeping_entries(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    engine = _engine(empty_url)
    with engine.begin() as conn:
        _add_source(conn, "src_r")
        conn.execute(text(
            "INSERT INTO marketplace_catalog_entries (id, source_id, artifact_type, name, renamed,"
            " path, confidence_score, score_breakdown, status, detected_at, created_at,"
            " updated_at, risk_summary, risk) VALUES ('cat_r', 'src_r', 'hook', 'h', false,"
            " 'hooks/hooks.json', 90, '{}', 'new', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP, '1 hook', '{\"hooks\": []}')"))
    engine.dispose()
    migrate.downgrade(empty_url, "0004")
    engine = _engine(empty_url)
    assert not {"risk", "risk_summary"} & _columns(engine, "marketplace_catalog_entries")
    engine.dispose()
    migrate.upgrade(empty_url)
    engine = _engine(empty_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT name, risk_summary, risk FROM marketplace_catalog_entries"
                                " WHERE id = 'cat_r'")).one()
    assert (row.name, row.risk_summary, row.risk) == ("h", None, None)
    engine.dispose()


def test_plugins_revision_goes_down_and_up_with_rows_in_place(empty_url: str) -> None:
    migrate.upgrade(empty_url, "0004")
    engine = _engine(empty_url)
    _seed_one_entry(engine)
    engine.dispose()
    migrate.upgrade(empty_url, "0005")
    engine = _engine(empty_url)
    indexes = {i["name"] for i in inspect(engine).get_indexes("marketplace_catalog_entries")}
    assert "ix_catalog_source_plugin" in indexes
    with engine.connect() as conn:
        row = conn.execute(text("SELECT name, plugin_id, plugin_name, plugin_meta"
                                " FROM marketplace_catalog_entries")).one()
    assert tuple(row) == ("pdf", None, None, None)
    engine.dispose()
    migrate.downgrade(empty_url, "0004")
    engine = _engine(empty_url)
    assert not {"plugin_id", "plugin_name", "plugin_meta"} & _columns(
        engine, "marketplace_catalog_entries")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM marketplace_catalog_entries")).scalar() == "pdf"
    engine.dispose()


def test_exclusion_rules_revision_goes_down_and_up_with_rows_in_place(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    engine = _engine(empty_url)
    with engine.begin() as conn:
        _add_source(conn)
        conn.execute(text(
            "INSERT INTO marketplace_exclusion_rules (id, source_id, pattern, origin, created_at)"
            " VALUES ('rul_1', 'src_1', 'docs/**', 'user', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO marketplace_catalog_entries (id, source_id, artifact_type, name,"
            " renamed, path, confidence_score, score_breakdown, status, detected_at,"
            " excluded_at, excluded_by_rule, rule_exception, created_at, updated_at) VALUES"
            " ('cat_1', 'src_1', 'skill', 'pdf', false, 'docs/pdf', 90, '{}', 'excluded',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'rul_1', false, CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO marketplace_exclusion_events (source_id, at, actor, action, entry_id,"
            " rule_id) VALUES ('src_1', CURRENT_TIMESTAMP, 'cli', 'rule_exclude', 'cat_1',"
            " 'rul_1')"))
    engine.dispose()
    migrate.downgrade(empty_url, "0004")
    engine = _engine(empty_url)
    tables = set(inspect(engine).get_table_names())
    assert not {"marketplace_exclusion_rules", "marketplace_exclusion_events"} & tables
    assert "excluded_by_rule" not in _columns(engine, "marketplace_catalog_entries")
    with engine.connect() as conn:  # the entry itself stays, still excluded
        assert conn.execute(text("SELECT status FROM marketplace_catalog_entries")).scalar() \
            == "excluded"
    engine.dispose()
    migrate.upgrade(empty_url)
    engine = _engine(empty_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT excluded_by_rule, rule_exception"
                                " FROM marketplace_catalog_entries")).one()
    assert (row[0], bool(row[1])) == (None, False)
    indexes = {i["name"] for i in inspect(engine).get_indexes("marketplace_exclusion_events")}
    assert {"ix_exclusion_events_source", "ix_exclusion_events_entry"} <= indexes
    engine.dispose()


def test_search_revision_indexes_rows_already_there_and_goes_down_and_up(
        empty_url: str) -> None:
    def hits() -> list[str]:
        db = Database(empty_url)
        try:
            with db.session(write=False) as session:
                found = search.search(session, CursorCodec(b"k"), "pdf", search.SearchFilter(),
                                      limit=10)
            return [h.entry.path for h in found.page.items]
        finally:
            db.dispose()

    migrate.upgrade(empty_url, "0007")
    engine = _engine(empty_url)
    _seed_one_entry(engine)  # written before the index exists
    engine.dispose()
    migrate.upgrade(empty_url)
    assert hits() == ["skills/pdf"]
    migrate.downgrade(empty_url, "0007")
    engine = _engine(empty_url)
    assert "keywords" not in _columns(engine, "marketplace_catalog_entries")
    engine.dispose()
    migrate.upgrade(empty_url)
    assert hits() == ["skills/pdf"]


def test_imported_updates_revision_goes_down_and_up_keeping_scans(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    engine = _engine(empty_url)
    with engine.begin() as conn:
        _add_source(conn, "src_u")
        conn.execute(text(
            "INSERT INTO marketplace_scans (id, source_id, started_at, outcome, trigger,"
            " new_count, updated_count, removed_count, unchanged_count,"
            " imported_updates_count) VALUES ('scn_u', 'src_u', CURRENT_TIMESTAMP, 'success',"
            " 'manual', 0, 2, 0, 0, 2)"))
    engine.dispose()
    migrate.downgrade(empty_url, "0008")
    engine = _engine(empty_url)
    assert "imported_updates_count" not in _columns(engine, "marketplace_scans")
    engine.dispose()
    migrate.upgrade(empty_url)
    engine = _engine(empty_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT updated_count, imported_updates_count"
                                " FROM marketplace_scans WHERE id = 'scn_u'")).one()
    assert (row.updated_count, row.imported_updates_count) == (2, 0)
    engine.dispose()


def test_source_rowid_revision_goes_down_and_up_and_searches_inside_a_source(
        empty_url: str) -> None:
    """0010 adds SQLite's (source_id, rowid) index (none on PostgreSQL); a search inside
    the source finds what the cross-source search finds, on both sides of it."""
    def per_source_hits() -> list[str]:
        db = Database(empty_url)
        try:
            with db.session(write=False) as session:
                page = listing.list_entries(session, CursorCodec(b"k"), "src_1",
                                            listing.EntryFilter(search="pdf"))
                found = search.search(session, CursorCodec(b"k"), "pdf",
                                      search.SearchFilter(), limit=10)
            assert [h.entry.path for h in found.page.items] == [e.path for e in page.page.items]
            return [e.path for e in page.page.items]
        finally:
            db.dispose()

    def source_rowid_index(engine: Engine) -> bool:
        indexes = inspect(engine).get_indexes("marketplace_catalog_entries")
        return "ix_catalog_source_rowid" in {i["name"] for i in indexes}

    migrate.upgrade(empty_url, "0007")  # written before any index, so 0008 indexes it too
    engine = _engine(empty_url)
    _seed_one_entry(engine)
    sqlite = engine.dialect.name == "sqlite"
    engine.dispose()
    migrate.upgrade(empty_url)
    assert per_source_hits() == ["skills/pdf"]
    engine = _engine(empty_url)
    assert source_rowid_index(engine) == sqlite
    engine.dispose()
    migrate.downgrade(empty_url, "0009")
    engine = _engine(empty_url)
    assert not source_rowid_index(engine)
    engine.dispose()
    migrate.upgrade(empty_url)
    assert per_source_hits() == ["skills/pdf"]


def test_search_detail_revision_rebuilds_the_index_down_and_up(empty_url: str) -> None:
    """0011 builds SQLite's FTS5 table again with detail=column (PostgreSQL unchanged): the
    rows already indexed are found on both sides of it, in a field and anywhere, and the
    index passes FTS5's integrity check."""
    def hits(q: str) -> list[str]:
        db = Database(empty_url)
        try:
            with db.session(write=False) as session:
                found = search.search(session, CursorCodec(b"k"), q, search.SearchFilter(),
                                      limit=10)
            return [h.entry.path for h in found.page.items]
        finally:
            db.dispose()

    def fts_sql(engine: Engine) -> str:
        with engine.connect() as conn:
            return str(conn.execute(text(
                "SELECT sql FROM sqlite_master WHERE name = 'marketplace_search'")).scalar())

    migrate.upgrade(empty_url, "0010")
    engine = _engine(empty_url)
    _seed_one_entry(engine)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        assert "detail" not in fts_sql(engine)
    engine.dispose()
    migrate.upgrade(empty_url)
    assert hits("pdf") == hits("skills pd") == ["skills/pdf"]
    engine = _engine(empty_url)
    if sqlite:
        assert "detail=column" in fts_sql(engine)
        with engine.begin() as conn:
            conn.execute(text(search_index.SQLITE_CHECK))
    engine.dispose()
    migrate.downgrade(empty_url, "0010")
    engine = _engine(empty_url)
    if sqlite:
        assert "detail" not in fts_sql(engine)
    engine.dispose()
    assert hits("pdf") == ["skills/pdf"]
    migrate.upgrade(empty_url)
    assert hits("pdf") == ["skills/pdf"]

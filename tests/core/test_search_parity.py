"""SQLite and PostgreSQL find the same hits, in the same tiers, for a shared set of queries.

On the SQLite pass the hits are checked against what the queries are meant to find; on the
PostgreSQL pass the same catalog is also built in SQLite and both must agree with each other.
Only the order inside a tier differs (FTS5 rowid order against entry id order): compared as
sets per tier.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from skillmeat.cache import migrate
from skillmeat.cache import search_queries as sq
from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceSource
from skillmeat.core.cursor import CursorCodec
from skillmeat.core.marketplace import listing
from skillmeat.core.marketplace import search as service
from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.merge import apply_scan
from skillmeat.core.marketplace.sources import create_source

CODEC = CursorCodec(b"k")
# (path, name, title, description, keywords)
ROWS = [
    ("skills/pdf-tools", "pdf-tools", "PDF Tools v1.2.3", "Fill PDF forms; merge files", None),
    ("skills/code_review", "code_review", "CodeReview", "Reviews pull-requests", "git, review"),
    ("agents/db-admin.md", "db-admin", "Database admin", "Runs SQL on postgres.example.com",
     "sql databases"),
    ("commands/deploy.md", "deploy", None, "Ships to https://example.com/app?x=1", "release"),
    ("skills/cafe", "cafe", "Café menu", "Crème brûlée recipes", "food"),
    ("skills/x2-convert", "x2-convert", "Convert 2024 reports", "CSV to XLSX 10x faster", None),
    ("skills/reviewer", "reviewer", "Review helper", "Helps code review", None),
]
QUERIES = {
    "pdf": {0: ["skills/pdf-tools"]},
    "pd": {0: ["skills/pdf-tools"]},
    "forms": {2: ["skills/pdf-tools"]},
    "review": {0: ["skills/code_review", "skills/reviewer"]},  # "review" starts "reviewer"
    "review ": {0: ["skills/code_review"], 1: ["skills/reviewer"]},
    "code review": {0: ["skills/code_review"], 2: ["skills/reviewer"]},
    "codereview": {1: ["skills/code_review"]},
    "pull requests": {2: ["skills/code_review"]},
    "example com": {2: ["agents/db-admin.md", "commands/deploy.md"]},
    "v1 2 3": {1: ["skills/pdf-tools"]},
    "v1.2.3": {1: ["skills/pdf-tools"]},
    "1.2.3": {},  # "1" is not a word of "v1.2.3"
    "sql": {2: ["agents/db-admin.md"]},  # also a keyword: the better tier counts
    "databases": {4: ["agents/db-admin.md"]},
    "database": {1: ["agents/db-admin.md"]},
    "café": {1: ["skills/cafe"]},
    "brûlée crème": {2: ["skills/cafe"]},
    "creme": {},  # accents are kept, on both databases
    "agents db": {3: ["agents/db-admin.md"]},
    "release": {4: ["commands/deploy.md"]},
    "deploy ships": {5: ["commands/deploy.md"]},
    "2024": {1: ["skills/x2-convert"]},
    "10x": {2: ["skills/x2-convert"]},
    "x2": {0: ["skills/x2-convert"]},
    "git": {4: ["skills/code_review"]},
    "md": {3: ["agents/db-admin.md", "commands/deploy.md"]},
    "nothing here": {},
    "or and not near": {},
}


def _seed(db: Database) -> None:
    with db.session() as session:
        source = create_source(session, "https://github.com/acme/parity")
        session.flush()
        apply_scan(session, source, "abcd1234", [
            DetectedArtifact(type="command" if p.startswith("commands") else
                             "agent" if p.startswith("agents") else "skill",
                             name=n, path=p, content_hash=f"h{i}", confidence=90, title=t,
                             description=d, keywords=k)
            for i, (p, n, t, d, k) in enumerate(ROWS)])


def _hits(db: Database, q: str) -> dict[int, list[str]]:
    with db.session(write=False) as session:
        result = service.search(session, CODEC, q, service.SearchFilter(), limit=100)
    tiers: dict[int, list[str]] = {}
    for hit in result.page.items:
        tiers.setdefault(hit.tier, []).append(hit.entry.path)
    return {t: sorted(p) for t, p in tiers.items()}


@pytest.fixture
def databases(db: Database, pg_url: str | None, tmp_path: Path) -> Iterator[list[Database]]:
    found = [db]
    if pg_url is not None:  # the PostgreSQL pass: the same catalog in SQLite too
        url = f"sqlite:///{tmp_path / 'parity.db'}"
        migrate.upgrade(url)
        found.append(Database(url))
    for each in found:
        _seed(each)
    yield found
    for each in found[1:]:
        each.dispose()


def test_both_databases_find_the_same_hits_in_the_same_tiers(
        databases: list[Database]) -> None:
    for q, expected in QUERIES.items():
        want = {t: sorted(p) for t, p in expected.items() if p}
        for db in databases:
            assert _hits(db, q) == want, (q, db.engine.dialect.name)


def _hits_paged(db: Database, q: str) -> dict[int, list[str]]:
    """The hits of `q` one page of one hit at a time, following the cursors."""
    tiers: dict[int, list[str]] = {}
    cursor = None
    for _ in range(len(ROWS) + 1):
        with db.session(write=False) as session:
            result = service.search(session, CODEC, q, service.SearchFilter(), limit=1,
                                    cursor=cursor, with_facets=False)
        for hit in result.page.items:
            tiers.setdefault(hit.tier, []).append(hit.entry.path)
        cursor = result.page.next_cursor
        if cursor is None:
            return {t: sorted(p) for t, p in tiers.items()}
    raise AssertionError(f"{q!r}: more pages than hits")


@pytest.mark.parametrize("plan", ["all tiers at once", "walk first", "bitmap first",
                                  "walk only"])
def test_pages_give_the_same_hits_whichever_way_postgresql_reads_them(
        databases: list[Database], plan: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL reads every tier's hits at once when its statistics say they are few (a
    tiny catalog always looks so), else a tier at a time: by a bounded walk in position
    order, then the GIN bitmap, or by the bitmap, or by an unbounded walk. Each way, page by
    page across tiers, gives the same hits (SQLite: unaffected)."""
    if plan != "all tiers at once":
        monkeypatch.setattr(sq, "_pg_all_tiers", lambda _session, _c: None)
        monkeypatch.setattr(sq, "PG_WALK_ROWS", 10**9 if plan == "walk first" else 0)
    if plan == "walk only":
        monkeypatch.setattr(sq, "PG_FEW", 0)
    for q, expected in QUERIES.items():
        want = {t: sorted(p) for t, p in expected.items() if p}
        for db in databases:
            assert _hits_paged(db, q) == want, (q, plan, db.engine.dialect.name)


@pytest.mark.parametrize("few", [0, 1, 2, 100])
def test_search_inside_a_source_finds_every_hit_however_many_match(
        databases: list[Database], few: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite looks a source's matches up by rowid when there are at most FEW of them, and
    walks the listing's index against the set of matches when there are more: both give
    the hits the cross-source search gives (PostgreSQL: unaffected)."""
    monkeypatch.setattr(sq, "FEW", few)
    for q, expected in QUERIES.items():
        want = sorted(p for paths in expected.values() for p in paths)
        for db in databases:
            with db.session(write=False) as session:
                source_id = session.scalars(select(MarketplaceSource.id)).one()
                page = listing.list_entries(session, CODEC, source_id,
                                            listing.EntryFilter(search=q), limit=100)
            assert sorted(e.path for e in page.page.items) == want, (q, few)

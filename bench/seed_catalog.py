"""Seed a benchmark catalog into a database and keep it, for `--seeded` runs.

Seeding 1,000,000 entries takes minutes (about 3 on SQLite, 6 on PostgreSQL on the 2-core
machine); bench_search.py and bench_exclusions.py measure a kept one with `--seeded`. The
data is bench_api.py's (same generator, same merge), so figures compare with fresh runs.

    python bench/seed_catalog.py sqlite:////tmp/catalog.db
    python bench/seed_catalog.py postgresql+psycopg://user@127.0.0.1:5432/db --schema bench
    python bench/bench_search.py --database-url URL --seeded
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_api import _with_schema, seed  # noqa: E402
from skillmeat.cache import migrate  # noqa: E402
from skillmeat.cache.db import Database  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--schema", help="PostgreSQL: a schema to create (it must not exist)")
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--entries-per-source", type=int, default=100_000)
    args = parser.parse_args(argv)
    url = args.database_url
    if make_url(url).get_backend_name() == "postgresql":
        if not args.schema:
            parser.error("PostgreSQL needs --schema (seeded data goes into a schema of its own)")
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{args.schema}"'))
        admin.dispose()
        url = _with_schema(url, args.schema)
    elif Path(make_url(url).database or "").exists():
        parser.error("refusing to seed an existing SQLite file")
    migrate.upgrade(url)
    db = Database(url)
    try:
        seeded = seed(db, args.sources, args.entries_per_source)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
    finally:
        db.dispose()
    print(f"{seeded.total_entries:,} entries in {len(seeded.source_ids)} sources: {url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Exclusions at scale: bulk changes and rules on a large catalog, with listings meanwhile.

Not a test: it prints figures. It seeds sources through the real catalog merge (as
bench_api.py does: 10 x 100,000 entries by default), then times, each as one transaction
through the services the API calls:

- excluding every entry of one source by filter (100,000), while another thread lists the
  catalog's first page over and over (the listing figures are taken during the bulk write);
- restoring them all by filter;
- a rule's dry run, adding it, a scan's pass of the source's rules, deleting the rule;
- exporting every exclusion.

    python bench/bench_exclusions.py                         # full scale, SQLite
    python bench/bench_exclusions.py --entries-per-source 20000 --sources 2
    python bench/bench_exclusions.py --database-url postgresql+psycopg://user@host:5432/db
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_api import (  # noqa: E402
    add_catalog_options,
    catalog,
    catalog_database,
    load_average,
    machine_info,
)
from skillmeat.cache import migrate  # noqa: E402
from skillmeat.cache.db import Database  # noqa: E402
from skillmeat.core.cursor import CursorCodec  # noqa: E402
from skillmeat.core.marketplace import exclusion_io, exclusions, listing, rules  # noqa: E402
from skillmeat.core.marketplace.exclusions import Selection  # noqa: E402
from skillmeat.core.marketplace.listing import EntryFilter  # noqa: E402
from skillmeat.core.marketplace.sources import get_source  # noqa: E402

BULK_TARGET_S = 2.0
LIST_P95_MS = 30.0
EVERYTHING = EntryFilter(include_excluded=True, include_below_threshold=True)


def timed(db: Database, fn: Callable[[Any], Any], *, write: bool = True) -> tuple[float, Any]:
    t0 = time.perf_counter()
    with db.session(write=write) as session:
        result = fn(session)
    return time.perf_counter() - t0, result


def listings_during(db: Database, source_id: str, work: Callable[[], Any],
                    ) -> tuple[Any, list[float]]:
    """Run `work` while another thread lists the source's first page; listing latencies."""
    codec = CursorCodec(b"bench")
    latencies: list[float] = []
    done = threading.Event()

    def lister() -> None:
        while not done.is_set():
            t0 = time.perf_counter()
            with db.session(write=False) as session:
                listing.list_entries(session, codec, source_id, EntryFilter(), limit=50)
            latencies.append((time.perf_counter() - t0) * 1000)

    thread = threading.Thread(target=lister)
    thread.start()
    try:
        result = work()
    finally:
        done.set()
        thread.join()
    return result, latencies


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values or [0])[0]


def run(db: Database, source_id: str, per_source: int) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    (seconds, result), lists = listings_during(db, source_id, lambda: timed(
        db, lambda s: exclusions.bulk_exclude(s, source_id, Selection(filter=EVERYTHING),
                                              "benchmark", actor="bench")))
    verdict = "met" if seconds <= BULK_TARGET_S else "MISSED"
    rows.append((f"bulk exclude by filter ({result.changed:,} entries, one event each)",
                 f"{seconds:.2f} s", f"<= {BULK_TARGET_S:.0f} s: {verdict}"))
    met = "met" if p95(lists) <= LIST_P95_MS else "MISSED"
    rows.append((f"list first page meanwhile ({len(lists)} requests)",
                 f"p50 {statistics.median(lists):.1f} ms, p95 {p95(lists):.1f} ms",
                 f"p95 <= {LIST_P95_MS:.0f} ms: {met}"))
    seconds, result = timed(db, lambda s: exclusions.bulk_restore(
        s, source_id, Selection(filter=EVERYTHING), actor="bench"))
    rows.append((f"bulk restore by filter ({result.changed:,} entries)", f"{seconds:.2f} s",
                 f"<= {BULK_TARGET_S:.0f} s: {'met' if seconds <= BULK_TARGET_S else 'MISSED'}"))
    for verb, change in (("exclude", lambda s: exclusions.bulk_exclude(
            s, source_id, Selection(filter=EVERYTHING), "again", actor="bench")),
            ("restore", lambda s: exclusions.bulk_restore(
                s, source_id, Selection(filter=EVERYTHING), actor="bench"))):
        seconds, result = timed(db, change)
        rows.append((f"bulk {verb} by filter again, no listing meanwhile ({result.changed:,})",
                     f"{seconds:.2f} s", f"<= {BULK_TARGET_S:.0f} s: "
                     f"{'met' if seconds <= BULK_TARGET_S else 'MISSED'}"))

    for pattern in ("skills/platform/**", "**/g000*/**"):
        seconds, dry = timed(db, lambda s, p=pattern: rules.dry_run(s, source_id, p, None),
                             write=False)
        rows.append((f"rule dry run `{pattern}` ({dry.count:,} of {per_source:,} match)",
                     f"{seconds:.2f} s", ""))
        seconds, (rule, n) = timed(db, lambda s, p=pattern: rules.add_rule(
            s, source_id, p, None, "benchmark", actor="bench"))
        rows.append((f"add rule `{pattern}` ({n:,} excluded)", f"{seconds:.2f} s", ""))
        seconds, _ = timed(db, lambda s: rules.apply_on_scan(s, get_source(s, source_id,
                                                                            lock=True)))
        rows.append(("a scan's pass of the rules (nothing new to exclude)", f"{seconds:.2f} s",
                     ""))
        seconds, restored = timed(db, lambda s, r=rule.id: rules.delete_rule(
            s, source_id, r, actor="bench"))
        rows.append((f"delete rule `{pattern}` ({restored:,} restored)", f"{seconds:.2f} s", ""))

    timed(db, lambda s: exclusions.bulk_exclude(
        s, source_id, Selection(filter=EntryFilter(artifact_type="skill")), None, actor="b"))
    seconds, doc = timed(db, exclusion_io.export_document, write=False)
    n = sum(len(src["exclusions"]) for src in doc["sources"])
    rows.append((f"export ({n:,} exclusions)", f"{seconds:.2f} s", ""))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_catalog_options(parser)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, catalog_database(parser, args,
                                                                Path(tmp)) as bench_db:
        migrate.upgrade(bench_db.url)
        db = Database(bench_db.url)
        seeded = catalog(db, args)
        if bench_db.backend == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        rows = run(db, seeded.source_ids[0], args.entries_per_source)
        db.dispose()
    print(f"\n{bench_db.backend} {bench_db.server_version}, {seeded.total_entries:,} entries "
          f"in {len(seeded.source_ids)} sources; {machine_info()}; load {load_average()}\n")
    print("| operation | time | target |\n|---|---:|---|")
    for name, figure, target in rows:
        print(f"| {name} | {figure} | {target} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Run one collection change and SIGKILL this process at a named step of it.

python -m tests.stress.collection_crash_child DB_URL DATA_DIR STEP import SOURCE_ID ENTRY...
python -m tests.stress.collection_crash_child DB_URL DATA_DIR STEP remove NAME
python -m tests.stress.collection_crash_child DB_URL DATA_DIR STEP update NAME ON_LOCAL_EDITS
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from skillmeat.core.collection import service, store, updates
from skillmeat.core.marketplace import collection, importing

STEPS = ("journal", "placed-one", "placed", "records", "committed", "catalog")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def arm(step: str) -> None:
    if step == "journal":  # the journal is on disk, nothing has moved
        real_apply = store.Store.apply

        def apply(self: store.Store, change: Any, place: Any, finish: Any) -> None:
            real_apply(self, change, lambda: die() or place(), finish)  # type: ignore[func-returns-value]
        store.Store.apply = apply  # type: ignore[method-assign]
    elif step == "placed-one":  # one unit folder moved (or removed), records not written
        real_put = collection.Collection.put

        def put(self: Any, staged: Path, relative: str, *, replace: bool) -> None:
            real_put(self, staged, relative, replace=replace)
            die()
        collection.Collection.put = put  # type: ignore[method-assign]
    elif step == "placed":  # every folder moved (or moved aside), records not written
        def no_records(*args: Any) -> None:
            die()
        store.write_records = no_records  # type: ignore[assignment]
    elif step == "records":  # marketplace.json and the lock written, not committed
        real_write = store.write_records

        def write_records(*args: Any) -> None:
            real_write(*args)
            die()
        store.write_records = write_records  # type: ignore[assignment]
    elif step == "committed":  # committed, the catalog not yet told
        real_commit = store.Store.commit

        def commit(self: store.Store, change: Any) -> None:
            real_commit(self, change)
            die()
        store.Store.commit = commit  # type: ignore[method-assign]
    elif step == "catalog":  # the catalog told, the journal not yet removed
        real_finisher = service.catalog_finisher

        def finisher(db: Database) -> Any:
            inner = real_finisher(db)

            def finish(change: Any) -> None:
                inner(change)
                if change.op != "migrate":
                    die()
            return finish
        service.catalog_finisher = finisher  # type: ignore[assignment]
        importing.catalog_finisher = finisher  # type: ignore[assignment]
        updates.catalog_finisher = finisher  # type: ignore[assignment]


def main(argv: list[str]) -> None:
    url, data_dir, step, op, *rest = argv
    settings = Settings(data_dir=Path(data_dir), database_url=url, allow_local_sources=True)
    db = Database(url)
    arm(step)
    if op == "import":
        importing.import_entries(db, settings, rest[0], rest[1:], "overwrite")
    elif op == "update":
        updates.update_unit(db, settings, rest[0], rest[1])
    else:
        service.remove_unit(db, settings, rest[0])


if __name__ == "__main__":
    main(sys.argv[1:])

"""Periodic rescans: every source, one at a time, on SKILLMEAT_RESCAN_INTERVAL minutes.

Each scan takes one of the server's scan slots first (SKILLMEAT_MAX_CONCURRENT_SCANS), the
same slots the API's rescans take: background work waits for a free one, it never adds to them.
"""

from __future__ import annotations

import logging
import threading

from skillmeat.cache import repositories as repo
from skillmeat.cache.db import Database
from skillmeat.config import Settings
from skillmeat.core.capacity import Slots
from skillmeat.core.errors import Conflict, SkillMeatError
from skillmeat.core.marketplace.readers.errors import ReaderError
from skillmeat.core.marketplace.scanning import scan_source
from skillmeat.core.marketplace.vocabulary import ScanTrigger

log = logging.getLogger("skillmeat.scheduler")


def rescan_all(db: Database, settings: Settings, stop: threading.Event | None = None,
               slots: Slots | None = None) -> int:
    """One pass over every source; returns how many scans ran. Failures are recorded per source."""
    stop = stop or threading.Event()
    slots = slots or Slots(1)
    with db.session(write=False) as session:
        source_ids = repo.all_source_ids(session)
    ran = 0
    for source_id in source_ids:
        if not slots.take_unless(stop):
            break
        try:
            scan_source(db, settings, source_id, trigger=ScanTrigger.SCHEDULE)
            ran += 1
        except Conflict:
            log.info("skipping %s: a scan is already running", source_id)
        except (ReaderError, SkillMeatError):
            ran += 1  # recorded on the source and in its scan history
        except Exception:
            log.exception("periodic scan of %s failed", source_id)
        finally:
            slots.give()
    return ran


class RescanScheduler:
    """A daemon thread that runs `rescan_all` every `interval_minutes`."""

    def __init__(self, db: Database, settings: Settings, interval_minutes: int,
                 slots: Slots) -> None:
        self._db, self._settings, self._slots = db, settings, slots
        self._interval = interval_minutes * 60
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rescan", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                rescan_all(self._db, self._settings, self._stop, self._slots)
            except Exception:
                log.exception("periodic rescan pass failed")

"""Scan a source: read its repository, detect artifacts, merge them into the catalog.

A scan runs in three short transactions so the catalog is never locked while a repository
is read: take the lease (one scan per source, across processes), read and detect with no
transaction open, then merge and release in one transaction. A crash between them leaves
the previous catalog as it was; the lease expires on its own.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from skillmeat.cache import repositories as repo
from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceScan, MarketplaceSource, utcnow
from skillmeat.config import Settings
from skillmeat.core.errors import Conflict, InvalidInput, SkillMeatError
from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection import DETECTOR_VERSION, detect
from skillmeat.core.marketplace.merge import apply_scan
from skillmeat.core.marketplace.readers.errors import ReaderError
from skillmeat.core.marketplace.readers.factory import open_reader
from skillmeat.core.marketplace.sources import get_source
from skillmeat.core.marketplace.tree import RepoReader, RepoTree
from skillmeat.core.redaction import redact

log = logging.getLogger("skillmeat.scan")
Progress = Callable[[str], None]
ReaderFactory = Callable[[MarketplaceSource, Settings], RepoReader]
HISTORY_KEPT = 200


@dataclass
class ScanOutcome:
    scan_id: str
    source_id: str
    commit: str | None
    unchanged: bool = False
    new: int = 0
    updated: int = 0
    removed: int = 0
    unchanged_entries: int = 0
    artifacts: int = 0
    complete: bool = True
    duration_ms: int = 0
    problems: list[str] = field(default_factory=list)


def lease_active(source: MarketplaceSource, now: datetime | None = None) -> bool:
    """Whether some scan holds this source (a lease that ran out belongs to a dead scan)."""
    return source.scan_lease_until is not None and source.scan_lease_until > (now or utcnow())


def detect_at(reader: RepoReader, commit: str, root_hint: str | None,
              max_entries: int) -> tuple[RepoTree, list[DetectedArtifact]]:
    """List the tree at `commit` and detect its artifacts, reading only the blobs needed."""
    tree = reader.tree(commit)
    if len(tree.entries) > max_entries:
        raise InvalidInput(
            f"repository has {len(tree.entries):,} files and folders, more than "
            f"SKILLMEAT_MAX_TREE_ENTRIES={max_entries:,}; set root_hint to scan a part of it")
    return tree, detect(tree, lambda paths, limit: reader.read(commit, paths, limit), root_hint)


def _take_lease(session: Session, source_id: str, owner: str, settings: Settings,
                trigger: str) -> tuple[MarketplaceSource, MarketplaceScan]:
    source = get_source(session, source_id, lock=True)
    now = utcnow()
    if lease_active(source, now):
        raise Conflict("scan already in progress for this source")
    # A lease that ran out belonged to a scan that died: say so in its history.
    session.execute(
        update(MarketplaceScan)
        .where(MarketplaceScan.source_id == source_id, MarketplaceScan.outcome == "running")
        .values(outcome="abandoned", finished_at=now,
                error="the scan stopped without finishing (process ended)")
    )
    source.scan_lease_until = now + timedelta(seconds=settings.scan_lease_seconds)
    source.scan_lease_owner = owner
    source.scan_status = "scanning"
    scan = MarketplaceScan(source_id=source_id, started_at=now, outcome="running",
                           trigger=trigger)
    repo.add_scan(session, scan)
    return source, scan


def _holds_lease(source: MarketplaceSource, owner: str) -> bool:
    return source.scan_lease_owner == owner and lease_active(source)


def _finish(session: Session, source: MarketplaceSource, owner: str, scan_id: str,
            outcome: ScanOutcome, *, error: str | None = None) -> None:
    if source.scan_lease_owner == owner:
        source.scan_lease_until = None
        source.scan_lease_owner = None
    scan = session.get(MarketplaceScan, scan_id)
    if scan is not None:
        scan.finished_at = utcnow()
        scan.commit_sha = outcome.commit
        scan.outcome = "error" if error else ("unchanged" if outcome.unchanged else "success")
        scan.error = error
        scan.new_count, scan.updated_count = outcome.new, outcome.updated
        scan.removed_count, scan.unchanged_count = outcome.removed, outcome.unchanged_entries
        scan.duration_ms = outcome.duration_ms
    repo.prune_scans(session, source.id, HISTORY_KEPT)


def scan_source(db: Database, settings: Settings, source_id: str, *, trigger: str = "manual",
                progress: Progress | None = None,
                reader_factory: ReaderFactory = open_reader) -> ScanOutcome:
    """Scan one source now. Conflict when another scan of it holds the lease."""
    report = progress or (lambda _stage: None)
    owner = uuid.uuid4().hex
    clock = time.monotonic()
    with db.session() as session:
        # The source as the lease found it; sessions don't expire objects on commit, so its
        # fields stay readable while the repository is read with no transaction open.
        source, scan = _take_lease(session, source_id, owner, settings, trigger)
    outcome = ScanOutcome(scan_id=scan.id, source_id=source_id, commit=None)
    try:
        artifacts, tree_complete = None, True
        report("resolving")
        reader = reader_factory(source, settings)
        try:
            outcome.commit = reader.resolve()
            if (outcome.commit, DETECTOR_VERSION) == (source.last_scanned_sha,
                                                      source.detector_version):
                outcome.unchanged = True
            else:
                report("listing and detecting")
                tree, artifacts = detect_at(reader, outcome.commit, source.root_hint,
                                            settings.max_tree_entries)
                tree_complete, outcome.problems = tree.complete, list(tree.problems)
                del tree  # the merge needs only the artifacts: free the listing first
        finally:
            reader.close()
    except (ReaderError, SkillMeatError) as exc:
        # Git and the filesystem name the server's own folders; a person needs the rest.
        _record_failure(db, source_id, owner, outcome, clock, redact(str(exc), settings))
        raise
    except Exception as exc:
        _record_failure(db, source_id, owner, outcome, clock,
                        f"scan failed unexpectedly ({type(exc).__name__})")
        raise

    report("merging")
    with db.session() as session:
        source = get_source(session, source_id, lock=True)
        if not _holds_lease(source, owner):
            raise Conflict("the scan lease expired before the scan finished; scan again")
        if artifacts is not None:
            outcome.artifacts = len(artifacts)
            result = apply_scan(session, source, outcome.commit or "", artifacts,
                                complete=tree_complete)
            outcome.new, outcome.updated = result.new, result.updated
            outcome.removed, outcome.unchanged_entries = result.removed, result.unchanged
            # An incomplete read is retried in full next time rather than trusted as current.
            source.detector_version = DETECTOR_VERSION if tree_complete else None
            if not tree_complete:
                source.last_error = "partial scan: " + "; ".join(outcome.problems)[:900]
        else:
            source.scan_status = "success"
            source.last_sync_at = utcnow()
        outcome.complete = tree_complete
        outcome.duration_ms = int((time.monotonic() - clock) * 1000)
        _finish(session, source, owner, scan.id, outcome)
    log.info("scanned %s at %s: %d new, %d updated, %d removed%s", source_id,
             (outcome.commit or "")[:12], outcome.new, outcome.updated, outcome.removed,
             " (unchanged)" if outcome.unchanged else "")
    return outcome


def _record_failure(db: Database, source_id: str, owner: str, outcome: ScanOutcome,
                    clock: float, message: str) -> None:
    """Keep the catalog as it was; put the error where a person will see it."""
    log.warning("scan of %s failed: %s", source_id, message)
    outcome.duration_ms = int((time.monotonic() - clock) * 1000)
    with db.session() as session:
        source = repo.get_source(session, source_id, lock=True)
        if source is None:
            return
        source.scan_status = "error"
        source.last_error = message
        _finish(session, source, owner, outcome.scan_id, outcome, error=message)

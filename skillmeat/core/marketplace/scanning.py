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

from sqlalchemy.orm import Session

from skillmeat.cache import repositories as repo
from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceScan, MarketplaceSource, utcnow
from skillmeat.config import Settings
from skillmeat.core.errors import Conflict, InvalidInput, SkillMeatError
from skillmeat.core.marketplace import rules
from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection import DETECTOR_VERSION, detect
from skillmeat.core.marketplace.merge import apply_scan
from skillmeat.core.marketplace.readers.errors import ReaderError
from skillmeat.core.marketplace.readers.factory import open_reader
from skillmeat.core.marketplace.sources import get_source
from skillmeat.core.marketplace.tree import RepoReader, RepoTree
from skillmeat.core.marketplace.vocabulary import ScanOutcome, ScanStatus, ScanTrigger
from skillmeat.core.redaction import redact

log = logging.getLogger("skillmeat.scan")
Progress = Callable[[str], None]
ReaderFactory = Callable[[MarketplaceSource, Settings], RepoReader]
HISTORY_KEPT = 200
MAX_PROBLEMS = 50


@dataclass
class ScanReport:
    """What one scan did. The counts are entries; `already_scanned` means nothing was read."""

    scan_id: str
    source_id: str
    commit: str | None
    already_scanned: bool = False  # the commit and detector version were scanned before
    new: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    imported_updates: int = 0  # imported entries with upstream changes
    artifacts: int = 0
    complete: bool = True
    duration_ms: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class _Findings:
    """What the read-and-detect step hands to the merge: None artifacts when skipped."""

    artifacts: list[DetectedArtifact] | None = None
    complete: bool = True
    ignore_patterns: list[str] = field(default_factory=list)  # the repository's own rules


def lease_active(source: MarketplaceSource, now: datetime | None = None) -> bool:
    """Whether some scan holds this source (a lease that ran out belongs to a dead scan)."""
    return source.scan_lease_until is not None and source.scan_lease_until > (now or utcnow())


def detect_at(reader: RepoReader, commit: str, root_hint: str | None, max_entries: int,
              problems: list[str] | None = None) -> tuple[RepoTree, list[DetectedArtifact]]:
    """List the tree at `commit` and detect its artifacts, reading only the blobs needed.

    Files detection skipped (too large, too deep, not JSON) are named in `problems`."""
    tree = reader.tree(commit)
    if len(tree.entries) > max_entries:
        raise InvalidInput(
            f"repository has {len(tree.entries):,} files and folders, more than "
            f"SKILLMEAT_MAX_TREE_ENTRIES={max_entries:,}; set root_hint to scan a part of it")
    return tree, detect(tree, lambda paths, limit: reader.read(commit, paths, limit), root_hint,
                        problems)


def _take_lease(session: Session, source_id: str, owner: str, settings: Settings,
                trigger: str) -> tuple[MarketplaceSource, MarketplaceScan]:
    source = get_source(session, source_id, lock=True)
    now = utcnow()
    if lease_active(source, now):
        raise Conflict("scan already in progress for this source")
    # A lease that ran out belonged to a scan that died: say so in its history.
    repo.close_scans(session, source_id, running=ScanOutcome.RUNNING,
                     outcome=ScanOutcome.ABANDONED, now=now,
                     error="the scan stopped without finishing (process ended)")
    source.scan_lease_until = now + timedelta(seconds=settings.scan_lease_seconds)
    source.scan_lease_owner = owner
    source.scan_status = ScanStatus.SCANNING
    scan = MarketplaceScan(source_id=source_id, started_at=now, outcome=ScanOutcome.RUNNING,
                           trigger=trigger)
    repo.add_scan(session, scan)
    return source, scan


def _holds_lease(source: MarketplaceSource, owner: str) -> bool:
    return source.scan_lease_owner == owner and lease_active(source)


def _finish(session: Session, source: MarketplaceSource, owner: str, report: ScanReport, *,
            error: str | None = None) -> None:
    if source.scan_lease_owner == owner:
        source.scan_lease_until = None
        source.scan_lease_owner = None
    scan = repo.get_scan(session, report.scan_id)
    if scan is not None:
        scan.finished_at = utcnow()
        scan.commit_sha = report.commit
        scan.outcome = ScanOutcome.ERROR if error else (
            ScanOutcome.UNCHANGED if report.already_scanned else ScanOutcome.SUCCESS)
        scan.error = error
        scan.new_count, scan.updated_count = report.new, report.updated
        scan.removed_count, scan.unchanged_count = report.removed, report.unchanged
        scan.imported_updates_count = report.imported_updates
        scan.duration_ms = report.duration_ms
    repo.prune_scans(session, source.id, HISTORY_KEPT)


def scan_source(db: Database, settings: Settings, source_id: str, *,
                trigger: str = ScanTrigger.MANUAL, progress: Progress | None = None,
                reader_factory: ReaderFactory = open_reader) -> ScanReport:
    """Scan one source now. Conflict when another scan of it holds the lease."""
    report_stage = progress or (lambda _stage: None)
    owner = uuid.uuid4().hex
    clock = time.monotonic()
    with db.session() as session:
        # The source as the lease found it; sessions don't expire objects on commit, so its
        # fields stay readable while the repository is read with no transaction open.
        source, scan = _take_lease(session, source_id, owner, settings, trigger)
    report = ScanReport(scan_id=scan.id, source_id=source_id, commit=None)
    try:
        findings = _read_and_detect(source, settings, report, report_stage, reader_factory)
    except (ReaderError, SkillMeatError) as exc:
        # Git and the filesystem name the server's own folders; a person needs the rest.
        _record_failure(db, source_id, owner, report, clock, redact(str(exc), settings))
        raise
    except Exception as exc:
        _record_failure(db, source_id, owner, report, clock,
                        f"scan failed unexpectedly ({type(exc).__name__})")
        raise
    report_stage("merging")
    with db.session() as session:
        source = _merge(session, source_id, owner, report, findings)
        report.duration_ms = int((time.monotonic() - clock) * 1000)
        _finish(session, source, owner, report)
    log.info("scanned %s at %s: %d new, %d updated, %d removed%s", source_id,
             (report.commit or "")[:12], report.new, report.updated, report.removed,
             " (unchanged)" if report.already_scanned else "")
    return report


def _read_and_detect(source: MarketplaceSource, settings: Settings, report: ScanReport,
                     report_stage: Progress, reader_factory: ReaderFactory) -> _Findings:
    """Resolve the ref; unless that commit was scanned by this detector, list and detect."""
    report_stage("resolving")
    reader = reader_factory(source, settings)
    try:
        report.commit = reader.resolve()
        if (report.commit, DETECTOR_VERSION) == (source.last_scanned_sha,
                                                 source.detector_version):
            report.already_scanned = True
            return _Findings()
        report_stage("listing and detecting")
        skipped: list[str] = []
        tree, artifacts = detect_at(reader, report.commit, source.root_hint,
                                    settings.max_tree_entries, skipped)
        report.problems = _capped([*tree.problems, *skipped])
        patterns = _ignore_patterns(reader, report.commit, tree, source)
        return _Findings(artifacts, tree.complete, patterns)  # the tree is freed before merging
    finally:
        reader.close()


def _ignore_patterns(reader: RepoReader, commit: str, tree: RepoTree,
                     source: MarketplaceSource) -> list[str]:
    """The rules of the `.skillmeat-ignore` at the scanned root (a regular file, size capped;
    a symlink or folder of that name declares nothing)."""
    path = rules.ignore_file_path(source)
    entry = tree.get(path)
    if entry is None or entry.type != "blob" or entry.is_symlink:
        return []
    raw = reader.read(commit, [path], rules.MAX_IGNORE_BYTES).get(path, b"")
    return rules.ignore_file_patterns(raw)


def _capped(problems: list[str]) -> list[str]:
    """The first problems, then how many more: a hostile tree could have millions."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS:,} more"]


def _merge(session: Session, source_id: str, owner: str, report: ScanReport,
           findings: _Findings) -> MarketplaceSource:
    """Merge the findings into the catalog, if the lease is still ours."""
    source = get_source(session, source_id, lock=True)
    if not _holds_lease(source, owner):
        raise Conflict("the scan lease expired before the scan finished; scan again")
    report.complete = findings.complete
    if findings.artifacts is None:
        source.scan_status = ScanStatus.SUCCESS
        source.last_sync_at = utcnow()
        return source
    report.artifacts = len(findings.artifacts)
    if findings.complete:  # a partial read may have missed the file: keep the rules then
        rules.sync_repo_rules(session, source, findings.ignore_patterns)
    result = apply_scan(session, source, report.commit or "", findings.artifacts,
                        complete=findings.complete)
    report.new, report.updated = result.new, result.updated
    report.removed, report.unchanged = result.removed, result.unchanged
    report.imported_updates = result.imported_updates
    # An incomplete read is retried in full next time rather than trusted as current.
    source.detector_version = DETECTOR_VERSION if findings.complete else None
    if not findings.complete:
        source.last_error = "partial scan: " + "; ".join(report.problems)[:900]
    return source


def _record_failure(db: Database, source_id: str, owner: str, report: ScanReport,
                    clock: float, message: str) -> None:
    """Keep the catalog as it was; put the error where a person will see it."""
    log.warning("scan of %s failed: %s", source_id, message)
    report.duration_ms = int((time.monotonic() - clock) * 1000)
    with db.session() as session:
        source = repo.get_source(session, source_id, lock=True)
        if source is None:
            return
        source.scan_status = ScanStatus.ERROR
        source.last_error = message
        _finish(session, source, owner, report, error=message)

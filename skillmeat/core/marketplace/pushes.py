"""Scan results pushed from outside (a repository's own CI, `skillmeat catalog apply`)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy.orm import Session

from skillmeat.cache import repositories as repo
from skillmeat.cache.models import MarketplaceScan, utcnow
from skillmeat.core.errors import Conflict
from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.merge import MergeResult, apply_scan
from skillmeat.core.marketplace.scanning import lease_active
from skillmeat.core.marketplace.sources import get_source
from skillmeat.core.marketplace.vocabulary import ScanOutcome, ScanTrigger


def apply_scan_document(session: Session, source_id: str, commit: str,
                        artifacts: Sequence[DetectedArtifact]) -> MergeResult:
    """Apply a pushed scan as one scan: one transaction, recorded in the scan history."""
    started, clock = utcnow(), time.monotonic()
    source = get_source(session, source_id, lock=True)
    if lease_active(source, started):
        raise Conflict("scan already in progress for this source; try again when it ends")
    result = apply_scan(session, source, commit, artifacts)
    repo.add_scan(session, MarketplaceScan(
        source_id=source.id, started_at=started, finished_at=utcnow(), commit_sha=commit,
        outcome=ScanOutcome.SUCCESS, trigger=ScanTrigger.PUSH, new_count=result.new,
        updated_count=result.updated, removed_count=result.removed,
        unchanged_count=result.unchanged, imported_updates_count=result.imported_updates,
        duration_ms=int((time.monotonic() - clock) * 1000),
    ))
    return result

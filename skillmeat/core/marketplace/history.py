"""Scan history of a source."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from skillmeat.cache import repositories as repo
from skillmeat.cache.models import MarketplaceScan
from skillmeat.core.marketplace.sources import get_source

HISTORY_SHOWN = 50


def recent_scans(session: Session, source_id: str,
                 limit: int = HISTORY_SHOWN) -> Sequence[MarketplaceScan]:
    get_source(session, source_id)
    return repo.recent_scans(session, source_id, limit)

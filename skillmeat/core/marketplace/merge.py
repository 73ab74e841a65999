"""Catalog merge: apply one scan's findings to a source's catalog in one transaction.

Scanning calls it, and so do pipelines that push a scan-result document. It inserts new
entries, updates changed ones, marks undetected ones removed (they stay), and never touches
an exclusion made by hand: excluded_at is a person's decision, not a scan's. The source's
exclusion rules are applied after the merge, so new entries matching one arrive excluded.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from skillmeat.cache import repositories as repo
from skillmeat.cache.models import MarketplaceSource, new_id, utcnow
from skillmeat.core.errors import InvalidInput
from skillmeat.core.marketplace import counts
from skillmeat.core.marketplace.artifacts import (
    DetectedArtifact,
    breakdown_problem,
    plugin_meta_problem,
)
from skillmeat.core.marketplace.catalog import set_counts
from skillmeat.core.marketplace.plugins import PluginLinks, plugin_root
from skillmeat.core.marketplace.rules import apply_on_scan
from skillmeat.core.marketplace.status import derive_status
from skillmeat.core.marketplace.tree import COMMIT_PREFIX
from skillmeat.core.marketplace.vocabulary import (
    CONFIDENCE_THRESHOLD,
    ArtifactType,
    CatalogStatus,
    ScanStatus,
)

ARTIFACT_TYPES = frozenset(ArtifactType)
JSON_COLUMNS = repo.MERGE_JSON_COLUMNS
CONFIDENCE_AT = repo.MERGE_SCAN_START + repo.MERGE_SCAN_FIELDS.index("confidence_score")
JSON_POSITIONS = tuple(i for i, k in enumerate(repo.MERGE_SCAN_FIELDS) if k in JSON_COLUMNS)
SNAPSHOT_PAGE = 2000  # existing entries compared per query


@dataclass
class MergeResult:
    commit: str
    new: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    imported_updates: int = 0  # imported entries whose upstream content changed


def _trim(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def _validate(artifacts: Sequence[DetectedArtifact]) -> None:
    seen: set[tuple[str, str]] = set()
    for i, art in enumerate(artifacts):
        where = f"artifacts[{i}]"
        if art.type not in ARTIFACT_TYPES:
            raise InvalidInput(f"{where}.type must be one of {', '.join(ArtifactType)}")
        if not art.path or art.path.startswith("/") or ".." in art.path.split("/"):
            raise InvalidInput(f"{where}.path must be a relative path inside the repository")
        if not art.name or not art.name.strip():
            raise InvalidInput(f"{where}.name must not be empty")
        if not 0 <= art.confidence <= 100:
            raise InvalidInput(f"{where}.confidence must be between 0 and 100")
        problem = breakdown_problem(art.score_breakdown or {})
        if problem:
            raise InvalidInput(f"{where}.score_breakdown {problem}")
        for name in ("name", "path", "content_hash", "title", "description", "version",
                     "keywords"):
            if "\x00" in (getattr(art, name) or ""):
                raise InvalidInput(f"{where}.{name} must not contain NUL characters")
        if (art.type, art.path) in seen:
            raise InvalidInput(f"{where} repeats {art.type} {art.path!r}")
        seen.add((art.type, art.path))
        problem = plugin_meta_problem(art.plugin_meta) if art.plugin_meta is not None else None
        if problem:
            raise InvalidInput(f"{where}.plugin_meta {problem}")
    for i, art in enumerate(artifacts):
        plugin = (ArtifactType.PLUGIN, art.plugin_path)
        if art.plugin_path is not None and (art.type == ArtifactType.PLUGIN or plugin not in seen):
            raise InvalidInput(f"artifacts[{i}].plugin_path must be the path of a plugin "
                               "artifact of the same scan")


def upstream_prefixes(source: MarketplaceSource) -> tuple[str, str] | None:
    """Link prefixes for directories and files; by ref, not commit, so links don't churn."""
    if not source.repo_url.startswith("https://github.com/"):
        return None
    return f"{source.repo_url}/tree/{source.ref}/", f"{source.repo_url}/blob/{source.ref}/"


def upstream_url(prefixes: tuple[str, str] | None, art: DetectedArtifact) -> str | None:
    if art.type == ArtifactType.PLUGIN:
        meta = art.plugin_meta or {}
        if meta.get("remote"):  # another repository: the one to add as a source (https only)
            url = meta.get("upstream_url")
            return url if isinstance(url, str) and url.startswith("https://") else None
        return None if prefixes is None else prefixes[0] + plugin_root(art.path)
    if prefixes is None:
        return None
    return (prefixes[0] if art.type == ArtifactType.SKILL else prefixes[1]) + art.path


def _scan_values(prefixes: tuple[str, str] | None, art: DetectedArtifact,
                 links: PluginLinks) -> dict[str, Any]:
    plugin_id, plugin_name = links.of(art)
    return {
        "plugin_id": plugin_id,
        "plugin_name": plugin_name,
        "plugin_meta": links.meta(art),
        "detected_sha": art.content_hash,
        "confidence_score": int(art.confidence),
        "score_breakdown": art.score_breakdown or {},
        "title": _trim(art.title, 500),
        "description": art.description,
        "detected_version": _trim(art.version, 100),
        "keywords": _trim(art.keywords, 2000),
        "upstream_url": upstream_url(prefixes, art),
        "risk_summary": art.risk_summary,
        "risk": art.risk,
    }


def apply_scan(session: Session, source: MarketplaceSource, commit: str,
               artifacts: Sequence[DetectedArtifact], *, complete: bool = True) -> MergeResult:
    """Merge one scan into the catalog. `complete=False` (a partial tree) never removes."""
    if not COMMIT_PREFIX.match(commit or ""):
        raise InvalidInput("commit must be a hexadecimal commit sha")
    _validate(artifacts)
    now = utcnow()
    result = MergeResult(commit=commit)
    writes = _Writes(session)
    prefixes = upstream_prefixes(source)
    detected = {(art.type, art.path): art for art in artifacts}  # unique: validated above
    links = PluginLinks(repo.plugin_ids(session, source.id), artifacts)

    # Every entry's (type, status, band) after the merge: the source's count matrix, counted
    # here rather than by a GROUP BY over the source afterwards (the merge holds the
    # source's lock, and every row of the source passes through this loop).
    tally: Counter[tuple[str, str, int]] = Counter()
    for page in repo.merge_snapshot(session, source.id, SNAPSHOT_PAGE):
        for row in page:
            art = detected.pop((row.artifact_type, row.path), None)
            confidence = row[CONFIDENCE_AT]
            status = row.status
            if art is not None:
                values = _scan_values(prefixes, art, links)
                confidence = values["confidence_score"]
                status = _compare(row, art, values, now, result, writes.updates)
            elif complete and row.removed_at is None:
                facts = {**row._asdict(), "removed_at": now}
                status = _status(facts)
                writes.updates.append({"id": row.id, "removed_at": now,
                                       "status": status, "updated_at": now})
                result.removed += 1
            tally[row.artifact_type, status, int(confidence >= CONFIDENCE_THRESHOLD)] += 1
            writes.flush_full()
    for art in detected.values():
        values = _scan_values(prefixes, art, links)
        writes.inserts.append(_new_row(source.id, art, values, now, links.new_id(art)))
        tally[art.type, CatalogStatus.NEW,
              int(values["confidence_score"] >= CONFIDENCE_THRESHOLD)] += 1
        result.new += 1
        writes.flush_full()
    writes.flush()
    set_counts(source, counts.from_rows((t, s, b, n) for (t, s, b), n in tally.items()))
    # The source's rules (a person's, and the repository's own) hold through every scan;
    # they move the counts of what they exclude.
    apply_on_scan(session, source)
    source.last_scanned_sha = commit
    source.last_sync_at = now
    source.scan_status = ScanStatus.SUCCESS
    source.last_error = None
    session.flush()
    return result


def _same_json(stored: str | None, value: Any) -> bool:
    """Whether a JSON column's stored text holds `value` (text equal to the serialized value
    is the common case and skips decoding; SQL NULL and JSON null are both None)."""
    if stored is None or value is None:
        return (stored is None or stored == "null") and value is None
    return stored == json.dumps(value) or json.loads(stored) == value


def _compare(row: Any, art: DetectedArtifact, values: dict[str, Any], now: Any,
             result: MergeResult, updates: list[dict[str, Any]]) -> str:
    """Update one existing entry from its detection; counts it as updated or unchanged.
    Its status after the merge."""
    stored = tuple(row[repo.MERGE_SCAN_START:])
    new = [values[k] for k in repo.MERGE_SCAN_FIELDS]
    for i in JSON_POSITIONS:  # as stored; most are None, "null" spares a dumps
        new[i] = "null" if new[i] is None else json.dumps(new[i])
    if stored == tuple(new):
        change: dict[str, Any] = {}  # the common case: one comparison of two tuples
    else:
        change = {}
        for k, old in zip(repo.MERGE_SCAN_FIELDS, stored, strict=True):
            v = values[k]
            if not _same_json(old, v) if k in JSON_COLUMNS else old != v:
                change[k] = v
    if not row.renamed and row.name != art.name.strip()[:255]:
        change["name"] = art.name.strip()[:255]
    if row.removed_at is not None:
        change["removed_at"] = None
    if "detected_sha" in change or "removed_at" in change:
        change["detected_at"] = now
        result.updated += 1
        if "detected_sha" in change and row.import_date is not None:
            result.imported_updates += 1
    else:
        result.unchanged += 1
    if not change:
        return str(row.status)
    facts = {**row._asdict(), **change}
    change["status"] = status = _status(facts)
    updates.append({"id": row.id, "updated_at": now, **change})
    return status


class _Writes:
    """Row writes of one merge, sent a batch at a time inside its transaction, so a scan
    of 100,000s of artifacts never holds every row's parameters at once."""

    BATCH = 2000

    def __init__(self, session: Session) -> None:
        self.session = session
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []

    def flush_full(self) -> None:
        if len(self.inserts) >= self.BATCH or len(self.updates) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        repo.insert_entries(self.session, self.inserts)
        repo.update_entries(self.session, self.updates)
        self.inserts.clear()
        self.updates.clear()


def _status(facts: dict[str, Any]) -> str:
    return derive_status(
        excluded_at=facts["excluded_at"], removed_at=facts["removed_at"],
        imported_sha=facts["imported_sha"], import_date=facts["import_date"],
        detected_sha=facts["detected_sha"],
    )


def _new_row(source_id: str, art: DetectedArtifact, values: dict[str, Any],
             now: Any, entry_id: str | None) -> dict[str, Any]:
    return {
        "id": entry_id or new_id("cat"),
        "source_id": source_id,
        "artifact_type": art.type,
        "name": art.name.strip()[:255],
        "renamed": False,
        "path": art.path,
        "status": CatalogStatus.NEW,
        "detected_at": now,
        "removed_at": None,
        "import_date": None,
        "import_id": None,
        "imported_sha": None,
        "excluded_at": None,
        "excluded_reason": None,
        "created_at": now,
        "updated_at": now,
        **values,
    }


def artifacts_from_document(items: Iterable[dict[str, Any]]) -> list[DetectedArtifact]:
    """Artifacts of a validated scan-result document, as the merge takes them."""
    return [
        DetectedArtifact(
            type=item["type"], name=item["name"], path=item["path"],
            content_hash=item["content_hash"], confidence=item["confidence"],
            score_breakdown=item.get("score_breakdown") or {}, title=item.get("title"),
            description=item.get("description"), version=item.get("version"),
            keywords=item.get("keywords"),
            plugin_path=item.get("plugin_path"), plugin_meta=item.get("plugin_meta"),
        )
        for item in items
    ]

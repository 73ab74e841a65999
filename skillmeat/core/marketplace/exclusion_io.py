"""Exclusions carried between instances: one JSON document keyed by repository URL, artifact
type and path (never database ids).

Format version 1:
    {"format": "skillmeat-exclusions", "version": 1, "exported_at": "<ISO time>",
     "sources": [{"repo_url": "...",
                  "rules": [{"pattern", "artifact_type", "reason", "created_at"}],
                  "exclusions": [{"artifact_type", "path", "reason", "excluded_at"}]}]}
`rules` holds a person's rules (a repository's own come back with its next scan);
`exclusions` those made by hand (a rule's follow from the rule). Importing is idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from skillmeat.cache import exclusions as q
from skillmeat.cache import repositories as repo
from skillmeat.cache.models import utcnow
from skillmeat.core.marketplace import rules
from skillmeat.core.marketplace.exclusions import exclude_where, reason_text
from skillmeat.core.marketplace.sources import get_source
from skillmeat.core.marketplace.vocabulary import ExclusionAction

FORMAT = "skillmeat-exclusions"
VERSION = 1
KEYS_PER_QUERY = 500
UNMATCHED_SHOWN = 100


@dataclass(frozen=True)
class RuleItem:
    pattern: str
    artifact_type: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ExclusionItem:
    artifact_type: str
    path: str
    reason: str | None = None


@dataclass(frozen=True)
class SourceItems:
    repo_url: str
    rules: Sequence[RuleItem] = ()
    exclusions: Sequence[ExclusionItem] = ()


@dataclass
class ImportReport:
    sources_matched: int = 0
    sources_unmatched: list[str] = field(default_factory=list)
    rules_added: int = 0
    rules_existing: int = 0
    excluded: int = 0
    already_excluded: int = 0
    unmatched_count: int = 0
    unmatched: list[dict[str, str]] = field(default_factory=list)  # the first ones

    def missed(self, repo_url: str, artifact_type: str, path: str) -> None:
        self.unmatched_count += 1
        if len(self.unmatched) < UNMATCHED_SHOWN:
            self.unmatched.append({"repo_url": repo_url, "artifact_type": artifact_type,
                                   "path": path})


def export_document(session: Session) -> dict[str, Any]:
    """Every source's rules and hand-made exclusions (sources without any left out)."""
    sources = []
    for source_id in repo.all_source_ids(session):
        source = get_source(session, source_id)
        user_rules = [
            {"pattern": r.pattern, "artifact_type": r.artifact_type, "reason": r.reason,
             "created_at": r.created_at.isoformat()}
            for r in q.rules_of(session, source_id) if r.origin == rules.Origin.USER]
        excluded = [
            {"artifact_type": row.artifact_type, "path": row.path,
             "reason": row.excluded_reason, "excluded_at": row.excluded_at.isoformat()}
            for page in q.hand_exclusions(session, source_id) for row in page]
        if user_rules or excluded:
            sources.append({"repo_url": source.repo_url, "rules": user_rules,
                            "exclusions": excluded})
    return {"format": FORMAT, "version": VERSION, "exported_at": utcnow().isoformat(),
            "sources": sources}


def import_document(session: Session, items: Sequence[SourceItems], *,
                    actor: str) -> ImportReport:
    """Apply a document's rules and exclusions to the sources with the same repository URL."""
    report = ImportReport()
    for item in items:
        source_id = repo.source_id_by_url(session, item.repo_url)
        if source_id is None:
            report.sources_unmatched.append(item.repo_url)
            for ex in item.exclusions:
                report.missed(item.repo_url, ex.artifact_type, ex.path)
            continue
        report.sources_matched += 1
        _import_rules(session, source_id, item.rules, report, actor)
        _import_exclusions(session, source_id, item, report, actor)
    return report


def _import_rules(session: Session, source_id: str, items: Sequence[RuleItem],
                  report: ImportReport, actor: str) -> None:
    have = {(r.pattern, r.artifact_type) for r in q.rules_of(session, source_id)
            if r.origin == rules.Origin.USER}
    for item in items:
        if (item.pattern.strip(), item.artifact_type) in have:
            report.rules_existing += 1
            continue
        rules.add_rule(session, source_id, item.pattern, item.artifact_type, item.reason,
                       actor=actor)
        have.add((item.pattern.strip(), item.artifact_type))
        report.rules_added += 1


def _import_exclusions(session: Session, source_id: str, item: SourceItems,
                       report: ImportReport, actor: str) -> None:
    source = get_source(session, source_id, lock=True)
    by_reason: dict[str | None, list[tuple[str, str]]] = defaultdict(list)
    for ex in item.exclusions:
        by_reason[reason_text(ex.reason)].append((ex.artifact_type, ex.path))
    changed = 0
    for reason, keys in by_reason.items():
        facts = q.EventFacts(at=utcnow(), actor=actor, action=ExclusionAction.IMPORT,
                             reason=reason)
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = list(dict.fromkeys(keys[start:start + KEYS_PER_QUERY]))
            conds = q.by_keys(source_id, chunk)
            found = q.keys_found(session, conds)
            for artifact_type, path in chunk:
                if (artifact_type, path) not in found:
                    report.missed(item.repo_url, artifact_type, path)
            done = exclude_where(session, source, conds, facts)
            changed += done
            report.already_excluded += len(found) - done
    report.excluded += changed

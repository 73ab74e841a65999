"""Exclusion rules: gitignore-style patterns on entry paths that hold through every rescan.

Matching uses the `pathspec` library (gitignore semantics), evaluated in Python over a
source's candidate entries a page at a time (never a whole catalog in memory); a pattern with
a literal leading folder (`docs/**`) first narrows the candidates in SQL by that prefix.
Changes are set-based: each page's matching ids are excluded with one INSERT ... SELECT of
events and one UPDATE.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pathspec
from sqlalchemy.orm import Session

from skillmeat.cache import exclusions as q
from skillmeat.cache.models import ExclusionRule, MarketplaceSource, utcnow
from skillmeat.core import errors
from skillmeat.core.marketplace.catalog import clean_text
from skillmeat.core.marketplace.exclusions import exclude_where, reason_text, restore_where
from skillmeat.core.marketplace.sources import ID_PATTERN, get_source
from skillmeat.core.marketplace.vocabulary import Actor, ArtifactType, ExclusionAction, one_of

MAX_RULES = 200  # rules per source (user and repository rules together)
MAX_PATTERN = 1000
PAGE = 5000  # candidate entries matched per query
DRY_RUN_SHOWN = 50
IGNORE_FILE = ".skillmeat-ignore"
MAX_IGNORE_BYTES = 64 * 1024


class TooCostly(errors.InvalidInput):
    """Matching ran past its time budget (a pattern with many wildcards on long paths)."""


class Origin:
    USER = "user"
    REPO = "repo"


MAX_WILDCARDS = 3
MATCH_SECONDS = 20.0  # matching one request's or one scan's rules, at most
CLOCK_EVERY = 64  # entries matched between looks at the clock
_STAR_RUN = re.compile(r"\*+")
log = logging.getLogger("skillmeat.rules")

_LITERAL_DIRS = re.compile(r"^((?:[A-Za-z0-9._-]+/)+)")


@dataclass(frozen=True)
class Matcher:
    """One rule's test of an entry: its pattern, its type, and (repository rules) the folder
    the pattern is relative to."""

    regex: re.Pattern[str]  # pathspec's translation of the one gitignore pattern
    artifact_type: str | None
    root: str = ""  # "" or "folder/"
    prefix: str | None = None  # a literal folder every match starts with

    @classmethod
    def of(cls, pattern: str, artifact_type: str | None, root: str = "") -> Matcher:
        compiled = pathspec.GitIgnoreSpec.from_lines([pattern]).patterns[0]
        regex = getattr(compiled, "regex", None)
        if not isinstance(regex, re.Pattern) or compiled.include is not True:
            raise errors.InvalidInput("pattern matches nothing", field="pattern")
        literal = _LITERAL_DIRS.match(pattern.lstrip("/"))
        anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
        prefix = root + literal.group(1) if literal and anchored else (root or None)
        return cls(regex, artifact_type, root, prefix)

    def matches(self, artifact_type: str, path: str) -> bool:
        if self.artifact_type is not None and artifact_type != self.artifact_type:
            return False
        if self.root:
            if not path.startswith(self.root):
                return False
            path = path[len(self.root):]
        # What pathspec's match_file does for one pattern, without its per-call overhead
        # (entry paths are already normalized: relative, "/"-separated).
        return self.regex.match(path) is not None


def check_pattern(pattern: str) -> str:
    pattern = clean_text(pattern, "pattern", MAX_PATTERN)
    if not pattern or pattern.startswith("#"):
        raise errors.InvalidInput("pattern must not be empty", field="pattern")
    if pattern.startswith("!"):
        raise errors.InvalidInput("a rule cannot be a negation ('!'); restore entries instead",
                                  field="pattern")
    try:
        spec = pathspec.GitIgnoreSpec.from_lines([pattern])
    except (ValueError, TypeError) as exc:
        raise errors.InvalidInput(f"pattern is not valid gitignore syntax: {exc}",
                                  field="pattern") from None
    if not spec.patterns or spec.patterns[0].include is None:
        raise errors.InvalidInput("pattern matches nothing", field="pattern")
    if _wildcard_runs(pattern) > MAX_WILDCARDS:
        raise errors.InvalidInput(
            f"pattern has more than {MAX_WILDCARDS} wildcards ('*' runs and '**' folders); "
            "its matching could take very long", field="pattern")
    return pattern


def _wildcard_runs(pattern: str) -> int:
    """Each `*` run inside a name and each `**` folder (a trailing one is free): every one
    can make the regex backtrack over the path once more."""
    parts = pattern.strip("/").split("/")
    if parts and parts[-1] == "**":
        parts = parts[:-1]
    return sum(1 if part == "**" else len(_STAR_RUN.findall(part)) for part in parts)


@dataclass
class DryRun:
    count: int
    sample: list[Any] = field(default_factory=list)  # rows: id, artifact_type, path, name


def _matching_pages(session: Session, source_id: str, matcher: Matcher,
                    deadline: float) -> Iterable[list[Any]]:
    """Candidate entries matching `matcher`, a page of rows at a time. Past `deadline`
    (time.monotonic) TooCostly: a hostile path and pattern cannot hold a transaction."""
    for page in q.rule_candidates(session, source_id, PAGE, path_prefix=matcher.prefix):
        hits = []
        for i, row in enumerate(page):
            if i % CLOCK_EVERY == 0 and time.monotonic() > deadline:
                raise TooCostly("matching the rules took too long on this catalog; "
                                 "use a simpler pattern (fewer wildcards, a leading folder)")
            if matcher.matches(row.artifact_type, row.path):
                hits.append(row)
        if hits:
            yield hits


def dry_run(session: Session, source_id: str, pattern: str,
            artifact_type: str | None) -> DryRun:
    """How many entries a rule would exclude now, and the first of them."""
    source = get_source(session, source_id)
    matcher = _matcher_for(pattern, artifact_type)
    result = DryRun(0)
    for hits in _matching_pages(session, source.id, matcher, _deadline()):
        result.count += len(hits)
        result.sample.extend(hits[: DRY_RUN_SHOWN - len(result.sample)])
    return result


def _matcher_for(pattern: str, artifact_type: str | None) -> Matcher:
    pattern = check_pattern(pattern)
    kind = one_of(ArtifactType, artifact_type, "artifact_type") if artifact_type else None
    return Matcher.of(pattern, kind)


def list_rules(session: Session, source_id: str) -> list[tuple[ExclusionRule, int]]:
    """A source's rules, oldest first, each with the number of entries it excludes now."""
    get_source(session, source_id)
    counts = q.rule_counts(session, source_id)
    return [(rule, counts.get(rule.id, 0)) for rule in q.rules_of(session, source_id)]


def add_rule(session: Session, source_id: str, pattern: str, artifact_type: str | None,
             reason: str | None, *, actor: str) -> tuple[ExclusionRule, int]:
    """Add a user rule and exclude what it matches now; (rule, entries it excluded)."""
    matcher = _matcher_for(pattern, artifact_type)
    reason = reason_text(reason)
    source = get_source(session, source_id, lock=True)
    if len(q.rules_of(session, source_id)) >= MAX_RULES:
        raise errors.InvalidInput(f"a source has at most {MAX_RULES} rules")
    rule = ExclusionRule(source_id=source_id, pattern=pattern.strip(),
                         artifact_type=matcher.artifact_type, reason=reason,
                         origin=Origin.USER, created_at=utcnow())
    q.add_rule(session, rule)
    _event(session, rule, ExclusionAction.RULE_ADDED, actor)
    excluded = _apply(session, source, [(rule, matcher)], actor, ExclusionAction.RULE_EXCLUDE)
    return rule, excluded


def delete_rule(session: Session, source_id: str, rule_id: str, *, actor: str) -> int:
    """Delete a rule and restore exactly the entries it excluded; how many were restored."""
    source = get_source(session, source_id, lock=True)
    rule = q.get_rule(session, source_id, rule_id) if ID_PATTERN.match(rule_id) else None
    if rule is None:
        raise errors.NotFound(f"rule {rule_id!r} not found in source {source_id!r}")
    return _remove(session, source, rule, actor)


def _remove(session: Session, source: MarketplaceSource, rule: ExclusionRule,
            actor: str) -> int:
    facts = q.EventFacts(at=utcnow(), actor=actor, action=ExclusionAction.RULE_RESTORE,
                         rule_id=rule.id, pattern=rule.pattern)
    restored = restore_where(session, source, q.by_rule(source.id, rule.id), facts,
                             by_hand=False)
    _event(session, rule, ExclusionAction.RULE_REMOVED, actor)
    q.delete_rule(session, rule.id)
    return restored


def _event(session: Session, rule: ExclusionRule, action: str, actor: str) -> None:
    q.add_event(session, rule.source_id, q.EventFacts(
        at=utcnow(), actor=actor, action=action, reason=rule.reason, rule_id=rule.id,
        pattern=rule.pattern))


def _apply(session: Session, source: MarketplaceSource,
           rules: Sequence[tuple[ExclusionRule, Matcher]], actor: str, action: str) -> int:
    """Exclude what each rule matches among the source's candidates, a page at a time."""
    total = 0
    deadline = _deadline()
    for rule, matcher in rules:
        facts = q.EventFacts(at=utcnow(), actor=actor, action=action, reason=rule.reason,
                             rule_id=rule.id, pattern=rule.pattern)
        for hits in _matching_pages(session, source.id, matcher, deadline):
            ids = [row.id for row in hits]
            total += exclude_where(session, source, q.selection(session, source.id, ids=ids), facts)
    return total


def _deadline() -> float:
    return time.monotonic() + MATCH_SECONDS


def _root(source: MarketplaceSource) -> str:
    hint = (source.root_hint or "").strip("/")
    return f"{hint}/" if hint else ""


def apply_on_scan(session: Session, source: MarketplaceSource) -> int:
    """Every rule of the source applied after a scan's merge: new entries arrive excluded,
    exceptions made by hand stay. The caller holds the source's lock."""
    rules = q.rules_of(session, source.id)
    matchers = [(r, Matcher.of(r.pattern, r.artifact_type,
                               _root(source) if r.origin == Origin.REPO else ""))
                for r in rules]
    try:
        with session.begin_nested():  # a pass cut short leaves nothing half-applied
            return _apply(session, source, matchers, Actor.SCAN, ExclusionAction.SCAN_RULE)
    except TooCostly as exc:
        log.warning("rules of %s not applied on this scan: %s", source.id, exc)
        return 0


def ignore_file_path(source: MarketplaceSource) -> str:
    """Where a source's repository declares its rules: the scanned root."""
    return _root(source) + IGNORE_FILE


def ignore_file_patterns(raw: bytes) -> list[str]:
    """The rules a `.skillmeat-ignore` declares: gitignore lines, comments, blanks and
    negations left out, at most MAX_RULES, each checked like a person's."""
    patterns: list[str] = []
    text = raw[:MAX_IGNORE_BYTES].decode("utf-8", "replace")
    for line in text.splitlines()[: MAX_RULES * 10]:
        line = line.strip()
        if not line or line.startswith(("#", "!")) or len(patterns) >= MAX_RULES:
            continue
        try:
            patterns.append(check_pattern(line))
        except errors.SkillMeatError:
            continue  # a hostile or broken line is skipped, never the scan
    return list(dict.fromkeys(patterns))


def sync_repo_rules(session: Session, source: MarketplaceSource,
                    patterns: Sequence[str]) -> None:
    """Make the source's repository rules the file's: rules gone from it are deleted (their
    exclusions restored), new lines become rules. The caller holds the source's lock."""
    current = {r.pattern: r for r in q.rules_of(session, source.id) if r.origin == Origin.REPO}
    for pattern, rule in current.items():
        if pattern not in patterns:
            _remove(session, source, rule, Actor.SCAN)
    room = MAX_RULES - len(q.rules_of(session, source.id))
    for pattern in [p for p in patterns if p not in current][:max(room, 0)]:
        rule = ExclusionRule(source_id=source.id, pattern=pattern, artifact_type=None,
                             reason=f"listed in the repository's {IGNORE_FILE}",
                             origin=Origin.REPO, created_at=utcnow())
        q.add_rule(session, rule)
        _event(session, rule, ExclusionAction.RULE_ADDED, Actor.SCAN)

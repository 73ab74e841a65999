"""Rule matching agrees with pathspec's gitignore semantics; the SQL restored status agrees
with status.derive_status."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pathspec
import pytest
from sqlalchemy import select

from skillmeat.cache import exclusions as q
from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry, MarketplaceSource
from skillmeat.core.marketplace.exclusions import STATUS_NAMES
from skillmeat.core.marketplace.rules import Matcher, ignore_file_patterns
from skillmeat.core.marketplace.status import derive_status

PATTERNS = ["docs/**", "**/fixtures/**", "examples/", "/skills/pdf", "*.md", "skills/*/x",
            "a/b*/c", "tests", "[ab]/z", "docs/commands/"]
PATHS = ["docs/a.md", "docs/commands/ls.md", "x/docs/a", "t/fixtures/p/s", "fixtures/a",
         "examples/demo", "x/examples/y.md", "skills/pdf", "skills/pdf/more", "sub/skills/pdf",
         "a/bee/c", "a/b/c", "tests", "tests/x", "src/tests/y", "a/z", "c/z", "README"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_matcher_agrees_with_pathspec(pattern: str) -> None:
    spec = pathspec.GitIgnoreSpec.from_lines([pattern])
    matcher = Matcher.of(pattern, None)
    for path in PATHS:
        assert matcher.matches("skill", path) == spec.match_file(path), path
        if matcher.prefix:  # the SQL pre-filter never drops a match
            assert not spec.match_file(path) or path.startswith(matcher.prefix)


def test_type_and_root_narrow_a_matcher() -> None:
    assert not Matcher.of("docs/**", "command").matches("skill", "docs/a")
    repo_rule = Matcher.of("examples/", None, root="plugins/x/")
    assert repo_rule.matches("skill", "plugins/x/examples/a")
    assert not repo_rule.matches("skill", "examples/a")


def test_ignore_file_lines_skip_comments_negations_and_junk() -> None:
    raw = b"# c\n\ndocs/**\n!docs/keep\n" + b"\xff\xfe bad\n" + b"docs/**\n" + b"z" * 2000
    assert ignore_file_patterns(raw) == ["docs/**", "\ufffd\ufffd bad"]


def test_restored_status_in_sql_matches_derive_status(db: Database) -> None:
    now = datetime.now(UTC)
    facts = list(itertools.product([None, now], [None, now], [None, "a"], [None, "a", "b"]))
    with db.session() as session:
        session.add(MarketplaceSource(id="src_1", repo_url="https://github.com/a/b",
                                      owner="a", repo_name="b"))
        session.flush()
        for i, (removed, imported_at, imported_sha, detected_sha) in enumerate(facts):
            session.add(MarketplaceCatalogEntry(
                id=f"cat_{i}", source_id="src_1", artifact_type="skill", name=f"n{i}",
                path=f"p{i}", removed_at=removed, import_date=imported_at,
                imported_sha=imported_sha, detected_sha=detected_sha))
        session.flush()
        rows = session.execute(select(MarketplaceCatalogEntry.id,
                                      q.restored_status(STATUS_NAMES))).all()
        got = dict((i, s) for i, s in rows)
    for i, (removed, imported_at, imported_sha, detected_sha) in enumerate(facts):
        assert got[f"cat_{i}"] == derive_status(
            excluded_at=None, removed_at=removed, imported_sha=imported_sha,
            import_date=imported_at, detected_sha=detected_sha)

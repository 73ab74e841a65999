"""The import service against real git repositories, with failures injected in the remote."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from sqlalchemy import select

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry, MarketplaceSource
from skillmeat.config import Settings
from skillmeat.core.errors import InvalidInput
from skillmeat.core.marketplace import importing, members, scanning, sources
from skillmeat.core.marketplace.blob_cache import BlobCache, object_id
from skillmeat.core.marketplace.collection import safe_name, safe_relpath
from skillmeat.core.marketplace.readers.errors import ReaderError
from skillmeat.core.marketplace.readers.factory import open_reader
from skillmeat.core.marketplace.tree import RepoReader, RepoTree
from tests.gitrepo import command, commit, skill


class FlakyRemote:
    """The real reader, except that reads start failing after `good_reads` calls."""

    def __init__(self, inner: RepoReader, good_reads: int, *, drop_last: bool = False) -> None:
        self.inner, self.good_reads, self.drop_last = inner, good_reads, drop_last

    def resolve(self) -> str:
        return self.inner.resolve()

    def tree(self, commit: str) -> RepoTree:
        return self.inner.tree(commit)

    def read(self, commit: str, paths: Iterable[str],
             limit: int | None = None) -> Mapping[str, bytes]:
        paths = list(paths)
        if self.good_reads > 0:
            self.good_reads -= 1
            return self.inner.read(commit, paths, limit)
        if self.drop_last:  # the connection died after the first files of the artifact
            return self.inner.read(commit, paths[:-1], limit)
        raise ReaderError("connection reset by the remote")

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def scanned(db: Database, settings: Settings, tmp_path: Path) -> tuple[str, dict[str, str]]:
    repo = tmp_path / "tools"
    commit(repo, {"skills/pdf/SKILL.md": skill("pdf"), "skills/pdf/a.txt": "a",
                  "skills/pdf/b.txt": "b", "skills/docx/SKILL.md": skill("docx"),
                  ".claude/commands/deploy.md": command()})
    with db.session() as session:
        sid = sources.create_source(session, str(repo)).id
    scanning.scan_source(db, settings, sid)
    with db.session(write=False) as session:
        rows = session.scalars(select(MarketplaceCatalogEntry)).all()
        return sid, {e.path: e.id for e in rows}


def catalog_state(db: Database, sid: str) -> tuple[object, ...]:
    with db.session(write=False) as session:
        rows = session.scalars(select(MarketplaceCatalogEntry)
                               .order_by(MarketplaceCatalogEntry.id)).all()
        source = session.get(MarketplaceSource, sid)
        assert source is not None
        return (tuple((e.status, e.import_id, e.import_date, e.imported_sha) for e in rows),
                source.catalog_counts)


def on_disk(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


@pytest.mark.parametrize("drop_last", [False, True], ids=["read-raises", "file-missing"])
def test_failure_mid_artifact_leaves_no_files_and_no_catalog_change(
        db: Database, settings: Settings, scanned: tuple[str, dict[str, str]],
        drop_last: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    sid, ids = scanned
    before = catalog_state(db, sid)
    # Two files per read: the command and the skill's first file read fine, the skill's
    # other files fail part-way.
    monkeypatch.setattr(importing, "READ_BATCH", 2)
    wanted = [ids[".claude/commands/deploy.md"], ids["skills/pdf"]]

    def flaky(source: MarketplaceSource, s: Settings) -> RepoReader:
        return FlakyRemote(open_reader(source, s), good_reads=1, drop_last=drop_last)

    with pytest.raises(ReaderError):
        importing.import_entries(db, settings, sid, wanted, reader_factory=flaky)
    assert on_disk(settings.resolved_collection_dir) == []
    assert catalog_state(db, sid) == before


def test_import_after_a_failure_succeeds_and_reuses_cached_blobs(
        db: Database, settings: Settings, scanned: tuple[str, dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    sid, ids = scanned
    monkeypatch.setattr(importing, "READ_BATCH", 1)  # one file per read: fail after docx's

    def dead(source: MarketplaceSource, s: Settings) -> RepoReader:
        return FlakyRemote(open_reader(source, s), good_reads=1)

    with pytest.raises(ReaderError):
        importing.import_entries(db, settings, sid, [ids["skills/docx"], ids["skills/pdf"]],
                                 reader_factory=dead)
    # docx was read before the failure: its blob is cached, so a remote that fails on every
    # read still imports it.
    result = importing.import_entries(
        db, settings, sid, [ids["skills/docx"]],
        reader_factory=lambda src, s: FlakyRemote(open_reader(src, s), good_reads=0))
    assert [(i.outcome, i.path) for i in result.items] == [("imported", "plugins/docx")]


def test_progress_reports_each_artifact(db: Database, settings: Settings,
                                        scanned: tuple[str, dict[str, str]]) -> None:
    sid, ids = scanned
    seen: list[str] = []
    importing.import_entries(db, settings, sid, list(ids.values()), progress=seen.append)
    assert sorted(seen) == ["deploy", "docx", "pdf"]


def test_too_many_files_is_refused_before_anything_is_written(
        db: Database, settings: Settings, scanned: tuple[str, dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    sid, ids = scanned
    monkeypatch.setattr(members, "MAX_FILES", 2)
    with pytest.raises(InvalidInput, match="has 3 files; at most 2"):
        importing.import_entries(db, settings, sid, [ids["skills/docx"], ids["skills/pdf"]])
    assert on_disk(settings.resolved_collection_dir) == []


@pytest.mark.parametrize(("name", "expected"), [
    ("pdf", "pdf"), ("My Skill", "My Skill"), ("../../etc", "etc"), ("a/b", "a-b"),
    ("a\\b", "a-b"), ("x\x00y", "x-y"), ("..", "cat_1"), (".hidden", "hidden"), ("", "cat_1"),
    ("/", "cat_1"), ("a" * 300, "a" * 100), (" padded ", "padded"), ("git~1", "git-1"),
    (".git", "git"), ("GIT~1 ", "GIT-1"),
])
def test_names_from_repositories_become_one_safe_component(name: str, expected: str) -> None:
    assert safe_name(name, fallback="cat_1") == expected


@pytest.mark.parametrize(("path", "safe"), [
    ("SKILL.md", True), ("scripts/run.sh", True), (".mcp.json", True), ("../x", False),
    ("a/../../x", False), ("/etc/passwd", False), ("a//b", False), ("a/./b", False),
    ("a\\b", False), ("bell\x07", False), ("", False),
    # git's own folder in any spelling a file system resolves to it, at any depth
    (".git", False), (".git/config", False), ("a/.GIT/hooks/x", False), ("a/b/.gIt", False),
    (".git./config", False), (".git /x", False), ("git~1/config", False), ("GIT~1", False),
    (".g\u200cit/config", False), (".git\ufeff", False), (".git::$INDEX_ALLOCATION/x", False),
    # names that only look like it
    (".gitignore", True), (".github/x.md", True), (".gitmodules", True), ("git/x", True),
    ("a.git", True), ("x/.git-hooks/y", True), ("git~2", True),
])
def test_relative_paths_are_checked_part_by_part(path: str, safe: bool) -> None:
    assert safe_relpath(path) is safe


def test_blob_cache_keeps_only_content_that_matches_its_id(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path)
    data = b"hello\n"
    sha = object_id("blob", data)
    assert cache.put(sha, data[:3]) is False  # a short read is never cached
    assert cache.get(sha) is None
    assert cache.put(sha, data) is True
    assert cache.get(sha) == data
    assert cache.put("../../escape", data) is False
    assert cache.get("../../escape") is None
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        [sha, "lock", "usage"])
    assert (tmp_path / "usage").read_text() == str(len(data))  # what the size limit counts

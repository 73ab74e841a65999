"""SIGKILL an import or a removal at each step of its change: the next start finishes or rolls
it back, `verify` accepts the collection, and the catalog agrees with the lock file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry
from skillmeat.config import Settings
from skillmeat.core.collection import service
from skillmeat.core.collection.manifest import read_lock
from skillmeat.core.marketplace import importing, scanning
from tests.core.collection_fixtures import scanned_repo
from tests.gitrepo import commit, skill
from tests.server_process import ServerProcess
from tests.stress.collection_crash_child import STEPS

ROOT = Path(__file__).resolve().parents[2]


def run_child(settings: Settings, step: str, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "tests.stress.collection_crash_child",
                           settings.resolved_database_url, str(settings.data_dir), step, *args],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == -9, proc.stderr[-2000:]  # killed where it was told to die


def imported_entries(db: Database, sid: str) -> set[str]:
    """Entries imported as units of their own; a plugin's members, imported with it (same
    import), count as part of the plugin's unit."""
    with db.session(write=False) as session:
        rows = session.scalars(select(MarketplaceCatalogEntry).where(
            MarketplaceCatalogEntry.source_id == sid,
            MarketplaceCatalogEntry.import_id.is_not(None))).all()
    import_of = {e.id: e.import_id for e in rows}
    return {e.id for e in rows
            if e.plugin_id is None or import_of.get(e.plugin_id) != e.import_id}


def assert_consistent(db: Database, settings: Settings, sid: str) -> dict[str, str | None]:
    report = service.verify(settings, db)  # the next start: recovers, then checks
    assert report.ok, report.problems
    root = settings.resolved_collection_dir
    assert not (root / ".skillmeat-journal.json").exists()
    units = read_lock(root)
    assert imported_entries(db, sid) == {u.entry_id for u in units.values()}
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain"],
                            capture_output=True, text=True, check=True).stdout
    assert status == ""  # the working tree is the last commit
    return {name: u.entry_id for name, u in units.items()}


@pytest.mark.parametrize("step", STEPS)
def test_sigkill_during_an_import_leaves_the_old_or_the_new_state(
        step: str, db: Database, settings: Settings, tmp_path: Path) -> None:
    sid, ids = scanned_repo(db, settings, tmp_path)
    importing.import_entries(db, settings, sid, [ids["skills/pdf"]])
    wanted = [ids["skills/pdf"], ids[".claude/agents/reviewer.md"], ids["bundles/toolbox"]]
    run_child(settings, step, "import", sid, *wanted)
    units = assert_consistent(db, settings, sid)
    finished = step in ("committed", "catalog")
    assert set(units) == ({"pdf", "reviewer", "toolbox"} if finished else {"pdf"})


@pytest.mark.parametrize("step", [s for s in STEPS if s != "placed-one"])
def test_sigkill_during_a_removal_leaves_the_old_or_the_new_state(
        step: str, db: Database, settings: Settings, tmp_path: Path) -> None:
    sid, ids = scanned_repo(db, settings, tmp_path)
    importing.import_entries(db, settings, sid, [ids["skills/pdf"], ids["servers/.mcp.json"]])
    run_child(settings, step, "remove", "pdf")
    units = assert_consistent(db, settings, sid)
    finished = step in ("committed", "catalog")
    assert set(units) == ({"servers"} if finished else {"pdf", "servers"})


@pytest.mark.parametrize("step", STEPS)
def test_sigkill_during_an_update_leaves_the_old_or_the_new_unit_and_the_edits_on_a_branch(
        step: str, db: Database, settings: Settings, tmp_path: Path) -> None:
    sid, ids = scanned_repo(db, settings, tmp_path)
    first = importing.import_entries(db, settings, sid, [ids["skills/pdf"]]).commit
    new = commit(tmp_path / "tools", {"skills/pdf/SKILL.md": skill("pdf") + "Newer.\n"})
    scanning.scan_source(db, settings, sid)
    root = settings.resolved_collection_dir
    (root / "plugins/pdf/skills/pdf/SKILL.md").write_text("my edit\n")
    run_child(settings, step, "update", "pdf", "overwrite")
    assert_consistent(db, settings, sid)
    finished = step in ("committed", "catalog")
    assert read_lock(root)["pdf"].commit == (new if finished else first)
    branches = subprocess.run(["git", "-C", str(root), "branch", "--list", "skillmeat/backup/*",
                               "--format=%(refname:short)"], capture_output=True, text=True,
                              check=True).stdout.split()
    assert len(branches) == 1
    kept = subprocess.run(["git", "-C", str(root), "show",
                           f"{branches[0]}:plugins/pdf/skills/pdf/SKILL.md"],
                          capture_output=True, text=True, check=True).stdout
    assert kept == "my edit\n"


def test_the_next_server_start_settles_an_interrupted_change(
        db: Database, settings: Settings, tmp_path: Path) -> None:
    sid, ids = scanned_repo(db, settings, tmp_path)
    assert service.verify(settings).ok  # the collection's first commit, before the crash
    run_child(settings, "committed", "import", sid, ids["skills/pdf"])
    root = settings.resolved_collection_dir
    assert (root / ".skillmeat-journal.json").exists()
    assert imported_entries(db, sid) == set()  # committed, the catalog not yet told
    service.pack(settings)  # a use that cannot tell the catalog leaves the journal for one that can
    assert (root / ".skillmeat-journal.json").exists()
    server = ServerProcess(db.url, settings.data_dir).start()
    try:
        assert not (root / ".skillmeat-journal.json").exists()
        assert imported_entries(db, sid) == {ids["skills/pdf"]}
    finally:
        server.stop()
    assert service.verify(settings).ok

"""Catalog rules at the service layer: status derivation, merge, counts, exclusions."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from skillmeat.cache.db import Database
from skillmeat.cache.models import MarketplaceCatalogEntry
from skillmeat.core import errors
from skillmeat.core.cursor import CursorCodec
from skillmeat.core.marketplace import catalog, sources
from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.merge import apply_scan
from skillmeat.core.marketplace.status import derive_status

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def art(path: str, type_: str = "skill", sha: str = "a1", confidence: int = 80
        ) -> DetectedArtifact:
    return DetectedArtifact(type=type_, name=path.rsplit("/", 1)[-1], path=path,
                            content_hash=sha, confidence=confidence)


@pytest.mark.parametrize("facts, expected", [
    ({"excluded_at": NOW, "removed_at": NOW, "import_date": NOW}, "excluded"),
    ({"removed_at": NOW, "import_date": NOW}, "removed"),
    ({"import_date": NOW, "imported_sha": "a", "detected_sha": "a"}, "imported"),
    ({"import_date": NOW, "imported_sha": "a", "detected_sha": "b"}, "updated"),
    ({}, "new"),
])
def test_status_is_derived_from_facts(facts: dict, expected: str) -> None:
    base = {"excluded_at": None, "removed_at": None, "import_date": None,
            "imported_sha": None, "detected_sha": "a"}
    assert derive_status(**{**base, **facts}) == expected


def _fresh_matrix(db: Database, source_id: str) -> dict[str, int]:
    with db.session(write=False) as session:
        return catalog.counted_matrix(session, source_id)


def test_imported_entry_shows_updated_when_upstream_changes(db: Database) -> None:
    with db.session() as s:
        source = sources.create_source(s, "https://github.com/a/b")
        apply_scan(s, source, "c1c1c1c1", [art("skills/pdf")])
        entry = s.query(MarketplaceCatalogEntry).one()
        entry.import_date, entry.import_id, entry.imported_sha = NOW, "imp_1", "a1"
        entry.status = "imported"
    with db.session() as s:
        source = sources.get_source(s, source.id, lock=True)
        result = apply_scan(s, source, "c2c2c2c2", [art("skills/pdf", sha="b2")])
    assert result.updated == 1
    with db.session(write=False) as s:
        assert s.query(MarketplaceCatalogEntry).one().status == "updated"


def test_a_rescan_compares_json_columns_by_value(db: Database) -> None:
    """The merge reads JSON columns as stored text: the same value in another key order, or
    SQL NULL where the scan says None, is unchanged; a changed value is an update."""
    from dataclasses import replace

    from sqlalchemy import null, update

    first = replace(art("skills/pdf"), score_breakdown={"manifest": 40, "layout": 20},
                    risk={"runs": ["bash"]})
    with db.session() as s:
        source = sources.create_source(s, "https://github.com/a/json")
        apply_scan(s, source, "c1c1c1c1", [first, art("skills/doc")])
        s.execute(update(MarketplaceCatalogEntry).where(MarketplaceCatalogEntry.path
                                                        == "skills/doc").values(risk=null()))
    def written() -> dict[str, datetime]:
        with db.session(write=False) as s:
            return {e.path: e.updated_at for e in s.query(MarketplaceCatalogEntry)}

    before = written()
    same = replace(first, score_breakdown={"layout": 20, "manifest": 40})
    with db.session() as s:
        source = sources.get_source(s, source.id, lock=True)
        result = apply_scan(s, source, "c2c2c2c2", [same, art("skills/doc")])
    assert (result.updated, result.unchanged) == (0, 2)
    assert written() == before  # neither row was written
    changed = replace(first, score_breakdown={"manifest": 40, "layout": 21})
    with db.session() as s:
        source = sources.get_source(s, source.id, lock=True)
        apply_scan(s, source, "c3c3c3c3", [changed, art("skills/doc")])
    with db.session(write=False) as s:
        entry = s.query(MarketplaceCatalogEntry).filter_by(path="skills/pdf").one()
        assert entry.score_breakdown == {"manifest": 40, "layout": 21}
        assert entry.risk == {"runs": ["bash"]}


def test_incomplete_scan_never_marks_entries_removed(db: Database) -> None:
    with db.session() as s:
        source = sources.create_source(s, "https://github.com/a/b")
        apply_scan(s, source, "c1c1c1c1", [art("skills/a"), art("skills/b")])
        result = apply_scan(s, source, "c2c2c2c2", [art("skills/a")], complete=False)
    assert result.removed == 0
    with db.session(write=False) as s:
        assert {e.status for e in s.query(MarketplaceCatalogEntry)} == {"new"}


def test_counts_stay_equal_to_a_fresh_count_through_random_operations(db: Database) -> None:
    rng = random.Random(7)
    paths = [f"skills/s{i}" for i in range(40)]
    with db.session() as s:
        source_id = sources.create_source(s, "https://github.com/a/b").id
    for step in range(60):
        with db.session() as s:
            source = sources.get_source(s, source_id, lock=True)
            roll = rng.random()
            if roll < 0.2:
                chosen = rng.sample(paths, rng.randint(0, len(paths)))
                apply_scan(s, source, f"{step:08x}", [
                    art(p, confidence=rng.randint(0, 100), sha=rng.choice("ab")) for p in chosen])
            else:
                ids = [e.id for e in s.query(MarketplaceCatalogEntry.id)]
                if not ids:
                    continue
                entry_id = rng.choice(ids)
                if roll < 0.6:
                    catalog.exclude_entry(s, source_id, entry_id, "no")
                else:
                    catalog.restore_entry(s, source_id, entry_id)
        with db.session(write=False) as s:
            stored = sources.get_source(s, source_id).catalog_counts
            for e in s.query(MarketplaceCatalogEntry):
                assert e.status == catalog.status_of(e)
        assert stored == _fresh_matrix(db, source_id), f"step {step}"


def test_entry_repr_says_whether_it_is_excluded(db: Database) -> None:
    with db.session() as s:
        source = sources.create_source(s, "https://github.com/a/b")
        apply_scan(s, source, "c1c1c1c1", [art("skills/pdf")])
        entry = s.query(MarketplaceCatalogEntry).one()
        assert "not excluded" in repr(entry)
        catalog.exclude_entry(s, source.id, entry.id)
        assert "excluded" in repr(entry) and "not excluded" not in repr(entry)


def test_reason_with_control_characters_is_rejected(db: Database) -> None:
    with db.session() as s:
        source = sources.create_source(s, "https://github.com/a/b")
        apply_scan(s, source, "c1c1c1c1", [art("skills/pdf")])
        entry_id = s.query(MarketplaceCatalogEntry.id).scalar()
    with pytest.raises(errors.InvalidInput), db.session() as s:
        catalog.exclude_entry(s, source.id, entry_id, "bad\x00reason")
    with db.session() as s:
        assert catalog.exclude_entry(s, source.id, entry_id, "  ").excluded_reason is None


def test_cursor_codec_rejects_tampering_and_other_scopes() -> None:
    codec = CursorCodec(b"k")
    token = codec.encode("scope-a", [5, "cat_1"])
    assert codec.decode(token, "scope-a") == [5, "cat_1"]
    with pytest.raises(errors.InvalidInput):
        codec.decode(token, "scope-b")
    with pytest.raises(errors.InvalidInput):
        CursorCodec(b"other").decode(token, "scope-a")
    with pytest.raises(errors.InvalidInput):
        codec.decode("!!!", "scope-a")
    with pytest.raises(errors.InvalidInput):
        codec.decode("A" * 5000, "scope-a")


def test_merge_across_many_snapshot_pages_and_write_batches(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small pages and batches: every entry is compared once, whatever page it falls on."""
    from skillmeat.core.marketplace import merge

    monkeypatch.setattr(merge, "SNAPSHOT_PAGE", 3)
    monkeypatch.setattr(merge._Writes, "BATCH", 2)
    rng = random.Random(11)
    # Paths that sort differently by byte, by case and across types.
    universe = [(t, p) for t in ("agent", "command", "skill")
                for p in ("a", "a-b", "a/b", "A", "z", "é/x", "a.md", "b/c/d", "m", "n")]
    with db.session() as s:
        source_id = sources.create_source(s, "https://github.com/a/b").id
    live: dict[tuple[str, str], str] = {}  # (type, path) -> detected sha, not removed
    seen: dict[tuple[str, str], str] = {}  # every entry ever stored -> its last sha
    for step in range(25):
        chosen = rng.sample(universe, rng.randint(0, len(universe)))
        shas = {key: rng.choice("ab") for key in chosen}
        with db.session() as s:
            source = sources.get_source(s, source_id, lock=True)
            result = apply_scan(s, source, f"{step:08x}",
                                [art(p, t, shas[(t, p)]) for t, p in chosen])
        # A returning entry counts as updated, as does a changed one.
        assert result.new == len([k for k in chosen if k not in seen])
        assert result.removed == len(set(live) - set(chosen))
        assert result.updated == len([k for k in chosen if k in seen
                                      and (k not in live or seen[k] != shas[k])])
        live = shas
        seen.update(shas)
        with db.session(write=False) as s:
            rows = {(e.artifact_type, e.path): e for e in s.query(MarketplaceCatalogEntry)}
        assert {k for k, e in rows.items() if e.removed_at is None} == set(live)
        assert all(rows[k].detected_sha == sha for k, sha in live.items())
        assert _fresh_matrix(db, source_id) == sources_counts(db, source_id)


def sources_counts(db: Database, source_id: str) -> dict[str, int]:
    with db.session(write=False) as s:
        return sources.get_source(s, source_id).catalog_counts

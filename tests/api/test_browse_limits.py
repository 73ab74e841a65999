"""Memory per request when browsing and importing big artifacts: a listing reads no file, a
view reads what it shows, an import holds one blob at a time, big trees come in pages.

The review's case was one `GET .../files` on a skill of 300 compressible 10 MB files (3 GB of
RSS, 2.8 GB written to the blob cache); bench/bench_hostile.py runs it at full size. Here a
scaled-down skill proves the same: Python's own allocation peak (tracemalloc) stays far below
the size of the files, and the caches hold none of them.
"""

from __future__ import annotations

import subprocess
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from skillmeat.cache.db import Database
from skillmeat.config import Settings
from skillmeat.core.cursor import CursorCodec
from skillmeat.core.marketplace import browsing, importing, members
from skillmeat.core.marketplace.blob_cache import object_id
from tests.fakes.github_server import FakeGitHub
from tests.gitrepo import commit, fast_commit, skill
from tests.hostile import compressible

BASE = "/api/v1/marketplace/sources"
COUNT, SIZE = 12, 4 << 20  # 48 MiB of files that compress to a few kilobytes
T = TypeVar("T")


def python_peak(call: Callable[[], T]) -> tuple[T, float]:
    """`call()` and the most memory Python held during it, in MiB."""
    tracemalloc.start()
    try:
        return call(), tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.fixture(params=["git", "github"])
def big_skill(request: pytest.FixtureRequest, client: httpx.Client, tmp_path: Path,
              fake_github: FakeGitHub, live_server: Any, settings: Settings,
              db: Database) -> dict[str, Any]:
    files = dict(compressible(COUNT, SIZE))
    if request.param == "git":
        fast_commit(tmp_path / "big", files)
        url = str(tmp_path / "big")
    else:
        fake_github.load({"acme/big": {"refs": {"main": "v1"}, "commits": {"v1": files}}})
        settings = settings.model_copy(update={"github_api_url": fake_github.url})
        live_server.use(settings, db)
        url = "https://github.com/acme/big"
    source = client.post(BASE, json={"repo_url": url, "scan": True}).json()
    assert source["scan_status"] == "success", source["last_error"]
    items = client.get(f"{BASE}/{source['id']}/artifacts").json()["items"]
    data_ids = {object_id("blob", data) for path, data in files.items() if "/data/" in path}
    return {"kind": request.param, "sid": source["id"], "entry": items[0]["id"],
            "blobs": data_ids, "settings": settings}


def cached_blobs(settings: Settings) -> set[str]:
    root = settings.data_dir / "blob-cache"
    return {p.name for p in root.glob("??/*")} if root.exists() else set()


def fetched_blobs(settings: Settings) -> set[str]:
    """Blob ids in the git reader's partial clones: what was fetched from the repository."""
    found: set[str] = set()
    for clone in settings.git_cache_dir.glob("*.git"):
        out = subprocess.run(["git", "--git-dir", str(clone), "cat-file", "--batch-all-objects",
                              "--batch-check=%(objecttype) %(objectname)"],
                             capture_output=True, text=True, check=True).stdout
        found |= {line.split()[1] for line in out.splitlines() if line.startswith("blob ")}
    return found


def test_listing_big_files_reads_none_of_them(big_skill: dict[str, Any], db: Database,
                                              fake_github: FakeGitHub) -> None:
    settings = big_skill["settings"]
    fake_github.reset_requests()
    listing, peak = python_peak(lambda: browsing.list_files(
        db, settings, CursorCodec(b"k"), big_skill["sid"], big_skill["entry"]))
    assert peak < 8, f"{peak:.1f} MiB held to list {COUNT * SIZE >> 20} MiB of files"
    data = [m for m in listing.page.items if m.path.startswith("data/")]
    assert len(data) == COUNT and listing.totals.files == COUNT + 1
    assert not big_skill["blobs"] & cached_blobs(settings)
    if big_skill["kind"] == "git":  # sizes a git listing cannot know without the blob
        assert all(m.size is None for m in data) and listing.totals.unsized == COUNT
        assert not big_skill["blobs"] & fetched_blobs(settings)
    else:
        assert all(m.size == SIZE for m in data) and listing.totals.bytes > COUNT * SIZE
        assert fake_github.paths("/git/blobs/") == []


def test_viewing_a_big_file_reads_at_most_what_is_shown(big_skill: dict[str, Any],
                                                        db: Database) -> None:
    settings = big_skill["settings"]
    view, peak = python_peak(lambda: browsing.read_file(
        db, settings, big_skill["sid"], big_skill["entry"], "data/part-0003.bin"))
    assert view.too_large and view.content is None
    assert peak < 4, f"{peak:.1f} MiB held to show at most {browsing.MAX_VIEW_BYTES} bytes"
    assert not big_skill["blobs"] & cached_blobs(settings)  # a cut read is never cached


def test_an_import_writes_each_blob_as_it_arrives(big_skill: dict[str, Any],
                                                  db: Database) -> None:
    settings = big_skill["settings"]
    result, peak = python_peak(lambda: importing.import_entries(
        db, settings, big_skill["sid"], [big_skill["entry"]]))
    assert [i.file_count for i in result.items] == [COUNT + 1]
    # One blob being written while the next arrives; GitHub: four requests in flight.
    blobs = 3 if big_skill["kind"] == "git" else 2 * 4 + 1
    assert peak < blobs * SIZE / 2**20, f"{peak:.1f} MiB held to import {COUNT} files"
    unit = settings.resolved_collection_dir / result.items[0].path
    [written] = (unit / "skills").glob("*/data")
    assert sorted(p.stat().st_size for p in written.iterdir()) == [SIZE] * COUNT


# GitHub listings give every size; a git listing only those of blobs already fetched (the
# limit then applies as files are read, as in an import).
@pytest.mark.parametrize("big_skill", ["github"], indirect=True)
def test_browse_applies_the_per_artifact_limit_that_imports_apply(
        big_skill: dict[str, Any], client: httpx.Client, settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(members, "MAX_ARTIFACT_BYTES", 16 << 20)
    sid, entry = big_skill["sid"], big_skill["entry"]
    listing = client.get(f"{BASE}/{sid}/artifacts/{entry}/files").json()
    assert listing["problem"] == "is larger than 16 MB, the limit per artifact"
    view = client.get(f"{BASE}/{sid}/artifacts/{entry}/files/SKILL.md")
    assert view.status_code == 409
    assert view.json()["detail"].endswith(
        "is larger than 16 MB, the limit per artifact; its files are listed but not read")
    imported = client.post(f"{BASE}/{sid}/import", json={"entry_ids": [entry]})
    assert imported.status_code == 422
    assert "is larger than 16 MB, the limit per artifact" in imported.json()["detail"]
    assert not settings.resolved_collection_dir.exists() or \
        not any(settings.resolved_collection_dir.rglob("*.bin"))


def walk_pages(client: httpx.Client, url: str, limit: int) -> Iterator[dict[str, Any]]:
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = client.get(url, params=params).json()
        yield page
        if not page["page_info"]["has_more"]:
            return
        cursor = page["page_info"]["next_cursor"]


def test_a_big_file_tree_comes_in_pages_in_path_order(client: httpx.Client,
                                                      tmp_path: Path) -> None:
    names = ["SKILL.md", "a.md", "b/c.md", "b/d/e.md", "b/d/f.md", "g.md", "h-i.md", "z.md"]
    files = {f"skills/many/{n}": (skill("many") if n == "SKILL.md" else n) for n in names}
    files["skills/other/SKILL.md"] = skill("other")
    commit(tmp_path / "many", files)
    sid = client.post(BASE, json={"repo_url": str(tmp_path / "many"), "scan": True}).json()["id"]
    items = client.get(f"{BASE}/{sid}/artifacts").json()["items"]
    ids = {i["name"]: i["id"] for i in items}
    url = f"{BASE}/{sid}/artifacts/{ids['many']}/files"
    pages = list(walk_pages(client, url, 3))
    assert [len(p["files"]) for p in pages] == [3, 3, 2]
    assert [f["path"] for p in pages for f in p["files"]] == sorted(names)
    assert {p["file_count"] for p in pages} == {8} and {p["main_file"] for p in pages} == {
        "SKILL.md"}
    cursor = pages[0]["page_info"]["next_cursor"]
    other = client.get(f"{BASE}/{sid}/artifacts/{ids['other']}/files", params={"cursor": cursor})
    assert other.status_code == 422
    assert client.get(url, params={"cursor": cursor[:-2] + "xx"}).status_code == 422
    assert client.get(url, params={"limit": 101}).status_code == 422

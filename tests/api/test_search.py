"""Search across every source, end to end over HTTP: ranking, filters, facets, copies."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text

from skillmeat.cache.search_index import SQLITE_CHECK
from tests.api.test_marketplace_sources import BASE, artifact, listing, make_source, push

SEARCH = "/api/v1/marketplace/search"


def search(client: httpx.Client, q: str, **params: Any) -> dict[str, Any]:
    resp = client.get(SEARCH, params={"q": q, **params})
    assert resp.status_code == 200, resp.text
    return resp.json()


def paths(body: dict[str, Any]) -> list[str]:
    return [i["entry"]["path"] for i in body["items"]]


@pytest.fixture
def catalog(client: httpx.Client) -> dict[str, str]:
    """Three sources; the pdf skill's content is in two of them."""
    a = make_source(client, "https://github.com/acme/tools")["id"]
    b = make_source(client, "https://github.com/other/awesome")["id"]
    c = make_source(client, "https://github.com/third/list")["id"]
    push(client, a, [
        artifact("skills/pdf", sha="pdf1", title="PDF toolkit",
                 description="Fill forms and merge documents"),
        artifact("agents/code-reviewer.md", "agent", sha="rev1", title="Reviewer",
                 description="Reviews code for bugs"),
        artifact("commands/deploy.md", "command", sha="dep1", title="Ship it",
                 description="Deploy the site", keywords="release ops"),
        artifact("skills/weak", sha="weak", confidence=20, description="pdf helper"),
    ])
    push(client, b, [
        artifact("skills/pdf", sha="pdf1", title="PDF toolkit",
                 description="Fill forms and merge documents"),
        artifact("skills/forms", sha="frm1", title="Forms with PDF output",
                 description="Makes forms"),
        artifact("skills/pdfs/extract", sha="ext1", title="Extract tables"),
    ])
    push(client, c, [
        artifact("skills/docx", sha="doc1", title="Word files",
                 description="Converts a PDF into Word"),
        artifact("skills/tagged", sha="tag1", title="Misc", keywords="pdf, office"),
    ])
    return {"a": a, "b": b, "c": c}


def test_hits_are_ranked_name_then_title_description_path_keywords(
        client: httpx.Client, catalog: dict[str, str]) -> None:
    body = search(client, "pdf ")  # trailing space: a whole word, not a prefix
    got = [(i["matched_in"], i["entry"]["path"]) for i in body["items"]]
    assert [m for m, _ in got] == ["name", "name", "title", "description", "keywords"]
    assert {p for _, p in got[:2]} == {"skills/pdf"}
    assert [p for _, p in got[2:]] == ["skills/forms", "skills/docx", "skills/tagged"]
    assert [i["tier"] for i in body["items"]] == [0, 0, 1, 2, 4]
    assert body["prefix"] is False and body["words"] == ["pdf"]


def test_last_word_is_a_prefix_and_every_word_must_match(
        client: httpx.Client, catalog: dict[str, str]) -> None:
    assert "skills/pdfs/extract" in paths(search(client, "pdf"))  # path word "pdfs"
    assert paths(search(client, "code revi")) == ["agents/code-reviewer.md"]
    assert paths(search(client, "code deploy")) == []
    # Words spread over fields still match, after every single-field hit.
    assert paths(search(client, "reviewer bugs")) == ["agents/code-reviewer.md"]
    assert search(client, "reviewer bugs")["items"][0]["tier"] == 5


def test_snippet_marks_the_matched_words(client: httpx.Client, catalog: dict[str, str]) -> None:
    hit = next(i for i in search(client, "merge")["items"])
    assert hit["matched_in"] == "description"
    assert [p["text"] for p in hit["snippet"] if p["hit"]] == ["merge"]
    assert "".join(p["text"] for p in hit["snippet"]) == "Fill forms and merge documents"


def test_filters_facets_and_hidden_entries(client: httpx.Client, catalog: dict[str, str]) -> None:
    body = search(client, "pdf", source_id=[catalog["b"], catalog["c"]], artifact_type="skill")
    assert {i["entry"]["source_id"] for i in body["items"]} == {catalog["b"], catalog["c"]}
    # Facets ignore the type and source filters: they show what another choice would give.
    assert body["facets"]["by_type"] == {"skill": 6}
    counts = {f["repo_name"]: f["count"] for f in body["facets"]["by_source"]}
    assert counts == {"tools": 1, "awesome": 3, "list": 2}
    assert body["facets"]["capped"] is False
    assert "skills/weak" not in paths(search(client, "pdf"))
    assert "skills/weak" in paths(search(client, "pdf", min_confidence=0))
    assert paths(search(client, "deploy", artifact_type="agent")) == []


def test_copies_are_grouped_and_listed(client: httpx.Client, catalog: dict[str, str]) -> None:
    hits = search(client, "pdf toolkit")["items"]
    assert [h["also_in"] for h in hits] == [1, 1]
    grouped = search(client, "pdf toolkit", group=True)["items"]
    assert len(grouped) == 1
    entry = grouped[0]["entry"]
    detail = client.get(f"{BASE}/{entry['source_id']}/artifacts/{entry['id']}").json()
    other = catalog["b"] if entry["source_id"] == catalog["a"] else catalog["a"]
    assert [(c["source_id"], c["path"]) for c in detail["copies"]] == [(other, "skills/pdf")]
    assert client.get(f"{BASE}/{catalog['a']}/artifacts/cat_nope").status_code == 404


def test_pages_continue_across_tiers(client: httpx.Client, catalog: dict[str, str]) -> None:
    everything = paths(search(client, "pdf", limit=100))
    seen: list[str] = []
    cursor = None
    while True:
        body = search(client, "pdf", limit=2, **({"cursor": cursor} if cursor else {}))
        seen += paths(body)
        cursor = body["page_info"]["next_cursor"]
        if not cursor:
            break
    assert seen == everything and len(seen) == 6
    other = client.get(SEARCH, params={"q": "forms", "cursor": body_cursor(client)})
    assert other.status_code == 422  # a cursor only continues its own query


def body_cursor(client: httpx.Client) -> str:
    cursor = search(client, "pdf", limit=1)["page_info"]["next_cursor"]
    assert cursor
    return str(cursor)


def check_index(db: Any) -> None:
    """SQLite: FTS5 compares its index with the entries it indexes (raises when they differ)."""
    if db.engine.dialect.name == "sqlite":
        with db.session() as session:
            session.execute(text(SQLITE_CHECK))


def test_index_follows_rescans_renames_exclusions_and_deletes(
        client: httpx.Client, catalog: dict[str, str], db: Any) -> None:
    a = catalog["a"]
    push(client, a, [artifact("skills/pdf", sha="pdf2", title="Portable documents",
                              description="Fill forms"),
                     artifact("agents/code-reviewer.md", "agent", sha="rev1", title="Reviewer",
                              description="Reviews code for bugs")], commit="c0ffee02")
    assert paths(search(client, "portable")) == ["skills/pdf"]
    check_index(db)
    assert "skills/pdf" not in paths(search(client, "merge", source_id=a))
    removed = listing(client, a, status="removed")["items"]
    assert [e["path"] for e in removed] == ["commands/deploy.md"]
    assert paths(search(client, "deploy", status="removed")) == ["commands/deploy.md"]

    entry = search(client, "reviewer", source_id=a)["items"][0]["entry"]
    url = f"{BASE}/{a}/artifacts/{entry['id']}"
    assert client.patch(url, json={"name": "bughunter"}).status_code == 200
    assert search(client, "bughunter")["items"][0]["matched_in"] == "name"
    assert client.patch(f"{url}/exclude", json={}).status_code == 200
    assert search(client, "bughunter")["items"] == []
    assert len(search(client, "bughunter", include_excluded=True)["items"]) == 1
    assert client.delete(f"{url}/exclude").status_code == 200
    assert len(search(client, "bughunter")["items"]) == 1

    check_index(db)
    assert client.delete(f"{BASE}/{a}").status_code == 204
    check_index(db)
    assert search(client, "bughunter")["items"] == []
    assert {i["entry"]["source_id"] for i in search(client, "pdf")["items"]} == {
        catalog["b"], catalog["c"]}


@pytest.mark.parametrize("q", ["", "   ", "?!-*", "a" * 201, "a\x00b",
                               " ".join(f"w{i}" for i in range(9))])
def test_unsearchable_queries_are_422(client: httpx.Client, q: str) -> None:
    resp = client.get(SEARCH, params={"q": q})
    assert resp.status_code == 422
    assert "q" in str(resp.json()["detail"])


@pytest.mark.parametrize("q", [
    '"pdf', "pdf*", "NEAR(pdf forms)", "name:pdf", "{name}: pdf", "-pdf", "pdf OR forms",
    "pdf & !forms", "pdf:*A", "'); DROP TABLE marketplace_catalog_entries; --", "^pdf",
    "名前 émoji 🚀", "a", "pdf AND", "(pdf", "pdf\\",
])
def test_query_syntax_is_never_syntax(client: httpx.Client, catalog: dict[str, str],
                                      q: str) -> None:
    resp = client.get(SEARCH, params={"q": q})
    assert resp.status_code == 200, resp.text
    words = resp.json()["words"]
    assert all(w.isalnum() for w in words)


def test_an_entry_added_through_the_orm_is_found(client: httpx.Client, db: Any) -> None:
    from skillmeat.cache.models import MarketplaceCatalogEntry

    sid = make_source(client)["id"]
    with db.session() as session:
        session.add(MarketplaceCatalogEntry(
            source_id=sid, artifact_type="skill", name="lonely", path="skills/lonely",
            confidence_score=90, score_breakdown={}, status="new"))
    assert paths(search(client, "lonely")) == ["skills/lonely"]


def test_facets_can_be_left_out(client: httpx.Client, catalog: dict[str, str]) -> None:
    body = search(client, "pdf", facets=False)
    assert body["facets"] is None and len(body["items"]) == 6


def test_a_search_inside_one_source_finds_rows_added_after_other_sources(
        client: httpx.Client) -> None:
    """SQLite asks FTS5 for the matches in the source's rowid range: a rescan adds rows
    after other sources' rows, so the range spans theirs, which must still not show."""
    a = make_source(client, "https://github.com/acme/first")["id"]
    b = make_source(client, "https://github.com/acme/second")["id"]
    push(client, a, [artifact("skills/pdf-one", sha="p1")])
    push(client, b, [artifact("skills/pdf-other", sha="p2")])
    push(client, a, [artifact("skills/pdf-one", sha="p1"), artifact("skills/pdf-two", sha="p3")],
         commit="c0ffee03")
    found = [e["path"] for e in listing(client, a, search="pdf")["items"]]
    assert sorted(found) == ["skills/pdf-one", "skills/pdf-two"]
    assert [e["path"] for e in listing(client, b, search="pdf")["items"]] == [
        "skills/pdf-other"]
    empty = make_source(client, "https://github.com/acme/empty")["id"]
    assert listing(client, empty, search="pdf")["items"] == []

"""Search across every source: what a query means, ranked pages, facets, and copies.

A query is cut into words (runs of letters and digits; everything else separates them, so no
text reaches the index as syntax). Every word must match; the last one, while being typed,
matches as the start of a word. Hits come in tiers: all words in the name, else in the title,
the description, the path, the keywords; last, hits whose words are spread over several
fields. Inside a tier hits come in insertion order, which both indexes give without
sorting, so a page never sorts every hit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from sqlalchemy.orm import Session

from skillmeat.cache import search_queries as sq
from skillmeat.cache.models import MarketplaceCatalogEntry
from skillmeat.core import errors
from skillmeat.core.cursor import CursorCodec, query_scope
from skillmeat.core.marketplace.catalog import get_entry
from skillmeat.core.marketplace.vocabulary import CONFIDENCE_THRESHOLD, CatalogStatus
from skillmeat.core.pagination import Page, keyset_page

MAX_QUERY = 200
MAX_WORDS = 8
MIN_PREFIX = 2  # a one-letter prefix would match most of the index
FACET_CAP = 1000  # hits counted for facets at most; beyond it, counts are "at least"
MAX_COPIES = 50
SNIPPET_CHARS = 160
_WORD = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def words_of(text: str, *, typing: bool = True) -> sq.Words:
    """The words of `text`, in order, each once; the last is a prefix while it is being
    typed (`typing`, the text not ending in a separator, and long enough)."""
    words = tuple(dict.fromkeys(_WORD.findall(text.lower())))
    prefix = bool(typing and words and len(words[-1]) >= MIN_PREFIX
                  and _WORD.fullmatch(text[-1:].lower() or " ") is not None)
    return sq.Words(words, prefix)


def parse_query(q: str) -> sq.Words:
    """A search box's text as words, or a 422 saying why it cannot be searched."""
    if _CONTROL.search(q):
        raise errors.InvalidInput("q must not contain control characters", field="q")
    if not q.strip():
        raise errors.InvalidInput("q must not be empty", field="q")
    if len(q) > MAX_QUERY:
        raise errors.InvalidInput(f"q must be at most {MAX_QUERY} characters", field="q")
    words = words_of(q)
    if not words.words:
        raise errors.InvalidInput("q must contain a letter or a digit", field="q")
    if len(words.words) > MAX_WORDS:
        raise errors.InvalidInput(f"q must have at most {MAX_WORDS} words", field="q")
    return words


@dataclass(frozen=True)
class SearchFilter:
    artifact_types: tuple[str, ...] = ()
    source_ids: tuple[str, ...] = ()
    status: str | None = None
    include_excluded: bool = False
    min_confidence: int | None = None
    group: bool = False

    def criteria(self, words: sq.Words) -> sq.SearchCriteria:
        # As a listing: excluded and below-threshold entries only when asked for.
        low = self.min_confidence if self.min_confidence is not None else CONFIDENCE_THRESHOLD
        hidden = None if self.include_excluded else CatalogStatus.EXCLUDED
        return sq.SearchCriteria(words, tuple(sorted(set(self.artifact_types))),
                                 tuple(sorted(set(self.source_ids))), self.status, hidden, low,
                                 self.group)


@dataclass(slots=True)
class Segment:
    text: str
    hit: bool


@dataclass(slots=True)
class Hit:
    entry: MarketplaceCatalogEntry
    tier: int
    key: int  # position inside the tier (insertion order)
    matched_in: str = ""
    snippet: list[Segment] = field(default_factory=list)
    also_in: int = 0  # other sources holding the same content
    repo_name: str = ""


@dataclass(slots=True)
class Facets:
    by_type: dict[str, int]
    by_source: list[tuple[str, str, int]]  # (source id, repo name, hits)
    capped: bool  # counted FACET_CAP hits and stopped: the counts are lower bounds


@dataclass(slots=True)
class SearchResult:
    page: Page[Hit]
    facets: Facets | None
    words: sq.Words


def search(session: Session, codec: CursorCodec, q: str, f: SearchFilter, *,
           limit: int = 20, cursor: str | None = None, with_facets: bool = True,
           ) -> SearchResult:
    words = parse_query(q)
    c = f.criteria(words)

    def fetch(after: tuple[int, int] | None, n: int) -> list[Hit]:
        return [Hit(entry, tier, k) for tier, k, entry in sq.hits_page(session, c, after, n)]

    page = keyset_page(codec, query_scope(search=asdict(c)), cursor, limit,
                       key_types=(int, int), fetch=fetch,
                       key=lambda h: (h.tier, h.key))
    _describe(session, page.items, words)
    return SearchResult(page, facets(session, c) if with_facets else None, words)


def facets(session: Session, c: sq.SearchCriteria) -> Facets:
    rows = sq.facet_rows(session, c, FACET_CAP)
    by_type: dict[str, int] = {}
    by_source: dict[str, int] = {}
    for kind, source_id, n in rows:
        by_type[kind] = by_type.get(kind, 0) + n
        by_source[source_id] = by_source.get(source_id, 0) + n
    names = sq.source_names(session, list(by_source))
    ranked = sorted(by_source.items(), key=lambda item: (-item[1], item[0]))
    by_type = dict(sorted(by_type.items(), key=lambda item: (-item[1], item[0])))
    return Facets(by_type, [(s, names.get(s, ("", s))[1], n) for s, n in ranked],
                  sum(by_type.values()) >= FACET_CAP)


def _describe(session: Session, hits: Sequence[Hit], words: sq.Words) -> None:
    """Snippets, source names and "also in N sources" for one page (two queries)."""
    shas = sorted({h.entry.detected_sha for h in hits if h.entry.detected_sha})
    counts = sq.source_counts(session, shas)
    names = sq.source_names(session, sorted({h.entry.source_id for h in hits}))
    for h in hits:
        h.matched_in, h.snippet = snippet(h.entry, words)
        h.also_in = max(counts.get(h.entry.detected_sha or "", 1) - 1, 0)
        h.repo_name = names.get(h.entry.source_id, ("", ""))[1]


def _matches(token: str, words: sq.Words) -> int:
    """Index of the word `token` matches, or -1."""
    for i, word in enumerate(words.words):
        last = i == len(words.words) - 1
        if token == word or (last and words.prefix and token.startswith(word)):
            return i
    return -1


def snippet(entry: MarketplaceCatalogEntry, words: sq.Words) -> tuple[str, list[Segment]]:
    """Where the query matched (the best field holding every word, else the first field
    holding one) and that field's text around the match, matched words marked."""
    best: tuple[str, str, list[tuple[int, int]]] | None = None
    for name in sq.FIELDS:
        text = getattr(entry, name) or ""
        spans, found = [], set()
        for m in _WORD.finditer(text):
            i = _matches(m.group().lower(), words)
            if i >= 0:
                spans.append((m.start(), m.end()))
                found.add(i)
        if len(found) == len(words.words):
            best = (name, text, spans)
            break
        if spans and best is None:
            best = (name, text, spans)
    if best is None:
        return "", []
    name, text, spans = best
    return name, _segments(text, spans)


def _segments(text: str, spans: list[tuple[int, int]]) -> list[Segment]:
    start = max(0, spans[0][0] - SNIPPET_CHARS // 4)
    end = min(len(text), start + SNIPPET_CHARS)
    out: list[Segment] = [Segment("…", False)] if start > 0 else []
    pos = start
    for s, e in spans:
        if s < pos or e > end:
            continue
        if s > pos:
            out.append(Segment(text[pos:s], False))
        out.append(Segment(text[s:e], True))
        pos = e
    if pos < end:
        out.append(Segment(text[pos:end], False))
    if end < len(text):
        out.append(Segment("…", False))
    return out


@dataclass(slots=True)
class Copy:
    entry: MarketplaceCatalogEntry
    repo_url: str


def entry_with_copies(session: Session, source_id: str,
                      entry_id: str) -> tuple[MarketplaceCatalogEntry, list[Copy]]:
    """An entry and its copies in other sources (same content hash), at most MAX_COPIES."""
    entry = get_entry(session, source_id, entry_id)
    return entry, [Copy(e, url) for e, url in sq.copies(session, entry, MAX_COPIES)]

"""What a query's text means as words, and the keywords detection keeps for search."""

from __future__ import annotations

import pytest

from skillmeat.cache.search_queries import Words, fts_tier, ts_tier
from skillmeat.core.errors import InvalidInput
from skillmeat.core.marketplace.detection.frontmatter import parse_markdown
from skillmeat.core.marketplace.detection.metadata import keywords
from skillmeat.core.marketplace.search import parse_query, words_of


@pytest.mark.parametrize(("text", "words", "prefix"), [
    ("PDF forms", ("pdf", "forms"), True),
    ("pdf forms ", ("pdf", "forms"), False),  # a finished word is matched whole
    ("code-review", ("code", "review"), True),
    ("a", ("a",), False),  # one letter: too short to be a prefix
    ('"pdf" NEAR(x) -y *', ("pdf", "near", "x", "y"), False),
    ("pdf pdf", ("pdf",), True),
    ("snake_case", ("snake", "case"), True),
])
def test_words_of(text: str, words: tuple[str, ...], prefix: bool) -> None:
    assert words_of(text) == Words(words, prefix)


@pytest.mark.parametrize("q", ["", "  ", "--", "x" * 201, "a\tb", "1 2 3 4 5 6 7 8 9"])
def test_unsearchable_text(q: str) -> None:
    with pytest.raises(InvalidInput):
        parse_query(q)


def test_match_syntax_is_built_from_words_only() -> None:
    w = Words(("code", "rev"), True)
    assert fts_tier(w, 1) == ('({title} : ("code" "rev"*)) NOT ({name} : ("code" "rev"*))')
    assert ts_tier(w, 1) == "(tcode & trev:*) & !(ncode & nrev:*)"
    assert ts_tier(w, None) == "(acode & arev:*)"


def test_keywords_come_from_tags_and_keywords_lists_or_text() -> None:
    doc = parse_markdown(b"---\nname: x\ntags:\n  - pdf\n  - forms\nkeywords: a, b\n---\nbody")
    assert keywords(doc) == "pdf forms a b"
    assert keywords(parse_markdown(b"---\nname: x\ntags: [ocr, scan]\n---\n")) == "ocr scan"
    assert keywords(parse_markdown(b"no frontmatter")) is None

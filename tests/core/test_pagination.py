"""keyset_page: one page of rows after a signed position, the same for every listing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from skillmeat.core.cursor import CursorCodec, query_scope
from skillmeat.core.errors import InvalidInput
from skillmeat.core.pagination import Page, Position, keyset_page

CODEC = CursorCodec(b"test-secret")
SCOPE = query_scope(kind="rows")
START = datetime(2026, 1, 1, tzinfo=UTC)
ROWS = [(START + timedelta(minutes=i // 2), f"id{i:02d}") for i in range(11)]  # ties in pairs


def fetch(after: Position | None, limit: int) -> Sequence[tuple[datetime, str]]:
    rows = sorted(ROWS)
    return [r for r in rows if after is None or r > after][:limit]


def page(cursor: str | None, limit: int = 4) -> Page[tuple[datetime, str]]:
    return keyset_page(CODEC, SCOPE, cursor, limit, key_types=(datetime, str), fetch=fetch,
                       key=lambda row: row)


def test_pages_follow_each_other_to_the_end_without_repeats() -> None:
    seen: list[Any] = []
    cursor = None
    while True:
        current = page(cursor)
        seen += current.items
        assert current.has_more == (current.next_cursor is not None)
        if not current.has_more:
            break
        cursor = current.next_cursor
    assert seen == sorted(ROWS)


def test_a_last_page_that_is_exactly_full_has_no_next_cursor() -> None:
    assert page(None, limit=len(ROWS)).next_cursor is None
    assert page(None, limit=len(ROWS) - 1).has_more


@pytest.mark.parametrize("position", [
    ["not a date", "id01"], [123, "id01"], ["2026-01-01T00:00:00+00:00", 7],
    ["2026-01-01T00:00:00+00:00"], ["2026-01-01T00:00:00+00:00", "id01", "extra"],
    ["2026-01-01T00:00:00+00:00", True],
])
def test_a_position_of_the_wrong_shape_is_an_invalid_cursor(position: list[Any]) -> None:
    with pytest.raises(InvalidInput, match="cursor is not valid"):
        page(CODEC.encode(SCOPE, position))


def test_a_cursor_of_another_query_is_refused() -> None:
    other = keyset_page(CODEC, query_scope(kind="other"), None, 2, key_types=(datetime, str),
                        fetch=fetch, key=lambda row: row)
    with pytest.raises(InvalidInput, match="different query"):
        page(other.next_cursor)

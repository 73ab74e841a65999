"""Keyset pagination, once for every listing: a page of rows after a signed position."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from skillmeat.core.cursor import CursorCodec
from skillmeat.core.errors import InvalidInput

MAX_PAGE = 100  # rows a listing returns at most per request
T = TypeVar("T")
Position = tuple[Any, ...]  # the sort key of a row, its id last
# Fetches up to `limit` rows in listing order, after the position (None: from the start).
Fetch = Callable[[Position | None, int], Sequence[T]]


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None = None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def keyset_page(codec: CursorCodec, scope: str, cursor: str | None, limit: int, *,
                key_types: Sequence[type], fetch: Fetch[T],
                key: Callable[[T], Position]) -> Page[T]:
    """The `limit` rows after `cursor`, and a cursor for the rows after them if there are any.

    `scope` fingerprints the query (see cursor.query_scope), so a cursor only continues the
    listing that issued it; `key_types` are the types of a row's sort key, `key(row)` its value.
    """
    after = _position(codec.decode(cursor, scope), key_types) if cursor else None
    rows = fetch(after, limit + 1)
    items = list(rows[:limit])
    if len(rows) <= limit or not items:
        return Page(items)
    last = [v.isoformat() if isinstance(v, datetime) else v for v in key(items[-1])]
    return Page(items, codec.encode(scope, last))


def _position(values: list[Any], key_types: Sequence[type]) -> Position:
    if len(values) != len(key_types):
        raise InvalidInput("cursor is not valid")
    try:
        return tuple(_typed(value, kind) for value, kind in zip(values, key_types, strict=True))
    except (TypeError, ValueError):
        raise InvalidInput("cursor is not valid") from None


def _typed(value: Any, kind: type) -> Any:
    if kind is datetime:
        return datetime.fromisoformat(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"expected {kind.__name__}")
    return value

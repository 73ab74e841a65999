"""Domain errors. Each carries the HTTP status the API maps it to; one handler renders them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class SkillMeatError(Exception):
    status_code = 400

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field  # the request field it is about, so a form can show it there


class NotFound(SkillMeatError):
    status_code = 404


class Conflict(SkillMeatError):
    status_code = 409


class InvalidInput(SkillMeatError):
    status_code = 422


class Busy(SkillMeatError):
    """At capacity for this kind of work right now: try again after `retry_after` seconds."""

    def __init__(self, detail: str, *, retry_after: int, status_code: int = 503) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.status_code = status_code


@contextmanager
def about(field: str) -> Iterator[None]:
    """Errors raised inside the block are about the request field `field`."""
    try:
        yield
    except SkillMeatError as exc:
        if exc.field is None:
            exc.field = field
        raise

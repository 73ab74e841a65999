"""Errors every repository reader raises, with messages a person can act on."""

from __future__ import annotations

from datetime import datetime


class ReaderError(Exception):
    """A repository could not be read."""


class RepositoryNotFound(ReaderError):
    """The repository does not exist, is private, or cannot be reached."""


class RefNotFound(ReaderError):
    """The branch, tag or commit does not exist in the repository."""


class RateLimited(ReaderError):
    """The host refuses more requests until `reset_at` (None when it did not say)."""

    def __init__(self, message: str, reset_at: datetime | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class ReaderUnavailable(ReaderError):
    """The reader cannot work here (tool missing, host down, timeout); retry later."""


class DeadlineExceeded(ReaderUnavailable):
    """The read ran past its deadline; every git process it started has been killed."""

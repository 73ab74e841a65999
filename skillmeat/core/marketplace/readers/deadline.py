"""A reader's deadline: every git process and HTTP request a reader starts ends by it.

A reader lives for one scan, browse or import, so its deadline is that operation's deadline
(SKILLMEAT_SCAN_DEADLINE_SECONDS). Each blocking call asks `bound` for its timeout, so a host
that accepts a connection and never answers costs that much time and no more.
"""

from __future__ import annotations

import time

from skillmeat.core.marketplace.readers.errors import DeadlineExceeded

SETTING = "SKILLMEAT_SCAN_DEADLINE_SECONDS"


class Deadline:
    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._at = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        return None if self._at is None else self._at - time.monotonic()

    @property
    def passed(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0

    def bound(self, timeout: float | None) -> float | None:
        """`timeout` cut to the time left; DeadlineExceeded once none is left."""
        left = self.remaining()
        if left is None:
            return timeout
        if left <= 0:
            raise self.exceeded()
        return left if timeout is None else min(timeout, left)

    def check(self) -> None:
        self.bound(None)

    def exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"stopped after {self.seconds:g} s ({SETTING}): the repository host did not "
            f"answer in time; check that it is reachable, or raise {SETTING}")


NO_DEADLINE = Deadline(None)

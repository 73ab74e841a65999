"""Slots: how many of one kind of work may run at once, shared by every thread of a process."""

from __future__ import annotations

import threading


class Slots:
    """A count of free places; the API takes one without waiting, background work waits.

    A threading semaphore rather than an async one: the rescan scheduler is a plain thread
    and must stay inside the same bound as the requests.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = threading.BoundedSemaphore(size)

    def try_take(self) -> bool:
        return self._free.acquire(blocking=False)

    def take_unless(self, stop: threading.Event, poll: float = 0.5) -> bool:
        """Wait for a place; False (and none taken) once `stop` is set."""
        while not stop.is_set():
            if self._free.acquire(timeout=poll):
                return True
        return False

    def give(self) -> None:
        self._free.release()

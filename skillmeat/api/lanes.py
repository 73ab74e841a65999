"""Lanes: each kind of blocking work runs in worker threads of its own, admitted with a bound.

A request's unit of work (open a session, call the service, commit, close) is ONE call into a
lane, so a thread holding a transaction never needs a second thread to finish it. Database
work, scans and browses each have their own threads: none of them waits for threads another
holds, and none takes the request pool's (FastAPI's default: pages, static files, /docs).
A request that finds its lane full waits a bounded time, then gets 503 or 429 with
Retry-After: overload answers fast instead of piling up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import ParamSpec, TypeVar

import anyio
import anyio.to_thread

from skillmeat.cache.db import POOL_SIZE
from skillmeat.config import Settings
from skillmeat.core.capacity import Slots
from skillmeat.core.errors import Busy

P = ParamSpec("P")
T = TypeVar("T")


class Lane:
    """At most `size` units at once; a caller that finds none free waits `wait` seconds."""

    def __init__(self, size: int, *, wait: float, busy: Callable[[], Busy]) -> None:
        self.size, self.wait = size, wait
        self._busy = busy
        self._admit = anyio.Semaphore(size)
        self._threads = anyio.CapacityLimiter(size)  # never short: admission keeps it so

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` in one of the lane's threads, once admitted."""
        await self._enter()
        try:
            return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs),
                                                  limiter=self._threads)
        finally:
            self._leave()

    async def _enter(self) -> None:
        try:
            self._admit.acquire_nowait()
            return
        except anyio.WouldBlock:
            pass
        try:
            with anyio.fail_after(self.wait):
                await self._admit.acquire()
        except TimeoutError:
            raise self._busy() from None

    def _leave(self) -> None:
        self._admit.release()


class SharedLane(Lane):
    """A lane whose slots background threads take too (the rescan scheduler): no waiting."""

    def __init__(self, slots: Slots, *, busy: Callable[[], Busy]) -> None:
        super().__init__(slots.size, wait=0, busy=busy)
        self.slots = slots

    async def _enter(self) -> None:
        if not self.slots.try_take():
            raise self._busy()

    def _leave(self) -> None:
        self.slots.give()


@dataclass(frozen=True)
class Lanes:
    database: Lane
    scans: SharedLane
    browses: Lane
    # /readyz: one database check at a time, on a connection of its own.
    probe: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(1))

    @classmethod
    def for_settings(cls, settings: Settings) -> Lanes:
        wait = settings.queue_wait_seconds
        scans, browses = settings.max_concurrent_scans, settings.max_concurrent_browses
        return cls(
            # No more units than pooled connections, so a unit never waits for the pool.
            database=Lane(POOL_SIZE, wait=wait, busy=lambda: Busy(
                "the server is busy: too many requests are waiting for the database; "
                "retry shortly", retry_after=1)),
            scans=SharedLane(Slots(scans), busy=lambda: Busy(
                f"{scans} scan(s) already running, the most this server runs at once "
                "(SKILLMEAT_MAX_CONCURRENT_SCANS); retry when one has finished",
                retry_after=10, status_code=429)),
            browses=Lane(browses, wait=wait, busy=lambda: Busy(
                f"{browses} repository read(s) (browse, import) already running, the most "
                "this server runs at once (SKILLMEAT_MAX_CONCURRENT_BROWSES); retry shortly",
                retry_after=2, status_code=429)),
        )

"""A host that hangs: a loopback listener that accepts every connection and never answers.

It keeps count of the connections it accepted and of those the other side closed, so a test
can wait until N clients are stuck on it, and know that a killed client really let go.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest


class HangingHost:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._changed = threading.Condition()
        self.accepted = 0
        self.closed = 0
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, scheme: str, name: str) -> str:
        return f"{scheme}://127.0.0.1:{self.port}/{name}.git"

    def wait_accepted(self, count: int, timeout: float = 30) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.accepted >= count, timeout)

    def wait_all_closed(self, timeout: float = 30) -> bool:
        """Whether every accepted connection was closed by its client within `timeout`."""
        with self._changed:
            return self._changed.wait_for(lambda: self.closed == self.accepted, timeout)

    def stop(self) -> None:
        self._listener.close()
        for conn in self._conns:
            conn.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._conns.append(conn)
            with self._changed:
                self.accepted += 1
                self._changed.notify_all()
            threading.Thread(target=self._swallow, args=(conn,), daemon=True).start()

    def _swallow(self, conn: socket.socket) -> None:
        # Read whatever the client sends, answer nothing, notice when it goes away.
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass
        with self._changed:
            self.closed += 1
            self._changed.notify_all()


@pytest.fixture
def hanging_host() -> Iterator[HangingHost]:
    host = HangingHost()
    yield host
    host.stop()

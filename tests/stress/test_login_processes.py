"""Log-in sessions and the failed-log-in limit hold across server processes and restarts."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from skillmeat.cache.db import Database
from skillmeat.core.logins import ATTEMPTS_PER_WINDOW
from tests.server_process import ServerProcess

BASE = "/api/v1/marketplace/sources"
TOKEN = "two-process-token-0123456789"


@pytest.fixture
def servers(db: Database, tmp_path: Path) -> Iterator[list[ServerProcess]]:
    procs = [ServerProcess(db.url, tmp_path / f"data{i}", SKILLMEAT_API_TOKEN=TOKEN,
                           SKILLMEAT_PROTECT_READS="true") for i in range(2)]
    for proc in procs:
        proc.start()
    yield procs
    for proc in procs:
        proc.stop()


def test_a_session_opened_on_one_process_works_on_another_and_logout_ends_it_on_both(
        servers: list[ServerProcess]) -> None:
    a, b = servers
    with httpx.Client(base_url=a.url, timeout=10) as on_a:
        assert on_a.post("/login", data={"token": TOKEN}).status_code == 303
        jar = dict(on_a.cookies)
    with httpx.Client(base_url=b.url, cookies=jar, timeout=10) as on_b:
        assert on_b.get(BASE).status_code == 200
        csrf = {"X-CSRF-Token": jar["skillmeat_csrf"]}
        assert on_b.post(BASE, json={"repo_url": "https://github.com/a/b"},
                         headers=csrf).status_code == 201
        on_b.post("/logout")
    with httpx.Client(base_url=a.url, cookies=jar, timeout=10) as again_on_a:
        assert again_on_a.get(BASE).status_code == 401


def test_a_session_survives_a_restart(servers: list[ServerProcess]) -> None:
    a, _ = servers
    with httpx.Client(base_url=a.url, timeout=10) as client:
        client.post("/login", data={"token": TOKEN})
        jar = dict(client.cookies)
    a.stop()
    a.start()
    with httpx.Client(base_url=a.url, cookies=jar, timeout=10) as client:
        assert client.get(BASE).status_code == 200


def test_failed_logins_count_together_across_processes(servers: list[ServerProcess]) -> None:
    def attempt(i: int) -> int:
        server = servers[i % 2]
        return httpx.post(f"{server.url}/login", data={"token": f"guess-{i}"},
                          timeout=10).status_code

    # Concurrent guesses on both processes: no more than the limit get their token checked.
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(attempt, range(ATTEMPTS_PER_WINDOW * 3)))
    assert statuses.count(403) <= ATTEMPTS_PER_WINDOW
    assert statuses.count(429) >= ATTEMPTS_PER_WINDOW * 2
    for server in servers:  # the right token too, on either process
        assert httpx.post(f"{server.url}/login", data={"token": TOKEN},
                          timeout=10).status_code == 429

"""Readers stop at their deadline against a host that accepts and never answers.

No timing is asserted: what is asserted is the error a person gets, and that every git
process of the read is gone (the hanging host sees each connection closed).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from skillmeat.core.marketplace.readers.deadline import Deadline
from skillmeat.core.marketplace.readers.errors import DeadlineExceeded
from skillmeat.core.marketplace.readers.git import GitReader
from skillmeat.core.marketplace.readers.git_cache import PartialClone
from skillmeat.core.marketplace.readers.git_process import git_env
from skillmeat.core.marketplace.readers.github import GitHubReader
from tests.fakes.hanging_host import HangingHost


@pytest.fixture(autouse=True)
def _git_may_use_loopback_remotes(monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite lets git use only "file"; these hosts are loopback listeners of the test.
    monkeypatch.setenv("SKILLMEAT_GIT_PROTOCOLS", "file:git:https")


@pytest.mark.parametrize("scheme", ["git", "https"])
def test_git_reader_kills_git_at_the_deadline_of_a_host_that_never_answers(
        hanging_host: HangingHost, tmp_path: Path, scheme: str) -> None:
    reader = GitReader(hanging_host.url(scheme, "stuck"), None, tmp_path, allow_local=False,
                       deadline=Deadline(1))
    with pytest.raises(DeadlineExceeded, match="SKILLMEAT_SCAN_DEADLINE_SECONDS"):
        reader.resolve()
    assert hanging_host.accepted >= 1
    assert hanging_host.wait_all_closed(timeout=10)


def test_a_fetch_waits_for_another_readers_clone_lock_only_until_its_deadline(
        hanging_host: HangingHost, tmp_path: Path) -> None:
    clone = PartialClone(hanging_host.url("git", "locked"), False, tmp_path, 600,
                         "git", Deadline(0.5))
    tmp_path.mkdir(exist_ok=True)
    with open(clone._lock_path, "a+b") as held:  # another reader, fetching
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(DeadlineExceeded):
            clone.ensure_commit("a" * 40)
    assert hanging_host.accepted == 0  # it never got as far as the network


def test_github_reader_stops_retrying_at_the_deadline(hanging_host: HangingHost) -> None:
    reader = GitHubReader("octo", "stuck", None, api_url=f"http://127.0.0.1:{hanging_host.port}",
                          retries=10, timeout=600, deadline=Deadline(1), sleep=lambda _s: None)
    with pytest.raises(DeadlineExceeded):
        reader.resolve()
    reader.close()
    assert hanging_host.wait_all_closed(timeout=10)


def test_git_gets_low_speed_and_connect_limits_for_every_transport() -> None:
    env = git_env()
    assert int(env["GIT_HTTP_LOW_SPEED_LIMIT"]) > 0 and int(env["GIT_HTTP_LOW_SPEED_TIME"]) > 0
    assert "ConnectTimeout=" in env["GIT_SSH_COMMAND"]
    assert "BatchMode=yes" in env["GIT_SSH_COMMAND"]


def test_no_deadline_leaves_timeouts_as_given() -> None:
    assert Deadline(None).bound(7.0) == 7.0
    assert Deadline(60).bound(None) is not None
    with pytest.raises(DeadlineExceeded):
        Deadline(-1).check()
    assert not os.environ.get("SKILLMEAT_SCAN_DEADLINE_SECONDS")  # the default applies here

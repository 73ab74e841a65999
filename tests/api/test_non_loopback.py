"""`skillmeat serve` on a non-loopback address, inside a network namespace the test makes:
the bind guard, blank tokens, the Host check and the log-in cookie over plain HTTP.

SQLite only: inside the namespace the PostgreSQL server on the host's loopback is out of reach.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.netns import Namespace, network_namespace
from tests.server_process import ServerProcess, free_port

BASE = "/api/v1/marketplace/sources"
TOKEN = "namespace-token-0123456789"


@pytest.fixture(scope="module")
def netns() -> Iterator[Namespace]:
    with network_namespace() as namespace:
        yield namespace


def serve(netns: Namespace, tmp_path: Path, *args: str,
          **env: str) -> subprocess.CompletedProcess[str]:
    """Run `serve` in the namespace when it is expected to refuse to start."""
    return subprocess.run(
        [*netns.prefix, sys.executable, "-m", "skillmeat.cli.main", "serve", "--port",
         str(free_port()), *args], capture_output=True, text=True, timeout=60,
        env={**ServerProcess("sqlite:///" + str(tmp_path / "db.sqlite"), tmp_path).env, **env})


def started(netns: Namespace, tmp_path: Path, **env: str) -> ServerProcess:
    return ServerProcess(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "data",
                         host=netns.server_ip, prefix=netns.prefix, **env).start()


@pytest.fixture
def server(netns: Namespace, tmp_path: Path) -> Iterator[ServerProcess]:
    proc = started(netns, tmp_path, SKILLMEAT_API_TOKEN=TOKEN,
                   SKILLMEAT_ALLOWED_HOSTS="skills.test")
    yield proc
    proc.stop()


def http(server: ServerProcess) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=10, trust_env=False)


@pytest.mark.parametrize("token, host_args", [
    ("", ("--host", "0.0.0.0")),
    ("   ", ("--host", "0.0.0.0", "--insecure-no-auth")),
    ("\t", ("--host", "PRIVATE", "--insecure-no-auth")),
])
def test_blank_token_is_refused_at_start_with_a_clear_message(
        netns: Namespace, tmp_path: Path, token: str, host_args: tuple[str, ...]) -> None:
    args = [netns.server_ip if arg == "PRIVATE" else arg for arg in host_args]
    proc = serve(netns, tmp_path, *args, SKILLMEAT_API_TOKEN=token)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "SKILLMEAT_API_TOKEN is set but empty" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_no_token_on_a_private_address_is_refused_unless_insecure(netns: Namespace,
                                                                   tmp_path: Path) -> None:
    proc = serve(netns, tmp_path, "--host", netns.server_ip)
    assert proc.returncode == 2
    assert f"refusing to serve on {netns.server_ip} without SKILLMEAT_API_TOKEN" in proc.stderr


def test_token_server_answers_its_address_and_allowed_names_only(server: ServerProcess,
                                                                 netns: Namespace) -> None:
    with http(server) as client:
        assert client.get("/healthz").status_code == 200  # Host: the address itself
        assert client.get("/healthz", headers={"Host": "skills.test"}).status_code == 200
        rebound = client.get(BASE, headers={"Host": "attacker.example"})
        assert rebound.status_code == 400
        assert client.post(BASE, json={"repo_url": "https://github.com/a/b"}).status_code == 401
        bearer = client.post(BASE, json={"repo_url": "https://github.com/a/b"},
                             headers={"Authorization": f"Bearer {TOKEN}"})
        assert bearer.status_code == 201


def test_login_cookie_over_plain_http_is_not_secure_and_forwarded_proto_is_not_trusted(
        server: ServerProcess) -> None:
    with http(server) as client:
        login = client.post("/login", data={"token": TOKEN},
                            headers={"X-Forwarded-Proto": "https"}, follow_redirects=False)
        assert login.status_code == 303
        cookies = " ".join(login.headers.get_list("set-cookie"))
        assert "skillmeat_session=" in cookies and "Secure" not in cookies
        assert TOKEN not in cookies
        created = client.post(BASE, json={"repo_url": "https://github.com/a/c"},
                              headers={"X-CSRF-Token": client.cookies["skillmeat_csrf"]})
        assert created.status_code == 201


def test_a_trusted_proxy_saying_https_gets_a_secure_cookie(netns: Namespace,
                                                           tmp_path: Path) -> None:
    proc = started(netns, tmp_path, SKILLMEAT_API_TOKEN=TOKEN,
                   SKILLMEAT_TRUSTED_PROXIES=netns.host_ip)
    try:
        with http(proc) as client:
            login = client.post("/login", data={"token": TOKEN},
                                headers={"X-Forwarded-Proto": "https"}, follow_redirects=False)
            assert "Secure" in login.headers["set-cookie"]
    finally:
        proc.stop()


def test_the_browser_keeps_the_login_cookie_over_plain_http_and_the_ui_works(
        netns: Namespace, tmp_path: Path) -> None:
    from tests.web.conftest import CHROMIUM_ARGS, IN_CI, chromium_path

    executable = chromium_path()
    if executable is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI", pytrace=False)
        pytest.skip("Chromium not found")
    from playwright.sync_api import sync_playwright

    proc = started(netns, tmp_path, SKILLMEAT_API_TOKEN=TOKEN, SKILLMEAT_PROTECT_READS="true")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                                 args=[*CHROMIUM_ARGS, "--no-proxy-server"])
            page = browser.new_page()
            page.set_default_timeout(10_000)
            page.goto(f"{proc.url}/")
            assert "/login?next=" in page.url
            page.fill("#token", TOKEN)
            page.click("button[type=submit]")
            page.wait_for_url(f"{proc.url}/")
            names = {c["name"] for c in page.context.cookies()}
            assert {"skillmeat_session", "skillmeat_csrf"} <= names
            page.uncheck("#scan-now")
            page.fill("#repo-url", "https://github.com/acme/tools")
            page.click("#add-source-submit")
            page.locator("#source-list", has_text="tools").wait_for()
            page.reload()  # stored, and still logged in
            page.locator("#source-list", has_text="tools").wait_for()
            browser.close()
    finally:
        proc.stop()

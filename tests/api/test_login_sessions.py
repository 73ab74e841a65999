"""Web UI log-ins: server-side sessions, CSRF, logout, rate limits, cookie flags, /readyz."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, update

from skillmeat.cache.db import Database
from skillmeat.cache.models import LoginAttempt, WebSession, utcnow
from skillmeat.config import Settings
from skillmeat.core.logins import ATTEMPTS_PER_WINDOW, client_key

BASE = "/api/v1/marketplace/sources"
TOKEN = "session-test-token-0123456789"
BODY = {"repo_url": "https://github.com/acme/tools"}


@pytest.fixture
def protected(live_server: Any, settings: Settings, db: Database) -> Settings:
    guarded = settings.model_copy(update={"api_token": SecretStr(TOKEN)})
    live_server.use(guarded, db)
    return guarded


def log_in(client: httpx.Client, token: str = TOKEN, **headers: str) -> httpx.Response:
    return client.post("/login", data={"token": token, "next": "/"}, headers=headers,
                       follow_redirects=False)


def set_cookies(resp: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in resp.headers.get_list("set-cookie")}


def test_login_cookie_holds_a_session_secret_not_the_token(client: httpx.Client,
                                                           protected: Settings) -> None:
    resp = log_in(client)
    assert resp.status_code == 303
    cookies = set_cookies(resp)
    session, csrf = cookies["skillmeat_session"], cookies["skillmeat_csrf"]
    assert TOKEN not in " ".join(resp.headers.get_list("set-cookie"))
    assert "HttpOnly" in session and "HttpOnly" not in csrf
    assert "samesite=strict" in session.lower() and "Max-Age=604800" in session
    assert "Secure" not in session  # plain HTTP: a Secure cookie would be dropped
    assert client.cookies["skillmeat_session"] not in (TOKEN, "")


def test_session_writes_need_the_sessions_own_csrf_header(client: httpx.Client,
                                                          protected: Settings) -> None:
    log_in(client)
    csrf = client.cookies["skillmeat_csrf"]
    assert client.post(BASE, json=BODY).status_code == 403
    assert client.post(BASE, json=BODY, headers={"X-CSRF-Token": "forged"}).status_code == 403
    client.cookies.set("skillmeat_csrf", "forged")  # a planted cookie does not help either
    assert client.post(BASE, json=BODY, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post(BASE, json=BODY, headers={"X-CSRF-Token": csrf}).status_code == 201


def test_logout_revokes_the_session_server_side(client: httpx.Client, protected: Settings,
                                                db: Database) -> None:
    log_in(client)
    session = client.cookies["skillmeat_session"]
    csrf = {"X-CSRF-Token": client.cookies["skillmeat_csrf"]}
    assert client.post(BASE, json=BODY, headers=csrf).status_code == 201
    assert client.post("/logout", follow_redirects=False).status_code == 303
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0
    client.cookies.set("skillmeat_session", session)  # replaying the old cookie
    replay = client.post(BASE, json={"repo_url": "https://github.com/acme/other"}, headers=csrf)
    assert replay.status_code == 401
    assert "log in again" in replay.json()["detail"]


def test_changing_the_token_or_expiry_ends_a_session(client: httpx.Client, live_server: Any,
                                                     protected: Settings, db: Database) -> None:
    log_in(client)
    csrf = {"X-CSRF-Token": client.cookies["skillmeat_csrf"]}
    live_server.use(protected.model_copy(update={"api_token": SecretStr("rotated-token")}), db)
    assert client.post(BASE, json=BODY, headers=csrf).status_code == 401
    live_server.use(protected, db)
    assert client.post(BASE, json=BODY, headers=csrf).status_code == 201
    with db.session() as s:
        s.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.post(BASE, json={"repo_url": "https://github.com/a/b"},
                       headers=csrf).status_code == 401


def test_protected_pages_send_an_ended_session_to_the_login_form(
        client: httpx.Client, live_server: Any, protected: Settings, db: Database) -> None:
    live_server.use(protected.model_copy(update={"protect_reads": True}), db)
    client.cookies.set("skillmeat_session", "made-up")
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    log_in(client)
    assert client.get("/", follow_redirects=False).status_code == 200


def test_failed_logins_are_limited_per_client_and_the_token_is_not_even_checked(
        client: httpx.Client, protected: Settings, db: Database) -> None:
    for _ in range(ATTEMPTS_PER_WINDOW):
        assert log_in(client, "wrong").status_code == 403
    limited = log_in(client, "wrong")
    assert limited.status_code == 429
    assert 0 < int(limited.headers["retry-after"]) <= 15 * 60
    assert "Too many failed log-ins" in limited.text
    assert log_in(client).status_code == 429  # the right token too, while limited
    assert "skillmeat_session" not in client.cookies
    # Another address (the test server trusts loopback's X-Forwarded-For) is not locked out.
    assert log_in(client, **{"X-Forwarded-For": "203.0.113.7"}).status_code == 303
    with db.session() as s:  # the window passes
        s.execute(update(LoginAttempt).values(attempted_at=utcnow() - timedelta(minutes=16)))
    assert log_in(client).status_code == 303


def test_successful_logins_do_not_use_up_the_budget(client: httpx.Client,
                                                    protected: Settings) -> None:
    for _ in range(ATTEMPTS_PER_WINDOW + 3):
        assert log_in(client).status_code == 303


def test_cookie_is_secure_over_https_from_a_trusted_proxy(client: httpx.Client,
                                                          protected: Settings) -> None:
    resp = log_in(client, **{"X-Forwarded-Proto": "https"})
    assert "Secure" in set_cookies(resp)["skillmeat_session"]
    assert "Secure" in set_cookies(resp)["skillmeat_csrf"]


@pytest.mark.parametrize("address, key", [
    ("192.0.2.10", "192.0.2.10"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.10", "192.0.2.10"),
    (None, "unknown"),
])
def test_attempts_count_per_address_and_per_ipv6_64(address: str | None, key: str) -> None:
    assert client_key(address) == key


def test_readyz_names_the_database_only_to_authorized_callers_under_protected_reads(
        client: httpx.Client, live_server: Any, protected: Settings, db: Database) -> None:
    assert set(client.get("/readyz").json()) == {"status", "database", "revision"}
    live_server.use(protected.model_copy(update={"protect_reads": True}), db)
    anonymous = client.get("/readyz")
    assert anonymous.status_code == 200 and anonymous.json() == {"status": "ready"}
    wrong = client.get("/readyz", headers={"Authorization": "Bearer nope"})
    assert wrong.json() == {"status": "ready"}
    bearer = client.get("/readyz", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert bearer["database"] == db.engine.dialect.name and bearer["revision"]
    log_in(client)
    assert "revision" in client.get("/readyz").json()

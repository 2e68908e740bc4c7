"""The signer's session cookie: a page keeps the session alive by sending the cookie
again, at most once a minute; a session idle for two hours has ended."""

from __future__ import annotations

import time

import pytest

from signing.web import sessioncookie
from signing.web.app import create_app
from tests.signing.signer_pages import open_plan


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40})


def later(monkeypatch, seconds: float) -> None:
    """The clock, as itsdangerous and the session interface read it, ``seconds`` on."""
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + seconds)


def test_a_page_sends_the_session_again_once_it_is_a_minute_old(app, client, sessions,
                                                                 monkeypatch):
    open_plan(app, client, sessions)
    assert "Set-Cookie" not in client.get("/sign").headers  # just issued: nothing to sign
    later(monkeypatch, sessioncookie.REFRESH_AFTER + 1)
    refreshed = client.get("/sign")
    assert refreshed.status_code == 200
    assert "HttpOnly" in refreshed.headers["Set-Cookie"]  # the idle time starts over
    assert "Set-Cookie" not in client.get("/sign").headers


def test_a_session_kept_alive_outlives_its_first_two_hours(app, client, sessions,
                                                           monkeypatch):
    open_plan(app, client, sessions)
    later(monkeypatch, 3600)
    assert client.get("/sign").status_code == 200  # and the cookie sent again
    later(monkeypatch, 2 * 3600 - 60)  # from the refresh, not the first cookie
    assert client.get("/sign").status_code == 200


def test_a_session_idle_for_two_hours_has_ended(app, client, sessions, monkeypatch):
    open_plan(app, client, sessions)
    later(monkeypatch, 2 * 3600 + 1)
    page = client.get("/sign")
    assert page.status_code == 403
    assert "This page has expired" in page.get_data(as_text=True)

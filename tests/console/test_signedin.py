"""Signing in to the console and what a session allows (signing.web.console.signedin)."""

from __future__ import annotations

import datetime as dt

import pytest

from signing.domain import people
from signing.domain.models import ConsoleSessionRow
from tests.console.conftest import PASSWORD


def test_a_page_sends_someone_not_signed_in_to_sign_in_and_back(console):
    response = console.get("/console/records/?q=x")
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/signin?next=/console/records/?q%3Dx"


def test_signing_in_opens_a_session_whose_cookie_is_httponly_and_lax(console):
    who = console.person("hr")
    response = console.post("/console/signin", data={"username": who.username,
                                                      "password": PASSWORD},
                            token_from="/console/signin")
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("plansign_console="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" in cookie  # base_url is https
    assert who.display_name in console.get("/console/").get_data(as_text=True)


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(console):
    who = console.person("hr")
    response = console.post("/console/signin", data={"username": who.username,
                                                      "password": "not it at all"},
                            token_from="/console/signin")
    assert response.status_code == 400
    assert "The username or password is not right" in response.get_data(as_text=True)
    assert console.get("/console/").status_code == 302


def test_a_form_without_the_csrf_token_changes_nothing(console):
    console.sign_in("hr")
    response = console.client.post("/console/signout", data={})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert console.get("/console/").status_code == 200  # still signed in


def test_signing_out_ends_the_session_for_good(console, sessions):
    console.sign_in("hr")
    cookie = console.client.get_cookie("plansign_console", path="/console").value
    console.sign_out()
    assert console.get("/console/").status_code == 302
    console.client.set_cookie("plansign_console", cookie, path="/console")
    assert console.get("/console/").status_code == 302  # the old cookie opens nothing
    with sessions() as session:
        assert session.get(ConsoleSessionRow, people.hash_token(cookie)).ended_at is not None


@pytest.mark.parametrize("field, age", [("last_seen_at", dt.timedelta(minutes=31)),
                                        ("expires_at", dt.timedelta(seconds=0))])
def test_an_idle_or_expired_session_ends(console, sessions, field, age):
    console.sign_in("hr")
    cookie = console.client.get_cookie("plansign_console", path="/console").value
    with sessions.begin() as session:
        row = session.get(ConsoleSessionRow, people.hash_token(cookie))
        setattr(row, field, dt.datetime.now(dt.UTC) - age)
    assert console.get("/console/").status_code == 302


def test_a_disabled_person_is_signed_out_at_once(console, sessions):
    who = console.sign_in("hr")
    with sessions.begin() as session:
        people.disable(session, who.username, dt.datetime.now(dt.UTC))
    assert console.get("/console/").status_code == 302


@pytest.mark.parametrize("role, path, allowed", [
    ("manager", "/console/admin/", False), ("records", "/console/drafts/", False),
    ("hr", "/console/admin/", False), ("manager", "/console/records/", False),
    ("admin", "/console/admin/", True), ("records", "/console/records/", True),
    ("manager", "/console/drafts/", True)])
def test_each_area_is_open_only_to_its_roles(console, role, path, allowed):
    console.sign_in(role)
    assert console.get(path).status_code == (200 if allowed else 403)


def test_sign_in_goes_back_only_to_a_console_page(console):
    who = console.person("hr")
    for target, expected in [("/console/records/", "/console/records/"),
                             ("https://evil.example/", "/console/"),
                             ("//evil.example/", "/console/"),
                             ("/console//evil.example", "/console/")]:
        console.client.delete_cookie("plansign_console", path="/console")
        response = console.post("/console/signin", data={
            "username": who.username, "password": PASSWORD, "next": target},
            token_from="/console/signin")
        assert response.headers["Location"] == expected, target

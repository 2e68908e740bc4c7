"""Fixtures for the console's tests: the web app on the test's database, people of each
role, and a ``console`` helper that signs a person in (flaskr's ``auth``, for people).

    def test_something(console):
        hr = console.sign_in("hr")            # a new HR person, signed in on console.client
        page = console.get("/console/")       # the page as they see it
        console.post("/console/...", data={...})   # CSRF token added
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from signing.domain import people, signin
from signing.web.app import create_app
from signing.web.current import services_of

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# Hashing a password costs argon2's full work; tests make many people with one hash.
_HASH: list[str] = []


@pytest.fixture
def app(tmp_path, database_url, clean_env):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})


def password_hash() -> str:
    if not _HASH:
        _HASH.append(signin.hash_password(PASSWORD))
    return _HASH[0]


class Console:
    """People signing in to the console with ``client``, and requests as them."""

    def __init__(self, app, client, sessions) -> None:
        self.app, self.client, self.sessions = app, client, sessions
        self._count = 0

    def person(self, role: str, *, team: str | None = None, username: str | None = None,
               display_name: str | None = None, email: str | None = None) -> people.Person:
        """A new person of ``role`` with the password :data:`PASSWORD`."""
        self._count += 1
        username = username or f"{role}{self._count}"
        with self.sessions.begin() as session:
            return people.create_person(
                session, username=username,
                display_name=display_name or f"{role.title()} Person {self._count}",
                email=email or f"{username}@example.com", role=role, team=team,
                password_hash=password_hash(), now=NOW, created_by="cli:test")

    def sign_in(self, role_or_person: str | people.Person, **person_options) -> people.Person:
        """Sign a person in through the sign-in form (a new one of the role, if a role is
        given); later requests on :attr:`client` are theirs."""
        who = (self.person(role_or_person, **person_options)
               if isinstance(role_or_person, str) else role_or_person)
        self.client.delete_cookie("plansign_console", path="/console")
        response = self.post("/console/signin", data={"username": who.username,
                                                       "password": PASSWORD},
                             token_from="/console/signin")
        assert response.status_code == 302, response.get_data(as_text=True)
        return who

    def sign_out(self) -> None:
        self.post("/console/signout", data={})

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def token(self, page: str = "/console/") -> str:
        """The CSRF token the forms of ``page`` carry."""
        text = self.client.get(page).get_data(as_text=True)
        found = _TOKEN.search(text)
        assert found, f"no CSRF token on {page}"
        return html.unescape(found.group(1))

    def post(self, path: str, *, data: dict, token_from: str = "/console/", **kwargs):
        """Post ``data`` as a console form does, with the token of ``token_from``."""
        return self.client.post(path, data={"csrf_token": self.token(token_from), **data},
                                **kwargs)


@pytest.fixture
def console(app, client, sessions) -> Console:
    return Console(app, client, sessions)


@pytest.fixture
def services(app):
    return services_of(app)

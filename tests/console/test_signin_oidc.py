"""Single sign-on to the console by OpenID Connect, end to end against a real provider on
127.0.0.1 (tests/console/oidc_provider.py): Authlib's client in the app does discovery,
PKCE, the token exchange and the ID token's checks; nothing of it is mocked."""

from __future__ import annotations

import datetime as dt
import re
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from archive.models import AccessEntry
from signing.domain import people
from signing.domain.models import ConsoleSessionRow, PersonRow
from signing.web.app import create_app
from tests.console.conftest import Console
from tests.console.oidc_provider import Provider, oidc_provider  # noqa: F401  (fixture)

COOKIE = "plansign_console"


@pytest.fixture
def settings(request, oidc_provider):  # noqa: F811
    """The console's single sign-on settings; a test's parameter may say people are not
    created (``{"create": False}``) or the provider is down (``{"down": True}``)."""
    options = getattr(request, "param", {})
    chosen = oidc_provider.settings(
        roles="plansign-hr-emea=hr/EMEA; plansign-hr=hr; plansign-managers=manager",
        create_people=options.get("create", True))
    if options.get("down"):
        chosen["console_oidc_issuer"] = f"http://127.0.0.1:{_closed_port()}"
    return chosen


@pytest.fixture
def app(tmp_path, database_url, clean_env, settings):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                       **settings})


def start(console: Console, next_path: str | None = None):
    """Follow "Sign in with ..." on the sign-in page: the redirect to the provider."""
    return console.client.get("/console/signin/oidc",
                              query_string={"next": next_path} if next_path else {})


def come_back(console: Console, callback_url: str):
    """The browser, sent back by the provider to plansign's callback."""
    parts = urlsplit(callback_url)
    assert f"{parts.scheme}://{parts.netloc}" == "https://sign.example.com", callback_url
    return console.client.get(f"{parts.path}?{parts.query}")


def sign_on(console: Console, provider: Provider, subject: str, next_path: str | None = None):
    departure = start(console, next_path)
    assert departure.status_code == 302, departure.get_data(as_text=True)[:1000]
    return come_back(console, provider.sign_in(departure.headers["Location"], subject))


def session_of(console: Console, sessions) -> ConsoleSessionRow:
    token = console.client.get_cookie(COOKIE, path="/console").value
    with sessions() as session:
        row = session.get(ConsoleSessionRow, people.hash_token(token))
        session.expunge(row)
        return row


def test_the_sign_in_page_offers_the_provider(console):
    page = console.get("/console/signin").get_data(as_text=True)
    assert "Sign in with Test Provider" in page
    assert 'href="/console/signin/oidc"' in page


def test_someone_new_signs_on_is_created_with_the_mapped_role_and_later_updated(
        console, oidc_provider, sessions):  # noqa: F811
    oidc_provider.set_user("sub-dana-1", {
        "email": "dana@example.com", "name": "Dana Ólafsdóttir",
        "preferred_username": "Dana.O", "groups": ["staff", "plansign-hr-emea", "plansign-hr"]})
    departure = start(console, "/console/records/")
    query = parse_qs(urlsplit(departure.headers["Location"]).query)
    # PKCE with S256, a state and a nonce, the redirect URI under base_url.
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["https://sign.example.com/console/signin/oidc/callback"]
    assert query["scope"] == ["openid email profile"]
    arrived = come_back(console, oidc_provider.sign_in(departure.headers["Location"],
                                                       "sub-dana-1"))
    assert arrived.status_code == 302 and arrived.headers["Location"] == "/console/records/"
    assert session_of(console, sessions).method == "oidc"
    with sessions() as session:
        row = session.scalar(select(PersonRow).where(PersonRow.oidc_subject == "sub-dana-1"))
        assert (row.username, row.display_name, row.email, row.role, row.team) == (
            "dana.o", "Dana Ólafsdóttir", "dana@example.com", "hr", "EMEA")
        assert row.oidc_issuer == oidc_provider.issuer and row.password_hash is None
    assert "Dana Ólafsdóttir" in console.get("/console/").get_data(as_text=True)
    console.sign_out()

    # At the provider, Dana moves to managing a team: the next sign-in says so.
    oidc_provider.set_user("sub-dana-1", {
        "email": "dana@example.com", "name": "Dana Ólafsdóttir",
        "groups": ["plansign-managers"]})
    assert sign_on(console, oidc_provider, "sub-dana-1").status_code == 302
    with sessions() as session:
        rows = list(session.scalars(select(PersonRow).where(PersonRow.email == "dana@example.com")))
        assert [(r.username, r.role, r.team) for r in rows] == [("dana.o", "manager", None)]
        entries = list(session.scalars(select(AccessEntry).where(
            AccessEntry.action == "console sign-in").order_by(AccessEntry.id)))
    assert [e.actor for e in entries] == ["Dana Ólafsdóttir", "Dana Ólafsdóttir"]
    assert entries[0].detail == f"person:dana.o; oidc; {oidc_provider.issuer}; created"
    assert "role 'hr' -> 'manager'" in entries[1].detail


def test_someone_in_no_mapped_group_is_refused_in_words(console, oidc_provider, sessions):  # noqa: F811
    oidc_provider.set_user("sub-lee", {"email": "lee@example.com", "groups": ["staff"]})
    refused = sign_on(console, oidc_provider, "sub-lee")
    assert refused.status_code == 403
    text = refused.get_data(as_text=True)
    assert "not in any group that may use plansign" in text and "Traceback" not in text
    assert console.client.get_cookie(COOKIE, path="/console") is None
    with sessions() as session:
        assert session.scalar(select(PersonRow).where(PersonRow.email == "lee@example.com")) \
            is None


@pytest.mark.parametrize("settings", [{"create": False}], indirect=True)
def test_unknown_people_are_refused_when_people_are_not_created(console, oidc_provider,  # noqa: F811
                                                                 sessions):
    oidc_provider.set_user("sub-kim", {"email": "Kim@example.com", "groups": ["plansign-hr"],
                                       "email_verified": True})
    # Someone with a password and the same address is not theirs to take.
    console.person("manager", username="kim-local", email="kim@example.com")
    refused = sign_on(console, oidc_provider, "sub-kim")
    assert refused.status_code == 403
    assert "You have no plansign account yet" in refused.get_data(as_text=True)
    # An admin makes an account for single sign-on (`plansign users create
    # --single-sign-on`): the first sign-in with its address links it, for good.
    with sessions.begin() as session:
        people.create_person(session, username="kim", display_name="Kim Park",
                             email="kim@example.com", role="manager", team=None,
                             password_hash=None, now=dt.datetime.now(dt.UTC),
                             created_by="cli:test")
    assert sign_on(console, oidc_provider, "sub-kim").status_code == 302
    assert session_of(console, sessions).method == "oidc"
    with sessions() as session:
        kim = people.row_of(session, "kim")
        assert (kim.oidc_issuer, kim.oidc_subject, kim.role) == (
            oidc_provider.issuer, "sub-kim", "hr")  # the provider's groups say hr
        assert people.row_of(session, "kim-local").oidc_subject is None
    # Linked once: another subject with the address gets nobody.
    oidc_provider.set_user("sub-other", {"email": "kim@example.com", "groups": ["plansign-hr"]})
    console.sign_out()
    assert sign_on(console, oidc_provider, "sub-other").status_code == 403


def test_a_disabled_person_is_refused(console, oidc_provider, sessions):  # noqa: F811
    oidc_provider.set_user("sub-ash", {"email": "ash@example.com", "groups": ["plansign-hr"]})
    assert sign_on(console, oidc_provider, "sub-ash").status_code == 302
    with sessions.begin() as session:
        row = session.scalar(select(PersonRow).where(PersonRow.oidc_subject == "sub-ash"))
        people.disable(session, row.username, dt.datetime.now(dt.UTC))
    refused = sign_on(console, oidc_provider, "sub-ash")
    assert refused.status_code == 403 and "disabled" in refused.get_data(as_text=True)


def test_a_callback_that_is_not_this_browsers_is_refused(console, app, oidc_provider,  # noqa: F811
                                                         sessions):
    oidc_provider.set_user("sub-eve", {"email": "eve@example.com", "groups": ["plansign-hr"]})
    departure = start(console)
    callback = oidc_provider.sign_in(departure.headers["Location"], "sub-eve")
    # Another browser (no handshake cookie of this sign-in): nothing opens.
    other = app.test_client()
    parts = urlsplit(callback)
    answer = other.get(f"{parts.path}?{parts.query}")
    assert answer.status_code == 400 and other.get_cookie(COOKIE, path="/console") is None
    assert "did not complete" in answer.get_data(as_text=True)
    # This browser, with the state changed: refused too.
    forged = re.sub(r"state=[^&]+", "state=forged", f"{parts.path}?{parts.query}")
    answer = console.client.get(forged)
    assert answer.status_code == 400 and console.client.get_cookie(COOKIE, path="/console") \
        is None
    with sessions() as session:
        details = [e.detail for e in session.scalars(select(AccessEntry).where(
            AccessEntry.action == "console sign-in", AccessEntry.allowed.is_(False)))]
    assert any("state is not the one" in d for d in details)


def test_cancelling_at_the_provider_is_said_plainly(console, oidc_provider):  # noqa: F811
    departure = start(console)
    back = come_back(console, oidc_provider.sign_in(departure.headers["Location"], "x",
                                                    deny=True))
    assert back.status_code == 400
    assert "was cancelled, so you are not signed in" in back.get_data(as_text=True)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("settings", [{"down": True}], indirect=True)
def test_a_provider_that_cannot_be_reached_gets_a_clear_page(console):
    answer = start(console)
    assert answer.status_code == 502
    text = answer.get_data(as_text=True)
    assert "Test Provider could not be reached" in text and "Traceback" not in text
    assert "Back to sign-in" in text


# -- the mapping, pure ----------------------------------------------------------------------


def test_role_rules_are_read_in_order_and_a_bad_one_names_the_setting():
    from signing.domain.access import Role
    from signing.domain.oidc import OidcSettingsError, RoleRule, parse_role_rules, role_of

    rules = parse_role_rules(" hr-emea = hr/EMEA ;line-managers=manager;; it=admin ")
    assert rules == (RoleRule("hr-emea", Role.HR, "EMEA"),
                     RoleRule("line-managers", Role.MANAGER), RoleRule("it", Role.ADMIN))
    assert role_of(["it", "line-managers"], rules).role is Role.MANAGER  # the setting's order
    for bad, says in [("hr", "is not 'value=role'"), ("x=boss", "'boss' in 'x=boss' is not a role"),
                      ("x=records/Team", "only hr and manager have a team")]:
        with pytest.raises(OidcSettingsError, match=re.escape(says)) as info:
            parse_role_rules(bad)
        assert info.value.setting == "console_oidc_roles"
        assert str(info.value).startswith("console_oidc_roles: ")


def test_claims_become_a_profile():
    from signing.domain.oidc import (
        OidcSettings,
        Refusal,
        SignInRefused,
        parse_role_rules,
        profile_of,
    )

    config = OidcSettings(issuer="https://id.example.com", provider_name="Example",
                          client_id="c", client_secret="s", scopes="openid email",
                          role_claim="roles", roles=parse_role_rules("PlanSign.HR=hr"),
                          create_people=True)
    profile = profile_of({"sub": "1", "email": "ana.lima@example.com", "roles": "PlanSign.HR",
                          "given_name": "Ana", "family_name": "Lima",
                          "preferred_username": "Ana Lima@corp"}, config)
    assert (profile.display_name, profile.role.value, profile.usernames) == (
        "Ana Lima", "hr", ("ana-lima-corp", "ana.lima"))
    for claims, refusal in [({"sub": "1", "roles": ["PlanSign.HR"]}, Refusal.NO_EMAIL),
                            ({"sub": "1", "email": "a@example.com", "roles": ["hr"]},
                             Refusal.NO_ROLE)]:
        with pytest.raises(SignInRefused) as info:
            profile_of(claims, config)
        assert info.value.refusal is refusal

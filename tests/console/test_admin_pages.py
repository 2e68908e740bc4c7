"""The console's administration pages (signing.web.console.admin): people and roles, API
keys, webhook endpoints with their deliveries, the settings in effect; admins only,
destructive changes behind a confirmation, every change in the access log by name, and
secrets shown once and never again."""

from __future__ import annotations

import html
import re

import pytest

import webhooks
from archive import access_log
from signing.domain import apikeys, people, people_admin, signin
from signing.domain.people import PersonError
from signing.web.app import create_app
from signing.web.console.admin import shown_value
from tests.console.test_console_language import set_preferences

pytestmark = pytest.mark.database


@pytest.fixture
def app(tmp_path, database_url, clean_env):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                       "webhook_allow_private": True})


def log(sessions, **kw):
    """The access log without the sign-ins and sign-outs (signing.domain.signin's)."""
    with sessions() as session:
        return [(e.action, e.allowed, e.actor, e.detail) for e in access_log(session, **kw)
                if e.action not in ("console sign-in", "console sign-out")]


ADMIN_PAGES = ["/console/admin/", "/console/admin/people", "/console/admin/keys",
               "/console/admin/webhooks", "/console/admin/settings"]


@pytest.mark.parametrize("role", ["hr", "records", "manager"])
def test_only_admins_reach_administration_and_refusals_are_logged(console, role, sessions):
    console.sign_in(role, team="Sales HR" if role in ("hr", "manager") else None)
    for path in ADMIN_PAGES:
        page = console.get(path)
        assert page.status_code == 403, path
        assert "This page is not for your role" in page.get_data(as_text=True)
    refused = console.post("/console/admin/keys", data={"name": "x", "role": "admin"})
    assert refused.status_code == 403
    with sessions() as session:
        assert apikeys.list_keys(session) == []
    assert all(not allowed for _, allowed, _, _ in log(sessions))


def test_an_admin_adds_a_person_with_a_temporary_password_shown_once(console, sessions):
    admin = console.sign_in("admin", display_name="Ada Admin")
    page = console.post("/console/admin/people", data={
        "display_name": "Dana Hr", "username": "dana", "email": "dana@example.com",
        "role": "hr", "team": "Sales HR", "sign_in": "password"},
        token_from="/console/admin/people")
    text = page.get_data(as_text=True)
    assert page.status_code == 201
    password = re.search(r'<code id="new-password">([^<]+)</code>', text).group(1)
    assert len(password) >= signin.MIN_PASSWORD
    assert password not in console.get("/console/admin/people").get_data(as_text=True)
    with sessions() as session:
        dana = people.find(session, "dana")
        assert (dana.role, dana.team, dana.has_password) == ("hr", "Sales HR", True)
        assert signin.password_matches(people.row_of(session, "dana").password_hash, password)
    action, allowed, actor, detail = log(sessions)[0]
    assert (action, allowed, actor) == ("admin person created", True, admin.display_name)
    assert password not in detail


def test_a_person_for_single_sign_on_has_no_password(console, sessions):
    console.sign_in("admin")
    page = console.post("/console/admin/people", data={
        "display_name": "Sam Sso", "username": "sam", "email": "sam@example.com",
        "role": "records", "team": "", "sign_in": "sso"}, token_from="/console/admin/people")
    assert page.status_code == 201
    assert "single sign-on only" in page.get_data(as_text=True)
    with sessions() as session:
        assert not people.find(session, "sam").has_password


def test_a_bad_person_is_answered_beside_the_field_with_what_was_typed(console, sessions):
    console.sign_in("admin")
    page = console.post("/console/admin/people", data={
        "display_name": "Rae Records", "username": "rae", "email": "rae@example.com",
        "role": "records", "team": "Sales HR", "sign_in": "password"},
        token_from="/console/admin/people")
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'id="f-team-error"' in text and "Only HR and managers belong to a team" in text
    assert 'value="Rae Records"' in text and 'href="#f-team"' in text
    with sessions() as session:
        assert all(p.username != "rae" for p in people.list_people(session))


def test_an_admin_changes_a_role_and_disables_a_person_after_confirming(console, sessions):
    admin = console.sign_in("admin")
    dana = console.person("hr", team="Sales HR")
    path = f"/console/admin/people/{dana.username}"
    changed = console.post(path, data={"role": "manager", "team": "Support HR"},
                           token_from=path)
    assert changed.status_code == 303
    with sessions() as session:
        assert (people.find(session, dana.username).role,
                people.find(session, dana.username).team) == ("manager", "Support HR")
    disable = f"{path}/disable"
    assert "Disable the account" in console.get(disable).get_data(as_text=True)
    assert console.post(disable, data={}, token_from=disable).status_code == 400
    with sessions() as session:
        assert not people.find(session, dana.username).disabled
    assert console.post(disable, data={"confirm": "yes"}, token_from=disable).status_code == 303
    with sessions() as session:
        assert people.find(session, dana.username).disabled
    actions = [(a, who) for a, _, who, _ in log(sessions)]
    assert actions[:2] == [("admin person disabled", admin.display_name),
                           ("admin person role changed", admin.display_name)]


def test_an_admin_cannot_change_their_own_role_or_disable_themselves(console, sessions):
    admin = console.sign_in("admin")
    path = f"/console/admin/people/{admin.username}"
    page = console.post(path, data={"role": "records", "team": ""}, token_from=path)
    assert page.status_code == 400
    assert "cannot change your own role" in page.get_data(as_text=True)
    refused = console.post(f"{path}/disable", data={"confirm": "yes"}, token_from=path)
    assert refused.status_code == 400
    assert "cannot disable your own account" in refused.get_data(as_text=True)
    with sessions() as session:
        me = people.find(session, admin.username)
        assert (me.role, me.disabled) == ("admin", False)


def test_people_admin_rules_are_pure_and_name_their_field():
    with pytest.raises(PersonError) as refused:
        people.role_and_team("admin", "Sales HR")
    assert refused.value.field == "team"
    assert people.role_and_team("hr", "  Sales   HR ") == ("hr", "Sales HR")
    assert people_admin.disable_problem("Ada", by="ada") is not None
    first, second = people_admin.temporary_password(), people_admin.temporary_password()
    assert first != second and len(first) == 23


def test_api_keys_are_made_shown_once_given_a_team_and_revoked(console, sessions):
    admin = console.sign_in("admin")
    made = console.post("/console/admin/keys", data={"name": "HRIS sync", "role": "hr",
                                                     "team": ""},
                        token_from="/console/admin/keys")
    text = made.get_data(as_text=True)
    assert made.status_code == 201
    plaintext = re.search(r'<code id="new-key">([^<]+)</code>', text).group(1)
    with sessions() as session:
        row = apikeys.authenticate(session, plaintext)
        assert row is not None and row.name == "HRIS sync"
        key_id = row.id
    listing = console.get("/console/admin/keys").get_data(as_text=True)
    assert plaintext not in listing and row.prefix in listing
    bad = console.post("/console/admin/keys", data={"name": "Records", "role": "records",
                                                    "team": "Sales HR"},
                       token_from="/console/admin/keys")
    assert bad.status_code == 400 and 'id="f-team-error"' in bad.get_data(as_text=True)
    team = f"/console/admin/keys/{key_id}/team"
    assert console.post(team, data={"team": "Sales HR", "confirm": "yes"},
                        token_from=team).status_code == 303
    revoke = f"/console/admin/keys/{key_id}/revoke"
    assert console.post(revoke, data={}, token_from=revoke).status_code == 400
    assert console.post(revoke, data={"confirm": "yes"}, token_from=revoke).status_code == 303
    with sessions() as session:
        assert apikeys.authenticate(session, plaintext) is None
        assert apikeys.find(session, str(key_id)).team == "Sales HR"
    assert [a for a, _, who, _ in log(sessions) if who == admin.display_name] == [
        "admin key revoked", "admin key team set", "admin key created"]
    assert console.get("/console/admin/keys/999/revoke").status_code == 404


def test_webhook_endpoints_are_added_disabled_enabled_rotated_and_redelivered(console,
                                                                             sessions):
    admin = console.sign_in("admin")
    added = console.post("/console/admin/webhooks", data={
        "url": "http://127.0.0.1:9/hooks", "events": ["envelope.completed", "envelope.voided"],
        "scope": "all", "scope_value": "", "name": "", "description": ""},
        token_from="/console/admin/webhooks")
    text = added.get_data(as_text=True)
    assert added.status_code == 201, text
    secret = re.search(r'<code id="new-secret">([^<]+)</code>', text).group(1)
    assert secret.startswith("whsec_")
    with sessions.begin() as session:
        [endpoint] = webhooks.list_endpoints(session)
        [message_id] = webhooks.publish(session, "envelope.voided", {"envelope_id": "e-1"},
                                        event_key="e-1:voided", ordering_key="e-1",
                                        owner="person:hr1", team=None, now=endpoint.created_at)
    page = f"/console/admin/webhooks/{endpoint.id}"
    text = console.get(page).get_data(as_text=True)
    assert "envelope.voided" in text and secret not in text
    assert f"by {admin.display_name}" in text
    disable = f"{page}/disable"
    assert console.post(disable, data={"reason": "Moving hosts"},
                        token_from=disable).status_code == 400  # not confirmed
    assert console.post(disable, data={"reason": "Moving hosts", "confirm": "yes"},
                        token_from=disable).status_code == 303
    refused = console.post(f"/console/admin/webhooks/deliveries/{message_id}/redeliver",
                           data={}, token_from=page)
    assert refused.status_code == 409
    assert console.post(f"{page}/enable", data={}, token_from=page).status_code == 303
    assert console.post(f"/console/admin/webhooks/deliveries/{message_id}/redeliver",
                        data={}, token_from=page).status_code == 303
    rotate = f"{page}/rotate"
    rotated = console.post(rotate, data={"overlap_hours": "2", "confirm": "yes"},
                           token_from=rotate)
    new = re.search(r'<code id="new-secret">([^<]+)</code>', rotated.get_data(as_text=True))
    assert new and new.group(1) != secret
    with sessions() as session:
        endpoint = webhooks.get_endpoint(session, endpoint.id)
        assert endpoint.secret == new.group(1) and endpoint.disabled_at is None
    assert console.get("/console/admin/webhooks/ep_nothing").status_code == 404
    actions = [a for a, _, _, _ in log(sessions) if a.startswith("admin")]
    assert actions[:4] == ["admin webhook secret rotated", "admin webhook redelivered",
                           "admin webhook enabled", "admin webhook disabled"]


def test_a_webhook_for_a_private_address_is_refused_beside_the_url(console, tmp_path,
                                                                   database_url, clean_env):
    console.sign_in("admin")
    page = console.post("/console/admin/webhooks", data={
        "url": "ftp://example.com/x", "events": ["envelope.voided"], "scope": "all"},
        token_from="/console/admin/webhooks")
    assert page.status_code == 400 and 'id="f-url-error"' in page.get_data(as_text=True)
    none = console.post("/console/admin/webhooks", data={
        "url": "http://127.0.0.1:9/x", "scope": "all"}, token_from="/console/admin/webhooks")
    assert none.status_code == 400 and 'id="f-events-error"' in none.get_data(as_text=True)


def test_the_settings_page_masks_secrets_and_passwords_in_urls(console, monkeypatch):
    assert shown_value("x", secret=True) == "(secret, set)"
    assert shown_value(None, secret=True) == "(secret, not set)"
    assert (shown_value("postgresql://app:hunter2@db/plansign", secret=False)
            == "postgresql://app:(secret)@db/plansign")
    assert shown_value("redis://cache:6379/0", secret=False) == "redis://cache:6379/0"
    assert shown_value([{"department": "Zürich Sales", "years": 10}], secret=False) == \
        '[{"department": "Zürich Sales", "years": 10}]'  # retention_rules, as in JSON
    console.sign_in("admin")
    text = console.get("/console/admin/settings").get_data(as_text=True)
    assert "retention_years" in text and "(secret, set)" in text  # secret_keys
    assert "k" * 40 not in text


def test_console_error_pages_are_the_consoles_and_the_signers_keep_theirs(app, console):
    def boom():
        raise RuntimeError("a bug")

    app.add_url_rule("/console/boom-for-test", "console_boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    console.sign_in("admin")
    for path, status, title in (("/console/nowhere", 404, "Page not found"),
                                ("/console/boom-for-test", 500, "Something went wrong")):
        page = console.get(path)
        text = page.get_data(as_text=True)
        assert page.status_code == status and title in text
        assert "console.css" in text and "a bug" not in text
    signer = console.get("/s/nowhere/at-all")
    assert signer.status_code == 404 and "console.css" not in signer.get_data(as_text=True)


def test_an_admin_is_told_in_french_why_they_cannot_disable_themselves(console, sessions):
    """The rule's one sentence (people_admin.disable_problem), in the admin's language on
    both pages: the person's page and the disable form's refusal."""
    admin = console.sign_in("admin")
    set_preferences(sessions, admin.username, "fr")
    said = ("Vous ne pouvez pas désactiver votre propre compte\u202f; demandez à un autre "
            "administrateur.")
    path = f"/console/admin/people/{admin.username}"
    assert said in html.unescape(console.get(path).get_data(as_text=True))
    refused = console.post(f"{path}/disable", data={"confirm": "yes"}, token_from=path)
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert said in page and "cannot disable your own account" not in page

"""The console in each person's own language and time zone (issue 18): the setting
(their own settings, an administrator's page, the command line, single sign-on's
``locale`` claim), checked with errors naming the field, and the pages that follow it:
words, ``<html lang dir>``, times in the person's zone, named."""

from __future__ import annotations

import re

import pytest

from signing.domain import oidc, people
from signing.domain.access import Role
from signing.domain.oidc import OidcSettings, RoleRule
from signing.domain.people import PersonError
from tests.console.conftest import NOW

pytestmark = pytest.mark.database
SSO = OidcSettings("https://id.example.com", "Example ID", "plansign", "secret",
                   "openid email profile", "groups", (RoleRule("staff", Role.HR, "EMEA"),),
                   True)


def html_tag(page) -> str:
    found = re.search(r"<html[^>]*>", page.get_data(as_text=True))
    assert found
    return found.group(0)


def set_preferences(sessions, username: str, language: str | None, zone: str | None = None):
    with sessions.begin() as session:
        people.set_preferences(session, people.row_of(session, username), language=language,
                               time_zone=zone)


@pytest.mark.parametrize("language,words,direction", [
    ("fr", ("Se déconnecter", "Nouveau plan"), "ltr"),
    ("ar", ("تسجيل الخروج",), "rtl"),
])
def test_a_console_page_speaks_the_persons_language(console, sessions, language, words,
                                                    direction):
    hr = console.sign_in("hr", team="EMEA")
    set_preferences(sessions, hr.username, language, "Europe/Paris")
    page = console.get("/console/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'lang="{language}"' in html_tag(page)
    assert f'dir="{direction}"' in html_tag(page)
    for word in words:
        assert word in text
    assert "Sign out" not in text
    assert "Europe/Paris" in text  # the list names the zone of its times


def test_a_plans_deadline_is_punctuated_as_the_persons_language_writes_it(console, sessions):
    """"vendredi ... CET : 14 jours restants": French's no-break space before the colon."""
    from tests.console.plankit import make_plan

    hr = console.sign_in("hr", team="EMEA")
    set_preferences(sessions, hr.username, "fr", "Europe/Paris")
    envelope_id = make_plan(sessions, owner=hr.actor, team="EMEA")
    page = console.get(f"/console/plans/{envelope_id}").get_data(as_text=True)
    assert re.search(r"</time>\u00a0:\s*14 jours restants", page), page
    assert "</time>:" not in page


def test_voiding_and_cancelling_are_different_words_in_french(console, sessions):
    """"Annuler le plan" beside "Annuler" offered HR two buttons that read alike, one of
    which ends the plan for good: voiding is "retirer", as the signers' emails say."""
    from tests.console.plankit import make_plan

    hr = console.sign_in("hr", team="EMEA")
    set_preferences(sessions, hr.username, "fr", "Europe/Paris")
    envelope_id = make_plan(sessions, owner=hr.actor, team="EMEA")
    page = console.get(f"/console/plans/{envelope_id}/void").get_data(as_text=True)
    assert "Retirer le plan" in page and "Annuler le plan" not in page


@pytest.mark.parametrize("language,not_found,not_for_role", [
    ("fr", "Page introuvable", "Cette page ne relève pas de votre rôle"),
    ("ar", "الصفحة غير موجودة", "هذه الصفحة ليست متاحة لدورك"),
])
def test_the_consoles_error_pages_speak_the_persons_language(console, sessions, language,
                                                             not_found, not_for_role):
    """A plan one may not see ("not found" to them) and a page of another role."""
    hr = console.sign_in("hr", team="EMEA")
    set_preferences(sessions, hr.username, language)
    missing = console.get("/console/plans/no-such-envelope")
    assert missing.status_code == 404
    assert not_found in missing.get_data(as_text=True)
    assert "Page not found" not in missing.get_data(as_text=True)
    admin_only = console.get("/console/admin/people")
    assert admin_only.status_code == 403
    assert not_for_role in admin_only.get_data(as_text=True)
    assert "not for your role" not in admin_only.get_data(as_text=True)


def test_the_case_pages_progress_charts_speak_the_persons_language(console, sessions):
    """The charts of a case, as HR read them in the console: their axis, guides and
    table in HR's language, as the employee's check-in page has them in the plan's."""
    from tests.signing.cases.casekit import record_first, send_case_plan

    hr = console.sign_in("hr", team="EMEA")
    set_preferences(sessions, hr.username, "fr", "Europe/Paris")
    envelope_id = send_case_plan(sessions, owner=hr.actor, team="EMEA")
    record_first(sessions, envelope_id)
    page = console.get(f"/console/plans/{envelope_id}/case").get_data(as_text=True)
    assert "Point de suivi et date" in page
    for english in ("Check-in and date", "Value at each check-in", "Baseline "):
        assert english not in page, english


def test_the_records_pages_choices_speak_the_persons_language(console, sessions):
    """The search's sort orders and outcomes (marked L_, which extraction once missed)."""
    records = console.sign_in("records")
    set_preferences(sessions, records.username, "fr")
    page = console.get("/console/records/").get_data(as_text=True)
    assert "Personne salariée, de A à Z" in page and "Refus de signer" in page
    for english in ("Employee, A to Z", "Refused to sign", "Completed, newest first"):
        assert english not in page, english


def test_no_language_chosen_is_the_default_language_setting(console, sessions):
    console.sign_in("hr", team="EMEA")
    page = console.get("/console/")
    assert 'lang="en"' in html_tag(page) and "Sign out" in page.get_data(as_text=True)


def test_the_sign_in_page_speaks_the_browsers_language(console):
    page = console.get("/console/signin", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert 'lang="de"' in html_tag(page)


def test_a_person_sets_their_own_language_and_zone(console, sessions):
    me = console.sign_in("manager", team="EMEA")
    done = console.post("/console/account/settings",
                        data={"language": "fr", "time_zone": "America/Chicago"},
                        token_from="/console/account")
    assert done.status_code == 303
    with sessions() as session:
        saved = people.find(session, me.username)
    assert (saved.language, saved.time_zone) == ("fr", "America/Chicago")
    page = console.get("/console/account?changed=settings")
    assert 'lang="fr"' in html_tag(page)


@pytest.mark.parametrize("form,field", [
    ({"language": "xx", "time_zone": ""}, "language"),
    ({"language": "fr", "time_zone": "Mars/Olympus_Mons"}, "time_zone"),
])
def test_a_wrong_language_or_zone_is_refused_beside_its_field(console, sessions, form, field):
    me = console.sign_in("hr", team="EMEA")
    refused = console.post("/console/account/settings", data=form,
                           token_from="/console/account")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert f'id="f-{field}-error"' in text and 'aria-invalid="true"' in text
    with sessions() as session:
        assert people.find(session, me.username).language is None


def test_an_admin_sets_a_persons_language_and_it_is_logged(console, sessions):
    console.sign_in("admin")
    dana = console.person("hr", team="EMEA", username="dana")
    done = console.post("/console/admin/people/dana/settings",
                        data={"language": "es", "time_zone": "Europe/Madrid"},
                        token_from="/console/admin/people/dana")
    assert done.status_code == 303
    with sessions() as session:
        saved = people.find(session, dana.username)
    assert (saved.language, saved.time_zone) == ("es", "Europe/Madrid")
    page = console.get("/console/admin/people/dana").get_data(as_text=True)
    assert "Español" in page and "Europe/Madrid" in page


def test_the_domain_checks_each_field(sessions):
    with pytest.raises(PersonError) as language:
        people.checked_language("klingon")
    with pytest.raises(PersonError) as zone:
        people.checked_time_zone("Europe/Atlantis")
    assert (language.value.field, zone.value.field) == ("language", "time_zone")
    assert people.checked_language(" FR ") == "fr" and people.checked_language("") is None
    assert people.checked_time_zone("Asia/Kolkata") == "Asia/Kolkata"


@pytest.mark.parametrize("claim,language", [("fr-CA", "fr"), ("de_DE", "de"), ("ar", "ar"),
                                            ("ja-JP", None), (None, None), (42, None)])
def test_the_locale_claim_gives_a_language_plansign_speaks(claim, language):
    settings = SSO
    claims = {"sub": "1", "email": "a@example.com", "groups": ["staff"], "locale": claim}
    assert oidc.profile_of(claims, settings).language == language


def test_single_sign_on_never_overrides_a_chosen_language(sessions):
    settings = SSO
    claims = {"sub": "7", "email": "lee@example.com", "groups": ["staff"], "locale": "fr-FR"}
    with sessions.begin() as session:
        first = oidc.link_person(session, oidc.profile_of(claims, settings), create=True,
                                 now=NOW)
    assert first.person.language == "fr"
    set_preferences(sessions, first.person.username, "de")
    with sessions.begin() as session:
        again = oidc.link_person(session, oidc.profile_of(claims, settings), create=True,
                                 now=NOW)
    assert again.person.language == "de"


def test_a_domain_error_is_shown_in_the_readers_language(console, sessions):
    """Errors the domain raises with a Wording (signing.domain.errors) are translated on
    the page, beside their field; the API and the command line keep the English."""
    console.sign_in("admin")
    set_preferences(sessions, "admin1", "fr")
    refused = console.post("/console/admin/people", data={
        "display_name": "Dana", "username": "x", "email": "dana@example.com",
        "role": "hr", "team": "", "sign_in": "sso"}, token_from="/console/admin/people")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Un nom d’utilisateur comporte de 2 à 64 lettres minuscules" in text.replace(
        "&#39;", "'")
    with (pytest.raises(PersonError, match="a username is 2 to 64 lower-case letters"),
          sessions.begin() as session):
        people.create_person(session, username="x", display_name="Dana",
                             email="dana@example.com", role="hr", team=None,
                             password_hash=None, now=NOW, created_by="cli:test")

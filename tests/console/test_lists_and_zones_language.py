"""Lists and time zones as the reader's language writes them (issue 18).

A list of names is written by the language's own pattern (Babel's ``format_list``, one
helper: ``docgen.languages.list_text``, the pages' ``items`` filter): "A et B" in
French, "A وB" in Arabic, never a Latin comma in an Arabic sentence; a name with its
role and address ("Léa Brändli (الموظف)، ...") is punctuated by the catalog. A zone's
Latin name in a right-to-left sentence ("CET", "UTC+4", "Europe/Paris") is isolated and
held to its time by a no-break space, so that a colon after it stays on the sentence's
side and a line never starts with it ("CET: متبقٍ" was the defect)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from markupsafe import Markup

from docgen.languages import clock_in_zone, list_text, zone_shown
from signing.domain.mail import compose
from signing.web import timefmt
from tests.console.plankit import make_plan
from tests.console.test_console_language import set_preferences
from tests.signing.cases.casekit import record_first, send_case_plan
from tests.signing.mail.test_mail_messages import LINK

NB, FSI, PDI = "\u00a0", "\u2068", "\u2069"
TEAM = "EMEA"


@pytest.mark.parametrize("language,two,three", [
    ("en", "Léa and Morgan", "Léa, Morgan and Riley"),
    ("fr", "Léa et Morgan", "Léa, Morgan et Riley"),
    ("de", "Léa und Morgan", "Léa, Morgan und Riley"),
    ("es", "Léa y Morgan", "Léa, Morgan y Riley"),
    ("ar", f"{FSI}Léa{PDI} و{FSI}Morgan{PDI}", f"{FSI}Léa{PDI} و{FSI}Morgan{PDI} و{FSI}Riley{PDI}"),
])
def test_a_list_is_written_as_the_language_writes_one(language, two, three):
    assert list_text(["Léa"], language) in ("Léa", f"{FSI}Léa{PDI}")
    assert list_text(["Léa", "Morgan"], language) == two
    assert list_text(["Léa", "Morgan", "Riley"], language) == three


def test_a_pages_list_escapes_and_isolates_each_item_and_keeps_markup_items():
    said = timefmt.items(["<b>Léa</b>", Markup("<bdi>Mo</bdi> (personne salariée)"), "R&D"], "fr")
    assert said == ("<bdi>&lt;b&gt;Léa&lt;/b&gt;</bdi>, <bdi>Mo</bdi> (personne salariée) et "
                    "<bdi>R&amp;D</bdi>")
    assert timefmt.items([], "ar") == ""


@pytest.mark.parametrize("language,written", [
    ("fr", "17:00 CET"), ("en", "17:00 CET"), ("de", "17:00 Uhr CET"),
    ("ar", f"5:00{NB}م{NB}{FSI}CET{PDI}"),
])
def test_a_zone_is_isolated_and_held_to_its_time_in_arabic_only(language, written):
    clock = timefmt.clock(dt.time(17, 0), language)
    assert clock_in_zone(clock, "CET", language) == written
    assert zone_shown("Europe/Paris", language) == (
        f"{FSI}Europe/Paris{PDI}" if language == "ar" else "Europe/Paris")


def test_a_time_on_a_page_and_in_an_email_names_its_zone_isolated_in_arabic():
    at = dt.datetime(2026, 12, 21, 16, 0, tzinfo=dt.UTC)
    page = timefmt.local_time_named(at, "Europe/Paris", "ar")
    assert page.endswith(f"5:00{NB}م{NB}{FSI}CET{PDI} ({FSI}Europe/Paris{PDI})"), page
    assert timefmt.local_time_named(at, "Europe/Paris", "fr").endswith(
        "17:00 CET (Europe/Paris)")
    paris = at.astimezone(timefmt.zone("Europe/Paris"))
    assert compose.format_moment(paris, "ar").endswith(f"{NB}{FSI}CET{PDI}")
    assert compose.format_when(paris, "ar").endswith(f"{NB}{FSI}CET{PDI}")
    assert compose.format_when(paris, "en") == "Monday 21 December 2026 at 17:00 CET"
    reminder = compose.reminder(
        to="a@example.com", name="Léa Brändli", company="Harbor & Finch",
        contact=compose.Contact("Dana Whitfield", "dana@example.com"), envelope_id="e",
        signer_id="s", idempotency_key="k", language="ar", link=LINK, deadline=paris)
    for body in (reminder.text, reminder.html):
        assert f"{NB}{FSI}CET{PDI}" in body
        assert not re.search(r"[مص] CET", body)


def test_an_arabic_plans_deadline_keeps_its_zone_on_the_sentences_side(console, sessions):
    hr = console.sign_in("hr", team=TEAM)
    set_preferences(sessions, hr.username, "ar", "Europe/Paris")
    envelope_id = make_plan(sessions, owner=hr.actor, team=TEAM, employee="Léa Brändli")
    body = console.get(f"/console/plans/{envelope_id}").get_data(as_text=True)
    # The deadline, then the colon and "N days left": the zone isolated, held to its time.
    assert re.search(f"{NB}{FSI}CET{PDI}</time>:\\s*متبقٍ", body), body
    assert "الأوقات بتوقيت <bdi>Europe/Paris</bdi>." in body
    assert not re.search(r"[مص] CET", body)


def test_the_new_link_form_names_each_signer_as_the_language_punctuates(console, sessions):
    hr = console.sign_in("hr", team=TEAM)
    envelope_id = make_plan(sessions, owner=hr.actor, team=TEAM, employee="Léa Brändli")
    set_preferences(sessions, hr.username, "ar", "Europe/Paris")
    body = console.get(f"/console/plans/{envelope_id}/resend").get_data(as_text=True)
    assert "<bdi>Léa Brändli</bdi> (الموظف)، <bdi>alex.sample@example.com</bdi>" in body
    assert "(الموظف), " not in body
    set_preferences(sessions, hr.username, "fr", "Europe/Paris")
    body = console.get(f"/console/plans/{envelope_id}/resend").get_data(as_text=True)
    assert "<bdi>Léa Brändli</bdi> (personne salariée), <bdi>alex.sample@example.com</bdi>" in body


def test_a_check_ins_attendees_are_listed_in_french_and_in_arabic(console, sessions):
    hr = console.sign_in("hr", team=TEAM)
    envelope_id = send_case_plan(sessions, owner=hr.actor, team=TEAM)
    record_first(sessions, envelope_id)
    url = f"/console/plans/{envelope_id}/case"
    set_preferences(sessions, hr.username, "fr", "Europe/Paris")
    french = console.get(url).get_data(as_text=True)
    assert "<bdi>Morgan Example</bdi> et <bdi>Alex Sample</bdi>" in french
    assert f"Point de suivi 1{NB}:" in french  # the catalog's colon, not the template's
    set_preferences(sessions, hr.username, "ar", "Europe/Paris")
    arabic = console.get(url).get_data(as_text=True)
    assert "<bdi>Morgan Example</bdi> و<bdi>Alex Sample</bdi>" in arabic
    assert "Morgan Example, Alex Sample" not in arabic
    # Who recorded it and when: Arabic's comma between them.
    assert re.search(r"<bdi>Morgan Example</bdi>، \S", arabic)


def test_the_editors_choices_and_the_review_page_are_in_french(console, sessions):
    """A support's kind and a check-in's weekday are offered in the reader's language,
    and the review page showed each choice's code ("wednesday", "true", "before"): it
    shows the choice's words in the reader's language."""
    from tests.console.test_drafts import form_of, start

    manager = console.sign_in("manager", team=TEAM)
    set_preferences(sessions, manager.username, "fr", "Europe/Paris")
    draft_id = start(console)
    page = console.get(f"/console/drafts/{draft_id}").get_data(as_text=True)
    # The example's "Wednesday" is the choice wednesday, in French.
    assert re.search(r'<option value="wednesday" selected>Mercredi</option>', page)
    assert re.search(r'<option value="tuesday">Mardi</option>', page)
    assert re.search(r'<option value="workload"[^>]*>Aménagement de la charge de '
                     r'travail</option>', page)  # the document's own words for it
    assert ">Wednesday<" not in page and ">Workload<" not in page
    fields = form_of(console, draft_id)
    # A direction and a signing order chosen (the example leaves them to the defaults).
    fields.update({"performance_history.results[0].higher_is_better": "true",
                   "routing.manager": "before"})
    submitted = console.post(f"/console/drafts/{draft_id}", data={**fields,
                                                                 "action": "submit"})
    assert submitted.status_code == 302, submitted.get_data(as_text=True)
    hr = console.sign_in("hr", team=TEAM)
    set_preferences(sessions, hr.username, "fr", "Europe/Paris")
    review = console.get(f"/console/drafts/{draft_id}/review").get_data(as_text=True)
    for french in ("<dd>Mercredi", "<dd>Hebdomadaire", "<dd>Plus c’est haut, mieux c’est",
                   "<dd>Signe avant la personne salariée"):
        assert french in review.replace("&#39;", "'"), french
    for code in ("<dd>Wednesday", "<dd>wednesday", "<dd>weekly", "<dd>true", "<dd>before"):
        assert code not in review, code

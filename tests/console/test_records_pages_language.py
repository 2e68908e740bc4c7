"""The records pages in the reader's language (issue 18): a record's retention rule, kept
in English words on the record (the records API gives them as they are), said from its
parts in the person's language; the access log's codes, roles and details worded, and
what plansign did not write in fixed words shown as written, marked English; the purge
preview's counts and years by the language's plural rules."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from archive import Reader, get_record, log_access
from signing.domain import apikeys
from tests.console.test_console_errors_language import shown
from tests.console.test_console_language import set_preferences
from tests.console.test_records_pages import trail_record

pytestmark = pytest.mark.database
NB, NN = "\u00a0", "\u202f"
DEFAULT = "retention_years: 7 years (no rule of retention_rules matched)"
RULE = 'retention_rules[2] (department "Sales", jurisdiction "US-CA"): 1 year'


def said(page) -> str:
    """What a reader reads (:func:`shown`), a name isolated in a sentence (``<bdi>``)
    read as part of it."""
    text = re.sub(r"</?bdi>", "", page.get_data(as_text=True))
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text))).strip()


def record_with_rule(services, sessions, rule: str | None) -> str:
    envelope_id = trail_record(services, sessions)
    with sessions.begin() as session:
        get_record(session, envelope_id).retention_rule = rule
    return envelope_id


def records_person(console, sessions, language: str):
    person = console.sign_in("records", display_name="Rémi Archives")
    set_preferences(sessions, person.username, language, "Europe/Paris")
    return person


@pytest.mark.parametrize("rule,french", [
    (DEFAULT, f"7 ans après l’achèvement{NB}: la durée par défaut (le paramètre "
              "retention_years), aucune règle de conservation ne s’appliquant à ce dossier."),
    (RULE, f"1 an après l’achèvement, selon la règle de conservation nº{NB}2 des "
           f"paramètres{NB}: service «{NB}Sales{NB}», juridiction «{NB}US-CA{NB}»."),
])
def test_the_retention_rule_is_said_in_french_and_kept_in_english(
        console, services, sessions, app, rule, french):
    envelope_id = record_with_rule(services, sessions, rule)
    records_person(console, sessions, "fr")
    page = console.get(f"/console/records/{envelope_id}")
    assert page.status_code == 200
    text = said(page)
    assert f"Règle de conservation {french}" in text
    assert "retention_rules[" not in text and "no rule" not in text and " years" not in text
    # The record keeps its words, and the records API gives them as they are.
    with sessions.begin() as session:
        assert get_record(session, envelope_id).retention_rule == rule
        _, key = apikeys.create_key(session, "records export", "records",
                                    dt.datetime.now(dt.UTC))
    api = app.test_client().get(f"/api/v1/archive/records/{envelope_id}",
                                headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 200 and api.get_json()["retention_rule"] == rule


def test_an_arabic_rule_isolates_the_names_it_quotes(console, services, sessions):
    envelope_id = record_with_rule(services, sessions, RULE)
    records_person(console, sessions, "ar")
    body = console.get(f"/console/records/{envelope_id}").get_data(as_text=True)
    assert ("سنة واحدة بعد الاكتمال، بموجب قاعدة الاحتفاظ رقم 2 في الإعدادات: القسم "
            "«<bdi>Sales</bdi>»، والولاية القضائية «<bdi>US-CA</bdi>».") in body


@pytest.mark.parametrize("rule,seen", [
    (None, "Archivé avant l’enregistrement des règles de conservation"),
    # Words an older plansign might have written: shown as kept, said to be English.
    ("kept for ever by order", '<span lang="en" dir="ltr">kept for ever by order</span>'),
])
def test_a_rule_plansign_cannot_read_back_is_shown_as_it_was_kept(
        console, services, sessions, rule, seen):
    envelope_id = record_with_rule(services, sessions, rule)
    records_person(console, sessions, "fr")
    assert seen in console.get(f"/console/records/{envelope_id}").get_data(as_text=True)


def test_the_access_log_is_in_french(console, services, sessions):
    envelope_id = record_with_rule(services, sessions, DEFAULT)
    console.sign_in("hr", team="Another HR", display_name="Hugo Autre")
    assert console.get(f"/console/records/{envelope_id}").status_code == 404  # refused
    at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with sessions.begin() as session:
        for action, detail in (
                ("hold", "Prud'hommes, affaire 26/0114"),
                ("download final.pdf", None),
                ("download check-in-2-record-v1.pdf", None),
                ("export", "to export-2026.zip, completed since 2026-01-01"),
                ("envelope console plan page", None),
                ("view", "failed: blob 12ab does not match its SHA-256"),
                ("something new", "in words no one wrote here")):
            log_access(session, Reader("Rémi Archives", "records"), action, now=at,
                       envelope_id=envelope_id, detail=detail)
    records_person(console, sessions, "fr")
    page = console.get(f"/console/records/{envelope_id}")
    text = said(page)
    body = page.get_data(as_text=True)
    for french in (
            f"Hugo Autre (RH) Consultation du dossier Refusé{NB}: le dossier d’un plan que ni "
            "cette personne ni son équipe RH n’ont envoyé. Non, refusé",
            f"Rémi Archives (archives) Pose d’une conservation légale Motif{NB}: "
            "Prud'hommes, affaire 26/0114 Oui",
            f"Téléchargement{NB}: PDF définitif scellé",
            f"Téléchargement{NB}: Compte rendu du point de suivi 2, version 1",
            "Dans le fichier export-2026.zip, avec les dossiers terminés depuis le "
            "1er janvier 2026.",
            "Ouverture de la page du plan",
            f"Lecture impossible{NB}: blob 12ab does not match its SHA-256"):
        assert french in text, french
    # What plansign did not write in fixed words: as written, and said to be English.
    assert '<span lang="en" dir="ltr">something new</span>' in body
    assert '<span lang="en" dir="ltr">in words no one wrote here</span>' in body
    assert '<span lang="en" dir="ltr">blob 12ab does not match its SHA-256</span>' in body
    for english in ("(records)", "(hr)", ">view<", "denied:", "download ", "Reason:",
                    "completed since", "Refused<"):
        assert english not in body, english


def test_the_purge_preview_counts_by_the_languages_plural_rules(console, services, sessions):
    long_ago = dt.datetime(2010, 1, 4, tzinfo=dt.UTC)
    for _ in range(2):
        trail_record(services, sessions, completed=long_ago, retain_for=dt.timedelta(days=1))
    records_person(console, sessions, "fr")
    text = shown(console.get("/console/records/purge"))
    assert "Les dossiers sont conservés 7 ans après leur achèvement" in text
    assert ("2 dossiers seraient purgés. 0 dossier dont la durée est écoulée est retenu "
            "par une conservation légale.") in text
    assert "dossier(s)" not in text
    records_person(console, sessions, "ar")
    text = shown(console.get("/console/records/purge"))
    assert "سيُحذف سجلان نهائيًا." in text  # Arabic's dual, not "2 record(s)"
    assert "لا يوجد سجل تجاوز مدته ويُحتفظ به بموجب حجز قانوني." in text
    assert re.search(r"plansign archive purge --execute", text)

"""The case file certificate's event lines in the plan's language (issue 18): how the
case closed said whole for each outcome (its words agreeing with what closed), an
extension's day count with its plural and its new end as the language writes a date,
and the role of whoever caused an event in that language."""

from __future__ import annotations

import pytest

from docgen.stamp.wording import record_words
from signing.domain.case_file_task import actor_words, event_words
from signing.domain.events import EventType
from signing.domain.timeline import SYSTEM, Who


@pytest.mark.parametrize(("language", "met", "not_met"), [
    ("en", "case closed: goals met", "case closed: goals not met"),
    ("es", "expediente cerrado: objetivos alcanzados",
     "expediente cerrado: objetivos no alcanzados"),
    ("fr", "dossier clôturé\u00a0: objectifs atteints",
     "dossier clôturé\u00a0: objectifs non atteints"),
    ("de", "Fall abgeschlossen: Ziele erreicht", "Fall abgeschlossen: Ziele nicht erreicht"),
    ("ar", "أُغلقت الحالة: تحققت الأهداف", "أُغلقت الحالة: لم تتحقق الأهداف"),
])
def test_the_case_closing_agrees_with_its_outcome(language, met, not_met):
    w = record_words(language)
    closed = EventType.CASE_CLOSED
    assert event_words(closed, {"outcome": "met"}, w, letter=False) == met
    assert event_words(closed, {"outcome": "not_met"}, w, letter=False) == not_met
    for outcome in ("resigned", "withdrawn"):
        said = str(event_words(closed, {"outcome": outcome}, w, letter=False))
        assert said.partition(":")[0] == met.partition(":")[0] and said != met, said
    # An outcome plansign does not know is shown as it was recorded.
    assert "transferred" in str(event_words(closed, {"outcome": "transferred"}, w,
                                            letter=False))


@pytest.mark.parametrize(("language", "days", "expected"), [
    ("en", 1, "case extended (amendment 1): 1 day, to 5 March 2027"),
    ("en", 14, "case extended (amendment 1): 14 days, to 5 March 2027 with adjusted goals"),
    ("fr", 1, "dossier prolongé (avenant 1)\u00a0: 1 jour, jusqu’au 5 mars 2027"),
    ("fr", 14, "dossier prolongé (avenant 1)\u00a0: 14 jours, jusqu’au 5 mars 2027, "
               "objectifs ajustés"),
    ("es", 14, "expediente prorrogado (adenda n.º 1): 14 días, hasta el 5 de marzo de "
               "2027, con objetivos ajustados"),
    ("de", 1, "Fall verlängert (Änderung Nr. 1): 1 Tag, bis zum 5. März 2027"),
    ("ar", 2, "مُدّدت الحالة (التعديل 1): لمدة يومين، حتى 5 مارس 2027"),
    ("ar", 14, "مُدّدت الحالة (التعديل 1): لمدة 14 يومًا، حتى 5 مارس 2027، مع تعديل "
               "الأهداف"),
])
def test_an_extension_counts_its_days_and_dates_its_end_by_locale(language, days, expected):
    data = {"number": 1, "days": days, "new_end": "2027-03-05",
            "goals": [{"goal": 1}] if days == 14 else []}
    said = event_words(EventType.CASE_EXTENDED, data, record_words(language), letter=False)
    # The new end date is a document's, held together by no-break spaces.
    assert "\u00a02027" in said and said.replace("\u00a0", " ") == expected.replace(
        "\u00a0", " ")


@pytest.mark.parametrize(("language", "hr", "system", "key"), [
    ("en", "Dana Whitfield (HR)", "plansign (system)", "Payroll sync (API key)"),
    ("fr", "Dana Whitfield (RH)", "plansign (système)", "Payroll sync (clé d’API)"),
    ("de", "Dana Whitfield (Personalabteilung)", "plansign (System)",
     "Payroll sync (API-Schlüssel)"),
    ("ar", "Dana Whitfield (الموارد البشرية)", "plansign (النظام)", "Payroll sync (مفتاح API)"),
])
def test_who_caused_an_event_is_named_with_a_role_in_the_plans_language(language, hr, system,
                                                                          key):
    w = record_words(language)
    assert actor_words(Who("Dana Whitfield", "hr"), w) == hr
    assert actor_words(SYSTEM, w) == system
    assert actor_words(Who("Payroll sync", "api key"), w) == key
    assert actor_words(Who("dana", ""), w) == "dana"

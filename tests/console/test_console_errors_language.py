"""The console's remaining domain errors in the reader's language (issue 18): a case's
state (closed, no case at all, past extending), a plan's actions refused by the
workflow, and a draft's refusals are raised as a Wording (signing.domain.errors) and
translated on the page; the HR API still answers in English, for programs."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from signing.domain import apikeys
from tests.conftest import services_of
from tests.console import test_records_pages
from tests.console.plankit import make_plan
from tests.console.test_case_end import TEAM, case_state, plan_of, proposal
from tests.console.test_console_language import set_preferences
from tests.console.test_drafts import submitted_draft
from tests.signing.cases.casekit import record_first

pytestmark = pytest.mark.database
ids = test_records_pages.ids  # six archived records (a fixture shared with that module)
SALES = "Sales HR"


def shown(response) -> str:
    """The page's text as a reader sees it: entities read, tags and spacing folded (all
    but the no-break spaces French typography puts before its punctuation)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def api_key(sessions, team: str) -> dict[str, str]:
    with sessions.begin() as session:
        _, plaintext = apikeys.create_key(session, f"hr {team}", "hr", dt.datetime.now(dt.UTC),
                                          team=team)
    return {"Authorization": f"Bearer {plaintext}"}


# -- a case ------------------------------------------------------------------------------


def test_an_outcome_proposed_on_a_closed_case_is_refused_in_french(console, sessions):
    manager, envelope_id = plan_of(console, sessions)
    url = f"/console/plans/{envelope_id}/case"
    console.sign_in(console.person("hr", team=TEAM))
    closed = console.post(f"{url}/close", data={"early": "resigned", "confirm": "yes",
                                                "reason": "Resigned on Monday."},
                          token_from=url)
    assert closed.status_code == 303
    set_preferences(sessions, manager.username, "fr")
    console.sign_in(manager)
    refused = console.post(f"{url}/outcome", data=proposal(), token_from=url)
    assert refused.status_code == 409
    page = shown(refused)
    assert ("Le dossier de ce plan est clos\u00a0: plus rien ne peut y être consigné\u202f; "
            "son dossier de suivi rassemble l’ensemble des éléments.") in page
    assert "nothing more can be recorded" not in page
    assert case_state(sessions, envelope_id)[1:] == ("closed", "resigned")


def test_an_extension_after_the_outcome_letter_names_no_field_and_says_what_follows(
        console, sessions, app, converter):
    """Issue 18, item 2: no number of days would do, so the days field is not blamed; the
    sentence stands above the form (no longer offered) and says what happens instead."""
    services_of(app).converter = converter
    manager, envelope_id = plan_of(console, sessions, days_ago=62)
    record_first(sessions, envelope_id, days_ago=62)
    url = f"/console/plans/{envelope_id}/case"
    console.sign_in(manager)
    assert console.post(f"{url}/outcome", data=proposal(), token_from=url).status_code == 303
    hr = console.person("hr", team=TEAM)
    console.sign_in(hr)
    form_page = console.get(url).get_data(as_text=True)
    assert 'name="days"' in form_page  # HR's extension form, read before the approval ...
    approved = console.post(f"{url}/outcome/approve", data={}, token_from=url)
    assert approved.status_code == 303, approved.get_data(as_text=True)
    set_preferences(sessions, hr.username, "fr")
    # ... and sent after it (a second tab): refused, nothing changed.
    refused = console.post(f"{url}/extensions", data={
        "days": "14", "reason": "Deux semaines pour confirmer."}, token_from=url)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    page = shown(refused)
    assert ("L’issue a été approuvée et sa lettre envoyée à la personne salariée\u00a0: "
            "le plan ne peut donc plus être prolongé\u202f; rien n’a été modifié, et le "
            "dossier sera clos avec cette issue dès que la personne salariée aura répondu à "
            "la lettre ou que son délai sera écoulé.") in page
    assert 'id="extension-form-error"' in body and 'href="#extension-form"' in body
    assert 'id="extension-form"' in body  # the summary's link has somewhere to go
    assert 'aria-invalid="true"' not in body  # no field is blamed, days least of all
    assert case_state(sessions, envelope_id) == ("approved", "active", None)
    # The API says the same in English, naming no field.
    api = app.test_client().post(f"/api/v1/envelopes/{envelope_id}/case/extensions",
                                 json={"days": 14, "reason": "Two more weeks."},
                                 headers=api_key(sessions, TEAM))
    assert api.status_code == 422
    assert api.get_json().get("field") is None
    assert api.get_json()["error"] == (
        "the outcome was approved and its letter sent to the employee, so the plan can no "
        "longer be extended; nothing was changed, and the case closes with that outcome "
        "once the employee answers the letter or its deadline passes")


@pytest.mark.parametrize("until,title,sentence", [
    ("voided", "Ce plan n’a pas de dossier à afficher",
     "Ce plan a été retiré (annulé)\u00a0: il n’a donc pas de dossier dans lequel consigner "
     "quoi que ce soit."),
    ("draft", "Ce plan n’a pas de dossier à afficher",
     "Ce plan n’a pas encore été envoyé\u202f; son dossier s’ouvre à son envoi."),
])
def test_a_plan_with_no_case_says_why_in_french(console, sessions, until, title, sentence):
    hr = console.sign_in("hr", team=SALES)
    set_preferences(sessions, hr.username, "fr")
    envelope_id = make_plan(sessions, owner="k", team=SALES, until=until)
    response = console.get(f"/console/plans/{envelope_id}/case")
    assert response.status_code == 409
    page = shown(response)
    assert title in page and sentence in page
    assert "Conflict" not in page and "withdrawn" not in page and "not been sent" not in page


def test_a_plan_with_no_case_says_why_in_arabic(console, sessions):
    hr = console.sign_in("hr", team=SALES)
    set_preferences(sessions, hr.username, "ar")
    envelope_id = make_plan(sessions, owner="k", team=SALES, until="voided")
    response = console.get(f"/console/plans/{envelope_id}/case")
    assert response.status_code == 409
    page = shown(response)
    assert "لا توجد حالة لعرضها لهذه الخطة" in page
    assert "سُحبت هذه الخطة (أُلغيت)، لذا لا توجد لها حالة يُسجَّل فيها أي شيء." in page
    assert 'dir="rtl"' in response.get_data(as_text=True)


# -- a plan's actions (the workflow) -----------------------------------------------------


def test_a_void_without_a_reason_and_a_second_void_are_refused_in_french(console, sessions):
    hr = console.sign_in("hr", team=SALES)
    set_preferences(sessions, hr.username, "fr")
    envelope_id = make_plan(sessions, owner="k", team=SALES)
    path = f"/console/plans/{envelope_id}/void"
    empty = console.post(path, data={"reason": " "}, token_from=path)
    assert empty.status_code == 422
    page = shown(empty)
    assert ("Indiquez un motif\u00a0: expliquez pourquoi le plan est annulé (le dossier le "
            "conserve).") in page
    assert "say why the plan is voided" not in page
    assert console.post(path, data={"reason": "Envoyé par erreur."},
                        token_from=path).status_code == 303
    again = console.post(path, data={"reason": "Encore."}, token_from=path)
    assert again.status_code == 422
    page = shown(again)
    assert ("Ce plan a été retiré (annulé)\u00a0: cette action n’est donc plus possible\u202f; "
            "rien n’a été modifié.") in page
    assert "cannot void" not in page


def test_a_refusals_witness_rules_are_told_in_arabic(console, sessions):
    hr = console.sign_in("hr", team=SALES)
    set_preferences(sessions, hr.username, "ar")
    envelope_id = make_plan(sessions, owner="k", team=SALES, employee="Priya Raman")
    path = f"/console/plans/{envelope_id}/refusal"
    meeting = (dt.datetime.now(dt.UTC) - dt.timedelta(days=45)).strftime("%Y-%m-%dT%H:%M")
    refused = console.post(path, data={"witness": "Priya Raman", "meeting_at": meeting},
                           token_from=path)
    assert refused.status_code == 422
    page = shown(refused)
    # The 30 days counted in Arabic's own plural form (11 to 99: singular accusative).
    assert ("عُقد الاجتماع قبل أكثر من 30 يومًا؛ ويُسجَّل الرفض عادةً بعد الاجتماع بوقت قصير. "
            "يُرجى التحقق من التاريخ أو الرجوع إلى الموارد البشرية.") in page
    recent = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    refused = console.post(path, data={"witness": "Priya Raman", "meeting_at": recent,
                                       "confirm_record": "yes"}, token_from=path)
    assert refused.status_code == 422
    page = shown(refused)
    assert "لا يمكن للموظف أن يكون شاهدًا على رفضه: يُرجى ذكر شخص آخر كان حاضرًا." in page
    assert "The employee cannot witness" not in page and "days ago" not in page


def test_the_api_keeps_the_workflows_english(app, sessions):
    envelope_id = make_plan(sessions, owner="k", team=SALES)
    response = app.test_client().post(f"/api/v1/envelopes/{envelope_id}/void",
                                      json={"reason": " "}, headers=api_key(sessions, SALES))
    assert response.status_code == 422
    assert response.get_json()["field"] == "reason"
    assert response.get_json()["error"] == (
        "reason: Give a reason: say why the plan is voided (the record keeps it).")


# -- drafts ------------------------------------------------------------------------------


def test_a_plan_returned_without_comments_is_refused_in_french(console, sessions):
    draft_id, _manager = submitted_draft(console)
    hr = console.sign_in("hr", team="Care HR")
    set_preferences(sessions, hr.username, "fr")
    response = console.post(f"/console/drafts/{draft_id}/return",
                            data={"version": "3", "comment": "  "})
    assert response.status_code == 400
    page = shown(response)
    assert ("Indiquez ce que l’auteur doit modifier\u00a0: les commentaires sont obligatoires "
            "pour renvoyer un plan.") in page
    assert "comments are required" not in page


def test_a_draft_saved_meanwhile_is_told_in_arabic(console, sessions):
    draft_id, _manager = submitted_draft(console)
    hr = console.sign_in("hr", team="Care HR")
    set_preferences(sessions, hr.username, "ar")
    stale = console.post(f"/console/drafts/{draft_id}/return",
                         data={"version": "1", "comment": "أضيفوا خط الأساس."})
    assert stale.status_code == 409
    page = shown(stale)
    assert "حُفظت هذه المسودة مرة أخرى (الإصدار 3،" in page
    assert "بعد أن فتحتم الإصدار 1؛ وتظهر تعديلاتكم أدناه دون حفظ." in page
    assert "was saved again" not in page


# -- records -----------------------------------------------------------------------------


def test_a_records_page_error_is_shown_in_arabic(console, ids, sessions):
    who = console.sign_in("records")
    set_preferences(sessions, who.username, "ar")
    path = f"/console/records/{ids[0]}/hold"
    form = {"reason": "Tribunal claim 2026/114", "confirm": "yes"}
    assert console.post(path, data=form, token_from=path).status_code == 303
    again = console.post(path, data=form, token_from=path)
    assert again.status_code == 400
    page = shown(again)
    assert f"الملف {ids[0]} خاضع بالفعل للحفظ القانوني منذ" in page
    assert "already on hold" not in page

"""The case page's errors in the reader's language (issue 18): the outcome form's and
the extension form's rules raise a Wording (signing.domain.errors), which the console
translates beside its field; the domain's own message stays English for the API."""

from __future__ import annotations

import html

import pytest

from docgen.model import Goal
from signing.domain.cases import CaseError
from signing.domain.cases.extension import goal_changes
from tests.console import test_records_pages
from tests.console.test_case_end import TEAM, plan_of, proposal
from tests.console.test_console_language import set_preferences
from tests.signing.cases.casekit import record_first, send_case_plan

pytestmark = pytest.mark.database
ids = test_records_pages.ids  # six archived records (a fixture shared with that module)


def test_an_outcome_form_error_is_shown_in_french(console, sessions):
    manager, envelope_id = plan_of(console, sessions, days_ago=62)
    record_first(sessions, envelope_id, days_ago=62)
    set_preferences(sessions, manager.username, "fr")
    url = f"/console/plans/{envelope_id}/case"
    console.sign_in(manager)
    refused = console.post(f"{url}/outcome", data=proposal(**{"goal-1-evidence": ""}),
                           token_from=url)
    assert refused.status_code == 422
    shown = html.unescape(refused.get_data(as_text=True))
    assert "Indiquez les éléments qui étayent le résultat de l’objectif 1" in shown
    assert "give the evidence" not in shown.lower()


def test_an_extension_error_is_shown_in_french(console, sessions):
    manager = console.person("manager", team=TEAM)
    envelope_id = send_case_plan(sessions, owner="person:hr-sender", team=TEAM,
                                 drafted_by=manager.actor)
    hr = console.person("hr", team=TEAM)
    set_preferences(sessions, hr.username, "fr")
    url = f"/console/plans/{envelope_id}/case"
    console.sign_in(hr)
    refused = console.post(f"{url}/extensions", data={
        "days": "0", "reason": "Deux semaines pour confirmer.", "goal-1-target": ""},
        token_from=url)
    assert refused.status_code == 422
    shown = html.unescape(refused.get_data(as_text=True))
    assert "Le plan doit être prolongé d’au moins un jour." in shown
    assert "extend the plan by at least one day" not in shown.lower()


def test_the_domain_keeps_the_english_for_the_api_and_the_command_line():
    with pytest.raises(CaseError, match=r"^goal 1 is given twice$"):
        goal_changes([{"goal": 1, "target": "90%"}, {"goal": 1, "target": "95%"}],
                     [Goal(statement="Resolve more tickets first time")])


def test_a_records_page_error_is_shown_in_french(console, ids, sessions):
    """The archive's errors keep their message apart too (archive.errors.ArchiveError):
    a second hold on a record is refused in the reader's language."""
    who = console.sign_in("records")
    set_preferences(sessions, who.username, "fr")
    path = f"/console/records/{ids[0]}/hold"
    form = {"reason": "Tribunal claim 2026/114", "confirm": "yes"}
    assert console.post(path, data=form, token_from=path).status_code == 303
    again = console.post(path, data=form, token_from=path)
    assert again.status_code == 400
    shown = html.unescape(again.get_data(as_text=True))
    assert f"Le dossier {ids[0]} fait déjà l’objet d’une conservation légale depuis" in shown
    assert "already on hold" not in shown

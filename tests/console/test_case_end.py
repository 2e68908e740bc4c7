"""The case page's end of a case: the outcome form (each goal's assessment, result and
evidence; a missing one beside its field, nothing recorded), HR's return and approval
(the outcome letter rendered by real LibreOffice), the early close with its
confirmation, and the progress charts drawn as SVG; the manager may propose but not
approve or close, another team's HR is told the case does not exist."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from signing.domain.models import CaseRow
from tests.conftest import services_of
from tests.signing.cases.casekit import record_first, send_case_plan

TEAM = "EMEA"


def plan_of(console, sessions, **more):
    manager = console.person("manager", team=TEAM)
    envelope_id = send_case_plan(sessions, owner="person:hr-sender", team=TEAM,
                                 drafted_by=manager.actor, **more)
    return manager, envelope_id


def proposal(**changes) -> dict[str, str]:
    data = {"outcome": "not_met", "goal-1-assessment": "not met",
            "goal-1-result": "78% in the last two weeks",
            "goal-1-evidence": "Zendesk report of the plan's last Friday.",
            "summary": "Below target at the final review."}
    data.update(changes)
    return data


def case_state(sessions, envelope_id):
    with sessions() as session:
        row = session.get(CaseRow, envelope_id)
        return (row.proposal_state, row.state, row.outcome) if row else (None, None, None)


def test_the_manager_proposes_and_hr_return_then_approve(console, sessions, app,
                                                         converter):
    services_of(app).converter = converter
    manager, envelope_id = plan_of(console, sessions, days_ago=62)
    record_first(sessions, envelope_id, days_ago=62)
    url = f"/console/plans/{envelope_id}/case"
    console.sign_in(manager)
    page = console.get(url).get_data(as_text=True)
    # The progress chart: an SVG named by its title, with its table; no inline style.
    assert 'class="progress-chart' in page and 'role="img"' in page
    assert "style=" not in page
    assert 'name="goal-1-evidence"' in page and "Propose the outcome" in page
    refused = console.post(f"{url}/outcome", data=proposal(**{"goal-1-evidence": ""}),
                           token_from=url)
    assert refused.status_code == 422
    shown = refused.get_data(as_text=True)
    assert 'href="#outcome-goals-1-evidence"' in shown
    assert 'id="outcome-goals-1-evidence-error"' in shown
    assert re.search(r'id="outcome-goals-1-evidence"[^>]*aria-invalid="true"', shown)
    assert "78% in the last two weeks" in shown  # what was typed, kept
    assert case_state(sessions, envelope_id)[0] is None
    done = console.post(f"{url}/outcome", data=proposal(), token_from=url)
    assert done.status_code == 303 and "done=proposed" in done.headers["Location"]
    # The manager may not approve; HR of another team do not see it.
    assert console.post(f"{url}/outcome/approve", data={},
                        token_from=url).status_code in (403, 404)
    console.sign_in(console.person("hr", team="APAC"))
    assert console.post(f"{url}/outcome/approve", data={},
                        token_from="/console/").status_code == 404
    console.sign_in(console.person("hr", team=TEAM))
    page = console.get(url).get_data(as_text=True)
    assert "Zendesk report of the plan" in page and "Approve and send" in page
    returned = console.post(f"{url}/outcome/return", data={"comment": ""}, token_from=url)
    assert returned.status_code == 422 and 'href="#outcome-comment"' in \
        returned.get_data(as_text=True)
    console.post(f"{url}/outcome/return", data={"comment": "Date the report."},
                 token_from=url)
    assert case_state(sessions, envelope_id)[0] == "returned"
    console.post(f"{url}/outcome", data=proposal(), token_from=url)
    approved = console.post(f"{url}/outcome/approve", data={}, token_from=url)
    assert approved.status_code == 303, approved.get_data(as_text=True)
    assert case_state(sessions, envelope_id) == ("approved", "active", None)
    page = console.get(approved.headers["Location"]).get_data(as_text=True)
    assert "The outcome letter is sent to the employee" in page
    # The letter is an envelope of the case, not a plan of its own in the plans list.
    with sessions() as session:
        letter_id = session.get_one(CaseRow, envelope_id).letter_envelope_id
    listed = console.get("/console/").get_data(as_text=True)
    assert envelope_id in listed and letter_id not in listed


def test_hr_close_a_case_early_once_they_confirm(console, sessions):
    manager, envelope_id = plan_of(console, sessions)
    url = f"/console/plans/{envelope_id}/case"
    console.sign_in(manager)
    assert "Close the case early" not in console.get(url).get_data(as_text=True)
    assert console.post(f"{url}/close", data={"early": "resigned", "reason": "x",
                                              "confirm": "yes"},
                        token_from=url).status_code in (403, 404)
    console.sign_in(console.person("hr", team=TEAM))
    unconfirmed = console.post(f"{url}/close", data={"early": "resigned",
                                                     "reason": "Resigned on Monday."},
                               token_from=url)
    assert unconfirmed.status_code == 422
    assert 'href="#outcome-confirm"' in unconfirmed.get_data(as_text=True)
    no_reason = console.post(f"{url}/close", data={"early": "resigned", "reason": "",
                                                   "confirm": "yes"}, token_from=url)
    assert no_reason.status_code == 422 and 'id="outcome-reason-error"' in \
        no_reason.get_data(as_text=True)
    assert case_state(sessions, envelope_id)[1] in (None, "active")
    closed = console.post(f"{url}/close", data={"early": "resigned",
                                                "reason": "Resigned on Monday.",
                                                "confirm": "yes"}, token_from=url)
    assert closed.status_code == 303
    assert case_state(sessions, envelope_id)[1:] == ("closed", "resigned")
    page = console.get(closed.headers["Location"]).get_data(as_text=True)
    assert "Closed early: the employee resigned" in page
    with sessions() as session:
        assert session.scalars(select(CaseRow.closed_by)).one() != ""


def test_a_voided_letter_puts_the_outcome_back_with_hr(console, sessions, app, converter):
    """HR void the letter from its page: the case page says at once that the proposal
    waits for HR again, with the void's reason, and HR may approve it again before the
    worker archives the voided record, which then leaves the new letter the case's."""
    from signing.domain import outbox

    services_of(app).converter = converter
    _, envelope_id = plan_of(console, sessions, days_ago=62)
    url = f"/console/plans/{envelope_id}/case"
    console.sign_in(console.person("hr", team=TEAM))
    console.post(f"{url}/outcome", data=proposal(), token_from=url)
    assert console.post(f"{url}/outcome/approve", data={}, token_from=url).status_code == 303
    with sessions() as session:
        letter_id = session.get_one(CaseRow, envelope_id).letter_envelope_id
    letter_url = f"/console/plans/{letter_id}/void"
    voided = console.post(letter_url, data={"reason": "It named the wrong end date."},
                          token_from=letter_url)
    assert voided.status_code == 303, voided.get_data(as_text=True)
    assert case_state(sessions, envelope_id) == ("proposed", "active", None)
    page = " ".join(console.get(url).get_data(as_text=True).split())
    assert ("The outcome letter HR sent was voided (It named the wrong end date.): the case "
            "stays open, and this proposal waits for HR again.") in page
    assert "Approve and send" in page
    trail = " ".join(console.get(f"/console/plans/{envelope_id}").get_data(as_text=True)
                     .split())
    assert ("The outcome letter was voided, so it closes nothing: the proposed outcome is "
            "back with HR, to approve again or return. Reason: It named the wrong end "
            "date.") in trail
    again = console.post(f"{url}/outcome/approve", data={}, token_from=url)
    assert again.status_code == 303
    outbox.run_once(sessions, {"finalize": services_of(app).finalizer},
                    now=dt.datetime.now(dt.UTC))
    assert case_state(sessions, envelope_id) == ("approved", "active", None)

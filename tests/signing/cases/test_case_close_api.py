"""A case's end through the HR API: the outcome proposed (a goal without evidence a 422
naming ``goals[N].evidence``, nothing recorded), returned with a comment, approved (the
outcome letter rendered by real LibreOffice and sent), the early close; HR of another
team told not found, records keys refused."""

from __future__ import annotations

import datetime as dt

import pytest

from signing.domain import apikeys, outbox
from signing.web.app import create_app
from tests.conftest import services_of
from tests.signing.cases.casekit import send_case_plan

pytestmark = pytest.mark.database
NOW = dt.datetime.now(dt.UTC)
EVIDENCE = {"1": {"assessment": "not met", "result": "78% in the last two weeks",
                  "evidence": "Zendesk report of the plan's last Friday."}}


@pytest.fixture
def app(tmp_path, database_url, clean_env, converter):
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})
    services_of(app).converter = converter  # the session's warm LibreOffice pool
    return app


def key(sessions, role: str, team: str | None = None) -> tuple[dict[str, str], str]:
    with sessions.begin() as session:
        row, plaintext = apikeys.create_key(session, f"{role} {team}", role, NOW, team=team)
    return {"Authorization": f"Bearer {plaintext}"}, f"apikey:{row.prefix}"


def test_hr_propose_return_and_approve_the_outcome(client, sessions):
    headers, actor = key(sessions, "hr", "Support HR")
    envelope_id = send_case_plan(sessions, owner=actor, team="Support HR",
                                 days_ago=62)  # its 60 days are over
    url = f"/api/v1/envelopes/{envelope_id}/case/outcome"
    missing = client.post(url, headers=headers, json={
        "outcome": "not_met", "goals": {"1": {"assessment": "not met", "result": "78%"}}})
    assert missing.status_code == 422
    assert missing.get_json()["field"] == "goals[1].evidence"
    assert client.get(url, headers=headers).get_json()["state"] is None
    proposed = client.post(url, headers=headers, json={"outcome": "not_met",
                                                       "goals": EVIDENCE})
    assert proposed.status_code == 201 and proposed.get_json()["state"] == "proposed"
    assert proposed.get_json()["goals"][0]["evidence"] == EVIDENCE["1"]["evidence"]
    assert client.post(f"{url}/return", headers=headers, json={}).status_code == 422
    returned = client.post(f"{url}/return", headers=headers,
                           json={"comment": "Attach the report's date."})
    assert returned.get_json()["returned_comment"] == "Attach the report's date."
    # Another team's HR is told it is not there; records keys may not.
    other, _ = key(sessions, "hr", "Sales HR")
    records, _ = key(sessions, "records")
    assert client.post(url, headers=other, json={"outcome": "not_met",
                                                 "goals": EVIDENCE}).status_code == 404
    assert client.post(f"{url}/approve", headers=records).status_code == 403
    client.post(url, headers=headers, json={"outcome": "not_met", "goals": EVIDENCE})
    approved = client.post(f"{url}/approve", headers=headers)
    assert approved.status_code == 200, approved.get_json()
    data = approved.get_json()
    assert data["state"] == "approved" and data["letter_state"] == "sent"
    assert data["case_state"] == "active"  # it closes when the letter is archived
    assert client.post(f"{url}/approve", headers=headers).status_code == 422
    assert data["voided_letter_reason"] is None
    # HR void the letter: the proposal is back with them at once, saying why, and the
    # case stays open; they approve again before the worker archives the voided letter,
    # whose archiving then leaves the new letter the case's.
    letter_id = data["letter_envelope_id"]
    assert client.post(f"/api/v1/envelopes/{letter_id}/void", headers=headers,
                       json={"reason": "Wrong end date."}).status_code == 200
    after = client.get(url, headers=headers).get_json()
    assert (after["state"], after["letter_envelope_id"], after["case_state"]) == (
        "proposed", None, "active")
    assert after["voided_letter_reason"] == "Wrong end date."
    again = client.post(f"{url}/approve", headers=headers)
    assert again.status_code == 200, again.get_json()
    outbox.run_once(sessions, {"finalize": services_of(client.application).finalizer},
                    now=dt.datetime.now(dt.UTC))
    final = client.get(url, headers=headers).get_json()
    assert (final["state"], final["letter_state"], final["case_state"]) == (
        "approved", "sent", "active")
    assert final["letter_envelope_id"] == again.get_json()["letter_envelope_id"] != letter_id


def test_hr_close_a_case_early_with_a_reason(client, sessions):
    headers, actor = key(sessions, "hr")
    envelope_id = send_case_plan(sessions, owner=actor)
    url = f"/api/v1/envelopes/{envelope_id}/case/close"
    wrong = client.post(url, headers=headers, json={"outcome": "not_met", "reason": "x"})
    assert wrong.status_code == 422
    assert "outcome" in str(wrong.get_json()), wrong.get_json()
    blank = client.post(url, headers=headers, json={"outcome": "resigned", "reason": " "})
    assert blank.status_code == 422 and blank.get_json()["field"] == "reason"
    closed = client.post(url, headers=headers,
                         json={"outcome": "resigned", "reason": "Resigned on Monday."})
    assert closed.status_code == 200
    assert closed.get_json()["case_state"] == "closed"
    assert closed.get_json()["case_outcome"] == "resigned"
    again = client.post(url, headers=headers,
                        json={"outcome": "withdrawn", "reason": "Twice."})
    assert again.status_code == 409

"""A plan's case through the HR API: read it, record a check-in (201, the employee's email
queued), bad input a 422 naming the field with nothing recorded, the same meeting twice
a 409, and who may: HR of the plan's team and admins, never another team or records."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from archive.models import AccessEntry
from signing.domain import apikeys
from signing.domain.models import CheckinRow
from signing.web.app import create_app
from tests.signing.cases.casekit import past_meeting, send_case_plan

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def app(tmp_path, database_url, clean_env):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})


def key(sessions, role: str, team: str | None = None) -> tuple[dict[str, str], str]:
    with sessions.begin() as session:
        row, plaintext = apikeys.create_key(session, f"{role} {team}", role, NOW, team=team)
    return {"Authorization": f"Bearer {plaintext}"}, f"apikey:{row.prefix}"


def body(**changes):
    meeting = past_meeting()
    data = {"meeting": 1, "held_at": meeting.starts.strftime("%Y-%m-%dT%H:%M"),
            "attendees": ["Morgan Example", "Alex Sample"],
            "goals": {"1": {"status": "at_risk", "value": 78}},
            "notes": "Reviewed the queue.", "employee_view": "Fair."}
    data.update(changes)
    return data


def checkins(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(CheckinRow))


def test_hr_reads_the_case_and_records_a_check_in(client, sessions):
    headers, actor = key(sessions, "hr", "Sales HR")
    envelope_id = send_case_plan(sessions, owner=actor, team="Sales HR")
    url = f"/api/v1/envelopes/{envelope_id}/case"
    case = client.get(url, headers=headers).get_json()
    assert case["state"] == "active" and case["next_meeting"] == 1
    assert case["opened_at"] is None and case["meetings"][0]["recorded"] is False
    made = client.post(f"{url}/checkins", json=body(), headers=headers)
    assert made.status_code == 201, made.get_json()
    record = made.get_json()
    assert record["meeting"] == 1 and record["held"] and record["goals"][0]["value"] == 78.0
    assert record["recorded_by"] == "hr Sales HR"
    listed = client.get(f"{url}/checkins", headers=headers).get_json()
    assert [c["id"] for c in listed["checkins"]] == [record["id"]]
    again = client.post(f"{url}/checkins", json=body(notes="twice"), headers=headers)
    assert again.status_code == 409 and again.get_json()["field"] == "meeting"
    assert checkins(sessions) == 1


@pytest.mark.parametrize("changes, field", [
    ({"goals": {"1": {"status": "met"}, "9": {"status": "met"}}}, "goals[9]"),
    ({"goals": {"1": {"status": "met", "value": "plenty"}}}, "goals[1].value"),
    ({"held_at": "2031-01-06T10:00"}, "held_at"),
    ({"goals": {"1": {"status": "fine"}}}, "goals[1].status"),
    ({"held_at": "", "missed_reason": ""}, "held_at"),
])
def test_bad_input_is_a_422_naming_the_field(client, sessions, changes, field):
    headers, actor = key(sessions, "hr")
    envelope_id = send_case_plan(sessions, owner=actor)
    answer = client.post(f"/api/v1/envelopes/{envelope_id}/case/checkins",
                         json=body(**changes), headers=headers)
    assert answer.status_code == 422 and answer.get_json()["field"] == field
    assert checkins(sessions) == 0


def test_a_voided_plan_has_no_case(client, sessions):
    headers, actor = key(sessions, "hr")
    envelope_id = send_case_plan(sessions, owner=actor, until="voided")
    answer = client.post(f"/api/v1/envelopes/{envelope_id}/case/checkins", json=body(),
                         headers=headers)
    assert answer.status_code == 409 and "withdrawn" in answer.get_json()["error"]


def test_only_the_plans_hr_and_admins_reach_its_case(client, sessions):
    _, owner = key(sessions, "hr", "Sales HR")
    envelope_id = send_case_plan(sessions, owner=owner, team="Sales HR")
    url = f"/api/v1/envelopes/{envelope_id}/case"
    other, _ = key(sessions, "hr", "Support HR")
    records, _ = key(sessions, "records")
    admin, _ = key(sessions, "admin")
    for path in (url, f"{url}/checkins"):
        assert client.get(path, headers=other).status_code == 404
        assert client.get(path, headers=records).status_code == 403
        assert client.get(path, headers=admin).status_code == 200
    assert client.post(f"{url}/checkins", json=body(), headers=other).status_code == 404
    assert client.post(f"{url}/checkins", json=body(), headers=records).status_code == 403
    assert checkins(sessions) == 0
    with sessions() as session:
        logged = session.scalars(select(AccessEntry).where(
            AccessEntry.envelope_id == envelope_id)).all()
    assert any(not e.allowed and "case" in e.action for e in logged)
    assert any(e.allowed and e.action == "envelope case" for e in logged)

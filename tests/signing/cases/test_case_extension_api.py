"""A case's extension through the HR API: bad input a 422 naming its field (days, reason,
goals[0]) with nothing recorded; a good one (the amended plan rendered by real
LibreOffice) a 201 with the amendment's envelope, listed after; another team's HR told
not found, records keys refused, a closed case a 409. (Managers have no API keys; the
console's test refuses them there.)"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from signing.domain import apikeys
from signing.domain.models import AuditEventRow, CaseRow, EnvelopeRow, ExtensionRow, OutboxRow
from signing.web.app import create_app
from tests.conftest import services_of
from tests.signing.cases.casekit import send_case_plan

pytestmark = pytest.mark.database
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def app(tmp_path, database_url, clean_env, converter):
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                      "case_max_extension_days": 21})
    services_of(app).converter = converter  # the session's warm LibreOffice pool
    return app


def key(sessions, role: str, team: str | None = None) -> dict[str, str]:
    with sessions.begin() as session:
        _, plaintext = apikeys.create_key(session, f"{role} {team}", role, NOW, team=team)
    return {"Authorization": f"Bearer {plaintext}"}


def written(sessions) -> tuple[object, ...]:
    with sessions() as session:
        return (*(session.scalar(select(func.count()).select_from(t))
                  for t in (AuditEventRow, OutboxRow, EnvelopeRow, ExtensionRow)),
                tuple(session.execute(select(CaseRow.state, CaseRow.end))))


def test_hr_extend_a_case_and_bad_input_names_its_field(client, sessions):
    headers = key(sessions, "hr", "Support HR")
    envelope_id = send_case_plan(sessions, owner="apikey:someone", team="Support HR")
    url = f"/api/v1/envelopes/{envelope_id}/case/extensions"
    with sessions.begin() as session:  # the case opened (as the worker's sweep does)
        from signing.domain import case_service

        case_service.open_case(session, envelope_id, now=NOW)
    before = written(sessions)
    for body, field in (({"days": 0, "reason": "More time."}, "days"),
                        ({"days": -2, "reason": "More time."}, "days"),
                        ({"days": 22, "reason": "More time."}, "days"),
                        ({"days": 10, "reason": "  "}, "reason"),
                        ({"days": 10, "reason": "Goal 3.", "goals": [
                            {"goal": 3, "target": "95%"}]}, "goals[0]")):
        refused = client.post(url, headers=headers, json=body)
        assert refused.status_code == 422, refused.get_json()
        assert refused.get_json()["field"] == field, refused.get_json()
        assert written(sessions) == before
    # Another team's HR: not found; records staff: not their role. Nothing recorded.
    good = {"days": 14, "reason": "Clear progress; two weeks to confirm it.",
            "goals": [{"goal": 1, "target": "85% or more in each of the last two weeks"}]}
    assert client.post(url, headers=key(sessions, "hr", "Sales HR"),
                       json=good).status_code == 404
    assert client.post(url, headers=key(sessions, "records"), json=good).status_code == 403
    assert client.get(url, headers=key(sessions, "records")).status_code == 403
    assert written(sessions) == before

    extended = client.post(url, headers=headers, json=good)
    assert extended.status_code == 201, extended.get_json()
    data = extended.get_json()
    assert (data["number"], data["days"], data["amendment_state"]) == (1, 14, "sent")
    assert data["goals"][0]["target"].startswith("85%")
    listed = client.get(url, headers=headers).get_json()["extensions"]
    assert [e["amendment_envelope_id"] for e in listed] == [data["amendment_envelope_id"]]
    case = client.get(f"/api/v1/envelopes/{envelope_id}/case", headers=headers).get_json()
    assert case["state"] == "extended"


def test_a_closed_case_is_a_409(client, sessions):
    headers = key(sessions, "admin")
    envelope_id = send_case_plan(sessions)
    close = client.post(f"/api/v1/envelopes/{envelope_id}/case/close", headers=headers,
                        json={"outcome": "resigned", "reason": "Resigned on Monday."})
    assert close.status_code == 200
    before = written(sessions)
    refused = client.post(f"/api/v1/envelopes/{envelope_id}/case/extensions",
                          headers=headers, json={"days": 5, "reason": "Late."})
    assert refused.status_code == 409
    assert written(sessions) == before

"""What the plan page's actions added to the workflow, as the API and the workflow give
them: a resend to a corrected address (``POST .../resend`` with an optional body), and
reminding now."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from signing.domain import apikeys
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.domain.models import SignerRow
from signing.web.api.openapi import openapi_document
from tests.console.plankit import make_plan

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def key(sessions):
    with sessions.begin() as session:
        row, secret = apikeys.create_key(session, "HRIS", "hr", NOW, team="Sales HR")
    return apikeys.actor(row.prefix), {"Authorization": f"Bearer {secret}"}


def employee_of(sessions, envelope_id):
    with sessions() as session:
        return next(s for s in svc.load(session, envelope_id).signers if s.role == "employee")


@pytest.mark.database
def test_the_apis_resend_takes_a_corrected_address_or_none(client, sessions, key):
    actor, headers = key
    envelope_id = make_plan(sessions, owner=actor, team="Sales HR")
    employee = employee_of(sessions, envelope_id)
    path = f"/api/v1/envelopes/{envelope_id}/signers/{employee.id}/resend"
    assert client.post(path, headers=headers).status_code == 200  # no body, as before
    bad = client.post(path, headers=headers, json={"email": "not an address"})
    assert bad.status_code == 422 and bad.get_json()["field"] == "email"
    extra = client.post(path, headers=headers, json={"email": "a@example.org", "cc": "x"})
    assert extra.status_code == 422
    done = client.post(path, headers=headers, json={"email": "priya@example.org"})
    assert done.status_code == 200
    signer = next(s for s in done.get_json()["signers"] if s["id"] == employee.id)
    assert signer["email"] == "priya@example.org"
    with sessions() as session:
        assert session.get(SignerRow, employee.id).email == "priya@example.org"
        last = svc.audit_trail(session, envelope_id)[-1]
    assert last.actor == actor and last.data == {"email": "priya@example.org",
                                                 "previous_email": "alex.sample@example.com"}


def test_the_openapi_document_describes_the_optional_body():
    resend = openapi_document()["paths"][
        "/api/v1/envelopes/{envelope_id}/signers/{signer_id}/resend"]["post"]
    assert resend["requestBody"]["required"] is False
    schema = json.dumps(openapi_document()["components"]["schemas"]["ResendLink"])
    assert "corrected email address" in schema


def envelope(*states: wf.SignerState) -> wf.Envelope:
    roles = (wf.Role.MANAGER, wf.Role.EMPLOYEE, wf.Role.HR)
    return wf.Envelope("e", wf.EnvelopeState.SENT, tuple(
        wf.Signer(f"s{i}", roles[i], f"Name {i}", f"s{i}@example.com", i + 1, state)
        for i, state in enumerate(states)))


def test_resending_to_the_same_address_records_no_correction():
    sent = envelope(wf.SignerState.CONFIRMED, wf.SignerState.VIEWED, wf.SignerState.WAITING)
    step = wf.resend(sent, "s1", email=" S1@example.com ", now=NOW)
    assert step.events[0].data == {} and step.envelope == sent


def test_remind_now_needs_someone_waiting():
    waiting = envelope(wf.SignerState.CONFIRMED, wf.SignerState.NOTIFIED,
                       wf.SignerState.WAITING)
    step = wf.remind_now(waiting, now=NOW)
    assert [e.signer_id for e in step.events] == ["s1"]
    done = envelope(wf.SignerState.CONFIRMED, wf.SignerState.ACKNOWLEDGED,
                    wf.SignerState.CONFIRMED)
    with pytest.raises(wf.InvalidInput) as refused:
        wf.remind_now(done, now=NOW)
    assert refused.value.field == "signers"

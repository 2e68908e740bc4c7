"""Announcing envelope events: the outbox's webhook handler builds thin payloads (ids,
types, statuses, hashes, links; no plan text, comments, names or addresses), routes them
by the plan's manager, department and named endpoint, and keeps each envelope's order."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

import webhooks
from database import make_session_factory
from docgen import PlanError, sample_plan
from signing.domain import envelopes as svc
from signing.domain import outbox
from signing.domain import workflow as wf
from signing.domain.announce import Announcer
from signing.domain.downloads import DownloadLinks
from signing.domain.models import OutboxRow
from signing.domain.sending import check_webhook
from signing.domain.wording import STATEMENT, statement_for
from webhooks.models import WebhookMessage

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
HR = svc.Actor("hr:riley")
KEYS = ["k" * 40]
BASE = "https://sign.example.com"
COMMENT = "Goal 2 is not achievable with the current ticket volume."
ALL_EVENTS = list(webhooks.EVENT_TYPES)


@pytest.fixture
def announcer(sessions):
    return Announcer(sessions, DownloadLinks(KEYS, max_age=dt.timedelta(hours=24)), BASE)


def add_endpoint(sessions, **options) -> str:
    options.setdefault("events", ALL_EVENTS)
    with sessions.begin() as session:
        return webhooks.create_endpoint(
            session, url="https://hooks.example.com/h", created_by="test", sees_all=True, now=NOW,
            allow_private=False, resolve=lambda host: [], **options).endpoint.id


def send(sessions, plan_data=None) -> str:
    plan = sample_plan()
    data = plan_data or plan.model_dump(mode="json", by_alias=True, exclude_none=True)
    specs = [svc.SignerSpec(wf.Role.EMPLOYEE, plan.employee.name, plan.employee.email, 1),
             svc.SignerSpec(wf.Role.MANAGER, plan.manager.name, plan.manager.email, 2)]
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(session, plan_data=data, template="standard",
                                          pdf=b"%PDF-1.7 fake", signers=specs, actor=HR,
                                          now=NOW)
        svc.perform(session, envelope_id, "send", actor=HR, now=NOW,
                    expires_in=dt.timedelta(days=14))
    return envelope_id


def act(sessions, envelope_id, action, role, at, **arguments) -> str:
    with sessions() as session:
        signer_id = next(s.id for s in svc.load(session, envelope_id).signers
                         if s.role == role)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, action, signer_id=signer_id, actor=HR, now=at,
                    **arguments)
    return signer_id


def announce(sessions, announcer, at) -> int:
    return outbox.run_once(sessions, {"webhook": announcer}, now=at)


def messages(sessions, endpoint_id=None) -> list[WebhookMessage]:
    with sessions() as session:
        query = select(WebhookMessage).order_by(WebhookMessage.ordering_key,
                                                WebhookMessage.position)
        if endpoint_id:
            query = query.where(WebhookMessage.endpoint_id == endpoint_id)
        return list(session.scalars(query))


def test_each_step_is_announced_with_a_thin_payload(sessions, announcer):
    endpoint_id = add_endpoint(sessions)
    envelope_id = send(sessions)
    employee = act(sessions, envelope_id, "view", wf.Role.EMPLOYEE, NOW)
    act(sessions, envelope_id, "comment", wf.Role.EMPLOYEE, NOW, text=COMMENT)
    act(sessions, envelope_id, "acknowledge", wf.Role.EMPLOYEE, NOW, typed_name="Alex Sample",
        consent=True, statement=STATEMENT)
    assert announce(sessions, announcer, NOW) == 4

    sent = messages(sessions, endpoint_id)
    assert [m.event_type for m in sent] == ["envelope.sent", "signer.viewed",
                                            "signer.commented", "signer.acknowledged"]
    bodies = [json.loads(m.payload) for m in sent]
    with sessions() as session:
        row = svc.load(session, envelope_id)
        manager = next(s.id for s in row.signers if s.role == "manager")
    envelope = {"id": envelope_id, "plan_id": "PIP-SAMPLE-0001", "employee_id": "E-00001",
                "document_sha256": row.document_sha256,
                "url": f"{BASE}/api/v1/envelopes/{envelope_id}"}
    assert bodies[0] == {
        "type": "envelope.sent", "timestamp": "2026-12-01T09:00:00.000Z",
        "data": {"envelope": {**envelope, "status": "sent"},
                 "signers": [{"id": employee, "role": "employee", "status": "notified"},
                             {"id": manager, "role": "manager", "status": "waiting"}]}}
    assert bodies[1]["data"] == {"envelope": {**envelope, "status": "sent"},
                                 "signer": {"id": employee, "role": "employee",
                                            "status": "viewed"}}
    assert bodies[2]["data"]["signer"]["status"] == "viewed"  # a comment decides nothing
    assert bodies[3]["data"]["signer"]["status"] == "acknowledged"
    assert bodies[3]["data"]["envelope"]["status"] == "sent"  # the manager is next

    plan = sample_plan()
    text = " ".join(m.payload for m in sent)
    for private in (COMMENT, "Goal 2", plan.employee.name, plan.employee.email,
                    plan.manager.name, plan.manager.email, plan.hr.name,
                    plan.employee.department, plan.role_summary[:30], "Alex Sample",
                    plan.goals[0].statement[:30]):
        assert private not in text, private
    # Positions follow the outbox, so the endpoint gets them in this order.
    assert [m.position for m in sent] == sorted(m.position for m in sent)
    assert announce(sessions, announcer, NOW + dt.timedelta(minutes=1)) == 0


def test_a_later_event_publishes_the_earlier_ones_first(sessions, announcer):
    add_endpoint(sessions)
    envelope_id = send(sessions)
    act(sessions, envelope_id, "view", wf.Role.EMPLOYEE, NOW)
    with sessions() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.kind == "webhook")
                               .order_by(OutboxRow.id)).all()
    readers = make_session_factory(sessions.kw["bind"], read_only=True)
    last = rows[-1]
    job = outbox.OutboxJob(last.id, last.dedupe_key, last.kind, last.name, last.envelope_id,
                           last.signer_id, dict(last.payload), 1, last.created_at)
    with readers() as session:
        announcer(session, job, NOW)  # the second event's handler runs first
    assert [m.event_type for m in messages(sessions)] == ["envelope.sent", "signer.viewed"]
    assert announce(sessions, announcer, NOW) == 2  # each row's own turn adds nothing
    assert len(messages(sessions)) == 2


def test_routing_by_manager_department_and_the_plan_named_endpoint(sessions, announcer):
    plan = sample_plan()
    by_manager = add_endpoint(sessions, manager=plan.manager.email.upper())
    by_department = add_endpoint(sessions, department=plan.employee.department.lower())
    elsewhere = add_endpoint(sessions, department="Sales")
    named = add_endpoint(sessions, name="morgan-example-hris", named_only=True)
    unnamed_only = add_endpoint(sessions, name="someone-else", named_only=True)
    data = plan.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert data["manager"]["webhook"] == "morgan-example-hris"
    send(sessions, data)
    announce(sessions, announcer, NOW)
    got = {m.endpoint_id for m in messages(sessions)}
    assert got == {by_manager, by_department, named}
    assert not {elsewhere, unnamed_only} & got


def test_completed_carries_the_final_hash_and_a_download_link(sessions, announcer):
    endpoint_id = add_endpoint(sessions, events=["envelope.completed"])
    envelope_id = send(sessions)
    act(sessions, envelope_id, "acknowledge", wf.Role.EMPLOYEE, NOW, typed_name="Alex Sample",
        consent=True, statement=STATEMENT)
    act(sessions, envelope_id, "confirm", wf.Role.MANAGER, NOW, typed_name="Morgan Example",
        consent=True, statement=statement_for("manager"))
    final = "f" * 64
    with sessions.begin() as session:  # what finalizing does, without LibreOffice
        svc.store_document(session, b"%PDF final", "application/pdf", NOW)
        svc.perform(session, envelope_id, "seal", final_sha256=final, actor=HR, now=NOW)
        svc.load(session, envelope_id).final_sha256 = final
        svc.perform(session, envelope_id, "archive", actor=HR, now=NOW)
    announce(sessions, announcer, NOW + dt.timedelta(seconds=5))
    [message] = messages(sessions, endpoint_id)
    data = json.loads(message.payload)["data"]
    assert data["envelope"]["status"] == "archived"
    assert [s["status"] for s in data["signers"]] == ["acknowledged", "confirmed"]
    document = data["final_document"]
    assert document["sha256"] == final
    assert document["expires_at"] == "2026-12-02T09:00:06Z"
    assert document["url"].startswith(f"{BASE}/api/v1/envelopes/{envelope_id}/final.pdf?token=")
    token = document["url"].split("token=")[1]
    claims = announcer.downloads.unsign(token, now=NOW + dt.timedelta(hours=1))
    assert (claims.envelope_id, claims.sha256) == (envelope_id, final)


def test_a_decline_is_announced_then_the_void(sessions, announcer):
    endpoint_id = add_endpoint(sessions, events=["signer.declined", "envelope.voided"])
    envelope_id = send(sessions)
    act(sessions, envelope_id, "acknowledge", wf.Role.EMPLOYEE, NOW, typed_name="Alex Sample",
        consent=True, statement=STATEMENT)
    manager = act(sessions, envelope_id, "decline", wf.Role.MANAGER, NOW,
                  reason="Goal 2 was never discussed with me.")
    announce(sessions, announcer, NOW)
    declined, voided = messages(sessions, endpoint_id)
    assert (declined.event_type, voided.event_type) == ("signer.declined", "envelope.voided")
    assert json.loads(declined.payload)["data"]["signer"] == {
        "id": manager, "role": "manager", "status": "declined"}
    assert json.loads(voided.payload)["data"]["envelope"]["status"] == "voided"
    assert "never discussed" not in declined.payload + voided.payload  # no reasons


def test_only_endpoints_whose_owner_may_see_the_plan_hear_of_it(sessions, announcer):
    department = sample_plan().employee.department
    with sessions.begin() as session:
        def endpoint(owner: str, sees_all: bool) -> str:
            return webhooks.create_endpoint(
                session, url="https://hooks.example.com/h", events=["envelope.completed"],
                department=None if sees_all else department, created_by=owner,
                sees_all=sees_all, now=NOW, allow_private=False,
                resolve=lambda host: []).endpoint.id
        senders, others, admins = (endpoint(HR.name, False), endpoint("apikey:psk_other00", False),
                                   endpoint("apikey:psk_admin000", True))
    envelope_id = send(sessions)
    act(sessions, envelope_id, "acknowledge", wf.Role.EMPLOYEE, NOW, typed_name="Alex Sample",
        consent=True, statement=STATEMENT)
    act(sessions, envelope_id, "confirm", wf.Role.MANAGER, NOW, typed_name="Morgan Example",
        consent=True, statement=statement_for("manager"))
    with sessions.begin() as session:
        svc.store_document(session, b"%PDF final", "application/pdf", NOW)
        svc.perform(session, envelope_id, "seal", final_sha256="f" * 64, actor=HR, now=NOW)
        svc.load(session, envelope_id).final_sha256 = "f" * 64
        svc.perform(session, envelope_id, "archive", actor=HR, now=NOW)
    announce(sessions, announcer, NOW)
    assert messages(sessions, others) == []
    for endpoint_id in (senders, admins):
        [message] = [m for m in messages(sessions, endpoint_id)
                     if m.event_type == "envelope.completed"]
        url = json.loads(message.payload)["data"]["final_document"]["url"]
        claims = announcer.downloads.unsign(url.split("token=")[1], now=NOW)
        assert claims.endpoint_id == endpoint_id  # each link names whom it was sent to


def test_email_bounced_passes_on_only_short_codes(sessions, announcer):
    add_endpoint(sessions, events=["email.bounced"])
    envelope_id = send(sessions)
    with sessions() as session:
        employee = next(s for s in svc.load(session, envelope_id).signers
                        if s.role == "employee")
    with sessions.begin() as session:  # as the provider's events will queue it
        session.add(OutboxRow(
            dedupe_key=f"{envelope_id}:99:0", kind="webhook", name="email.bounced",
            envelope_id=envelope_id, signer_id=employee.id, created_at=NOW, attempts=0,
            next_attempt_at=NOW, payload={"message": "invitation", "event": "bounce",
                                          "reason": f"550 5.1.1 <{employee.email}> unknown"}))
    announce(sessions, announcer, NOW)
    [message] = [m for m in messages(sessions) if m.event_type == "email.bounced"]
    data = json.loads(message.payload)["data"]
    assert data["email"] == {"message": "invitation", "event": "bounce"}
    assert data["signer"] == {"id": employee.id, "role": "employee", "status": "notified"}
    assert employee.email not in message.payload


def test_no_endpoints_no_messages(sessions, announcer):
    send(sessions)
    assert announce(sessions, announcer, NOW) == 1
    assert messages(sessions) == []


def test_a_plan_must_name_an_enabled_endpoint(sessions):
    plan = sample_plan()
    with pytest.raises(PlanError) as info:
        check_webhook(sessions, plan, owner="test")
    [problem] = info.value.problems
    assert problem.path == "manager.webhook"
    assert "no webhook endpoint is named morgan-example-hris" in problem.message
    endpoint_id = add_endpoint(sessions, name="morgan-example-hris")
    check_webhook(sessions, plan, owner="test")
    with sessions.begin() as session:
        webhooks.disable_endpoint(session, endpoint_id, reason="HRIS retired", now=NOW)
    with pytest.raises(PlanError, match="is disabled \\(HRIS retired\\)"):
        check_webhook(sessions, plan, owner="test")


def test_the_plan_model_checks_endpoint_names_as_the_webhooks_package_does():
    from docgen.loading import plan_from_data
    from docgen.model import WEBHOOK_NAME_PATTERN

    assert WEBHOOK_NAME_PATTERN == webhooks.NAME_PATTERN
    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["manager"]["webhook"] = "Morgan's HRIS"
    with pytest.raises(PlanError) as info:
        plan_from_data(data)
    assert [p.path for p in info.value.problems] == ["manager.webhook"]
    assert "is not a webhook endpoint name" in info.value.problems[0].message


def test_the_worker_announces_a_batch_in_one_transaction(sessions, announcer):
    endpoint_id = add_endpoint(sessions)
    first, second = send(sessions), send(sessions)
    act(sessions, first, "view", wf.Role.EMPLOYEE, NOW)
    with sessions.begin() as session:  # a row no endpoint can ever get: it fails alone
        session.add(OutboxRow(dedupe_key=f"{second}:99:0", kind="webhook",
                              name="envelope.exploded", envelope_id=second,
                              created_at=NOW, attempts=0, next_attempt_at=NOW, payload={}))

    assert announcer.run_once(now=NOW) == 4
    assert [(m.ordering_key, m.event_type) for m in messages(sessions, endpoint_id)] == sorted(
        [(first, "envelope.sent"), (first, "signer.viewed"), (second, "envelope.sent")])
    with sessions() as session:
        rows = {r.name: r for r in session.scalars(select(OutboxRow).where(
            OutboxRow.kind == "webhook", OutboxRow.envelope_id == second))}
    assert rows["envelope.sent"].sent_at == NOW
    assert rows["envelope.exploded"].failed_at == NOW
    assert "not a webhook event type" in rows["envelope.exploded"].last_error
    assert announcer.run_once(now=NOW + dt.timedelta(hours=1)) == 0

"""Who may see and do what, played as a second HR team would: against every route of the
API that takes an id (envelopes, signers, webhook endpoints, deliveries, archived
records), taken from the OpenAPI document, so that a new route is covered as soon as it
exists. Each must refuse (404, or 403 for the role), say no more than it says of an id
that does not exist, change nothing, and leave a row in the access log."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, update

import webhooks
from archive import RecordDocuments, RecordIndex, access_log, put_record
from archive.models import AccessEntry
from docgen import sample_plan
from signing.domain import apikeys
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.domain.models import EnvelopeRow
from signing.web.app import create_app
from signing.web.current import services_of
from webhooks.models import WebhookEndpoint, WebhookMessage

NOW = dt.datetime.now(dt.UTC)
SALES, SUPPORT = "Sales HR", "Support HR"

# A valid body for each operation that takes one, so that what is tested is the refusal,
# not the body's validation. A new body model needs an example here (the test says so).
BODIES = {
    "VoidEnvelope": {"reason": "Checked by the access test."},
    "DisableWebhook": {"reason": "Checked by the access test."},
    "RotateSecret": {"overlap_hours": 0},
    "HoldBody": {"reason": "Checked by the access test."},
    "ResendLink": {"email": "checked.by.the.access.test@example.com"},
    "RecordCheckin": {"meeting": 1, "missed_reason": "Checked by the access test."},
    "ProposeOutcome": {"outcome": "not_met", "goals": {"1": {
        "assessment": "not met", "result": "78%", "evidence": "Checked by the access test."}}},
    "ReturnOutcome": {"comment": "Checked by the access test."},
    "CloseEarly": {"outcome": "withdrawn", "reason": "Checked by the access test."},
    "ExtendCase": {"days": 7, "reason": "Checked by the access test."},
}


@dataclass(frozen=True)
class Key:
    headers: dict[str, str]
    actor: str


@pytest.fixture
def app(tmp_path, database_url, clean_env):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                       "webhook_allow_private": True})


def make_key(sessions, role: str, team: str | None = None) -> Key:
    with sessions.begin() as session:
        row, plaintext = apikeys.create_key(session, f"{role} {team}", role, NOW, team=team)
        return Key({"Authorization": f"Bearer {plaintext}"}, f"apikey:{row.prefix}")


@dataclass(frozen=True)
class TeamA:
    """What the first HR team owns: an envelope out for signature, an archived one, a
    webhook endpoint and a message to it."""

    key: Key
    envelope_id: str
    signer_id: str
    archived_id: str
    endpoint_id: str
    message_id: str
    secret: str


def own_envelope(sessions, owner: str, team: str | None, *, state: str = "sent") -> str:
    plan = sample_plan()
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=plan.model_dump(mode="json", by_alias=True, exclude_none=True),
            template="standard", pdf=f"%PDF {uuid.uuid4()}".encode(),
            signers=[svc.SignerSpec(wf.Role.EMPLOYEE, plan.employee.name, plan.employee.email,
                                    1)],
            actor=svc.Actor(owner), now=NOW, team=team)
        svc.perform(session, envelope_id, "send", actor=svc.Actor(owner), now=NOW,
                    expires_in=dt.timedelta(days=14))
        if state != "sent":
            svc.load(session, envelope_id).state = state
    return envelope_id


@pytest.fixture
def team_a(app, client, sessions) -> TeamA:
    key = make_key(sessions, "hr", SALES)
    envelope_id = own_envelope(sessions, key.actor, SALES)
    archived_id = own_envelope(sessions, key.actor, SALES, state="archived")
    with sessions.begin() as session:
        put_record(session, services_of(app).store, RecordIndex(
            envelope_id=archived_id, plan_id="PIP-A", employee_name="Léa Brändli",
            employee_id="E-1", manager_name="Jürg Baumann", department="Sales",
            outcome="acknowledged", sent_at=NOW, completed_at=NOW, sent_by=key.actor,
            team=SALES),
            RecordDocuments(original_pdf=b"%PDF original", final_pdf=b"%PDF final",
                            plan_data={"plan_id": "PIP-A"}, audit_trail=[]),
            now=NOW, retain_for=None)
        signer_id = svc.load(session, envelope_id).signers[0].id
    created = client.post("/api/v1/webhooks", headers=key.headers, json={
        "url": "http://127.0.0.1:9/hooks", "events": ["envelope.voided"],
        "department": "Sales"})
    assert created.status_code == 201, created.get_json()
    endpoint = created.get_json()
    with sessions.begin() as session:
        [message_id] = webhooks.publish(
            session, "envelope.voided", {"envelope": {"id": envelope_id}},
            ordering_key=envelope_id, now=NOW, owner=key.actor, team=SALES,
            department="Sales")
    return TeamA(key, envelope_id, signer_id, archived_id, endpoint["id"], message_id,
                 endpoint["secret"])


def id_taking_routes(client) -> list[tuple[str, str, dict]]:
    """(method, path template, operation) of every route with an id in its path."""
    document = client.application.test_client().get("/api/v1/openapi.json").get_json()
    return [(method.upper(), path, op) for path, methods in document["paths"].items()
            for method, op in methods.items() if "{" in path]


def fill(path: str, team_a: TeamA) -> str:
    ids = {"envelope_id": (team_a.archived_id if path.startswith("/api/v1/archive/")
                           else team_a.envelope_id),
           "signer_id": team_a.signer_id, "endpoint_id": team_a.endpoint_id,
           "message_id": team_a.message_id, "hold_id": "1",
           "file": "check-in-1-record-v1.pdf"}

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in ids, f"a new kind of id, {name}: give team A one in this test"
        return ids[name]

    return re.sub(r"\{([^}]+)\}", one, path)


def body_of(op: dict, document: dict) -> dict | None:
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = schema.get("schema", {}).get("$ref")
    if ref is None:
        return None
    name = ref.rsplit("/", 1)[1]
    assert name in BODIES, f"give a valid example body for {name} in BODIES"
    return BODIES[name]


def call(client, method: str, path: str, headers: dict, body: dict | None):
    if path.endswith("/final.pdf") and "/archive/" not in path:
        path += "?token=not-team-bs-to-have"  # the webhook's link: a token, no key
    return client.open(path, method=method, headers=headers, json=body)


def denied_rows(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(AccessEntry)
                              .where(AccessEntry.allowed.is_(False)))


def state_of(sessions, team_a: TeamA) -> tuple:
    """Everything a refused request might have changed."""
    with sessions() as session:
        endpoint = session.get(WebhookEndpoint, team_a.endpoint_id)
        message = session.get(WebhookMessage, team_a.message_id)
        envelope = svc.load(session, team_a.envelope_id)
        from archive import get_record
        record = get_record(session, team_a.archived_id)
        return (envelope.state, tuple((s.state, s.nonce) for s in envelope.signers),
                endpoint.secret, endpoint.disabled_at, message.next_attempt_at,
                message.tries, record.hold_at)


@pytest.mark.parametrize("who", ["other team", "no team", "records"])
def test_every_id_taking_route_refuses_what_is_not_the_callers(app, client, sessions, team_a,
                                                               who):
    intruder = {"other team": lambda: make_key(sessions, "hr", SUPPORT),
                "no team": lambda: make_key(sessions, "hr"),
                "records": lambda: make_key(sessions, "records")}[who]()
    document = client.get("/api/v1/openapi.json").get_json()
    routes = id_taking_routes(client)
    assert len(routes) >= 15  # envelopes, signers, webhooks, deliveries, archive
    before = state_of(sessions, team_a)
    for method, template, op in routes:
        path = fill(template, team_a)
        if who == "records" and template.startswith("/api/v1/archive/"):
            continue  # records staff read the archive: that is their job
        logged = denied_rows(sessions)
        response = call(client, method, path, intruder.headers, body_of(op, document))
        assert response.status_code in (403, 404), (method, path, response.status_code,
                                                    response.get_json())
        assert response.status_code == 404 or "may not" in response.get_json()["error"] \
            or "link" in response.get_json()["error"], (method, path, response.get_json())
        assert denied_rows(sessions) == logged + 1, f"{method} {path}: refusal not logged"
        if response.status_code == 404:
            # Said exactly as for an id that does not exist: nothing is confirmed.
            unknown = call(client, method, re.sub(
                r"(ep_|msg_)?[0-9a-f]{8}-?[0-9a-f-]*", lambda m: (m.group(1) or "")
                + "0" * (len(m.group(0)) - len(m.group(1) or "")), path),
                intruder.headers, body_of(op, document))
            assert unknown.status_code == 404
            assert re.sub(r"\S*0{8}\S*", "ID", unknown.get_json()["error"]) == re.sub(
                r"\S*(ep_|msg_)?[0-9a-f]{8}\S*", "ID", response.get_json()["error"]), (
                method, path)
    assert state_of(sessions, team_a) == before


def test_the_refusal_names_who_asked_and_what(client, sessions, team_a):
    intruder = make_key(sessions, "hr", SUPPORT)
    response = client.post(f"/api/v1/envelopes/{team_a.envelope_id}/void",
                           json={"reason": "Not mine to void."}, headers=intruder.headers)
    assert response.status_code == 404
    assert response.get_json() == {"error": f"no envelope {team_a.envelope_id}"}
    with sessions() as session:
        [entry] = access_log(session, envelope_id=team_a.envelope_id, denied_only=True)
    assert entry.actor.startswith(intruder.actor) and entry.role == "hr"
    assert entry.action == "envelope void" and entry.ip == "127.0.0.1"
    assert "not this hr's envelope" in entry.detail


def test_a_team_shares_its_plans_and_admins_see_all(client, sessions, team_a):
    colleague = make_key(sessions, "hr", SALES)
    admin = make_key(sessions, "admin")
    for key in (team_a.key, colleague, admin):
        for suffix in ("", "/events", "/document.pdf"):
            response = client.get(f"/api/v1/envelopes/{team_a.envelope_id}{suffix}",
                                  headers=key.headers)
            assert response.status_code == 200, (key.actor, suffix)
    voided = client.post(f"/api/v1/envelopes/{team_a.envelope_id}/void",
                         json={"reason": "Sent to the wrong person."}, headers=colleague.headers)
    assert voided.status_code == 200 and voided.get_json()["state"] == "voided"


def test_every_read_of_an_envelope_is_logged(client, sessions, team_a):
    for suffix, action in (("", "envelope status"), ("/events", "envelope events"),
                           ("/document.pdf", "envelope download original.pdf")):
        assert client.get(f"/api/v1/envelopes/{team_a.envelope_id}{suffix}",
                          headers=team_a.key.headers).status_code == 200
        with sessions() as session:
            newest = access_log(session, envelope_id=team_a.envelope_id, limit=1)[0]
        assert (newest.action, newest.allowed) == (action, True)
        assert newest.actor.startswith(team_a.key.actor)


def test_listings_show_only_the_callers_own(client, sessions, team_a):
    intruder = make_key(sessions, "hr", SUPPORT)
    mine = client.post("/api/v1/webhooks", headers=intruder.headers, json={
        "url": "http://127.0.0.1:9/b", "events": ["envelope.voided"], "department": "Support"})
    assert mine.status_code == 201
    listed = client.get("/api/v1/webhooks", headers=intruder.headers).get_json()["webhooks"]
    assert [w["id"] for w in listed] == [mine.get_json()["id"]]
    deliveries = client.get("/api/v1/webhooks/deliveries", headers=intruder.headers)
    assert deliveries.status_code == 200
    assert team_a.envelope_id not in deliveries.get_data(as_text=True)
    assert deliveries.get_json()["deliveries"] == []
    found = client.get("/api/v1/archive/records", headers=intruder.headers).get_json()
    assert found["total"] == 0
    # The owner and its team see theirs; an admin sees every one.
    admin = make_key(sessions, "admin")
    for key in (team_a.key, admin):
        shown = client.get("/api/v1/webhooks/deliveries", headers=key.headers).get_json()
        assert [d["envelope_id"] for d in shown["deliveries"]] == [team_a.envelope_id]
    colleague = make_key(sessions, "hr", SALES)
    found = client.get("/api/v1/archive/records", headers=colleague.headers).get_json()
    assert [r["envelope_id"] for r in found["records"]] == [team_a.archived_id]
    assert client.get(f"/api/v1/archive/records/{team_a.archived_id}",
                      headers=colleague.headers).status_code == 200


def test_an_endpoint_for_every_plan_is_an_admins(client, sessions):
    hr, admin = make_key(sessions, "hr", SALES), make_key(sessions, "admin")
    body = {"url": "http://127.0.0.1:9/all", "events": ["envelope.completed"]}
    refused = client.post("/api/v1/webhooks", headers=hr.headers, json=body)
    assert refused.status_code == 403
    assert "admin key" in refused.get_json()["error"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
    created = client.post("/api/v1/webhooks", headers=admin.headers, json=body)
    assert created.status_code == 201 and created.get_json()["scope"] == "all"


def test_an_hr_endpoint_hears_only_of_plans_its_owner_may_see(client, sessions):
    """A second team registers an endpoint for the first team's department: it hears
    nothing of the first team's plans. Before, a scope-all endpoint heard of every plan
    and got a download link to each sealed PDF."""
    sales, colleague = make_key(sessions, "hr", SALES), make_key(sessions, "hr", SALES)
    support, admin = make_key(sessions, "hr", SUPPORT), make_key(sessions, "admin")
    endpoints = {}
    for name, key, scope in (("sales", sales, {"department": "Sales"}),
                             ("colleague", colleague, {"department": "Sales"}),
                             ("support", support, {"department": "Sales"}),
                             ("admin", admin, {})):
        response = client.post("/api/v1/webhooks", headers=key.headers, json={
            "url": f"http://127.0.0.1:9/{name}", "events": ["envelope.voided"], **scope})
        assert response.status_code == 201, response.get_json()
        endpoints[response.get_json()["id"]] = name
    with sessions.begin() as session:
        ids = webhooks.publish(session, "envelope.voided", {"envelope": {"id": "e"}},
                               ordering_key="e", now=NOW, owner=sales.actor, team=SALES,
                               department="Sales")
        reached = {endpoints[session.get(WebhookMessage, i).endpoint_id] for i in ids}
    assert reached == {"sales", "colleague", "admin"}


def test_a_plan_may_not_name_another_teams_endpoint(app, client, sessions):
    support = make_key(sessions, "hr", SUPPORT)
    created = client.post("/api/v1/webhooks", headers=support.headers, json={
        "url": "http://127.0.0.1:9/b", "events": ["envelope.voided"], "named_only": True,
        "name": "support-hris"})
    assert created.status_code == 201
    sales = make_key(sessions, "hr", SALES)
    services_of(app).converter = object()  # never reached: refused before
    plan = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    plan["manager"]["webhook"] = "support-hris"
    response = client.post("/api/v1/envelopes", headers=sales.headers, json={"plan": plan})
    assert response.status_code == 422
    [problem] = response.get_json()["errors"]
    assert problem["path"] == "manager.webhook"
    assert problem["message"].startswith("no webhook endpoint is named support-hris")


def test_an_endpoint_follows_its_key_to_a_new_team_and_stops_when_it_is_revoked(client,
                                                                                 sessions):
    key = make_key(sessions, "hr", SALES)
    created = client.post("/api/v1/webhooks", headers=key.headers, json={
        "url": "http://127.0.0.1:9/a", "events": ["envelope.voided"], "department": "Sales"})
    endpoint_id = created.get_json()["id"]
    prefix = key.actor.removeprefix("apikey:")

    def reached(owner: str, team: str) -> bool:
        with sessions.begin() as session:
            ids = webhooks.publish(session, "envelope.voided", {"envelope": {"id": "e"}},
                                   ordering_key=str(uuid.uuid4()), now=NOW, owner=owner,
                                   team=team, department="Sales")
            return any(session.get(WebhookMessage, i).endpoint_id == endpoint_id for i in ids)

    assert reached("apikey:psk_colleag1", SALES)
    with sessions.begin() as session:
        apikeys.set_team(session, prefix, SUPPORT)
    # It hears of its new team's plans, and no longer of the old team's.
    assert not reached("apikey:psk_colleag1", SALES)
    assert reached("apikey:psk_support1", SUPPORT)
    with sessions.begin() as session:
        apikeys.revoke(session, prefix, NOW)
    assert not reached("apikey:psk_support1", SUPPORT)
    with sessions() as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        assert endpoint.disabled_reason == "its owner's API key was revoked"


def test_a_keys_plans_move_to_its_team_with_it(client, sessions, team_a):
    """Rotating a key: its plans, live and archived, go to a team (--with-plans), and
    the new key of that team follows them."""
    alone = make_key(sessions, "hr")
    envelope_id = own_envelope(sessions, alone.actor, None)
    successor = make_key(sessions, "hr", "Finance HR")
    path = f"/api/v1/envelopes/{envelope_id}"
    assert client.get(path, headers=successor.headers).status_code == 404
    with sessions.begin() as session:
        apikeys.revoke(session, alone.actor.removeprefix("apikey:"), NOW)
        _, moved = apikeys.set_team(session, alone.actor.removeprefix("apikey:"),
                                    "Finance HR", with_plans=True)
    assert moved == 1
    assert client.get(path, headers=successor.headers).status_code == 200


def test_deliveries_about_plans_the_owner_may_no_longer_see_are_not_shown(client, sessions,
                                                                         team_a):
    """Messages queued before an endpoint was limited (migration 0011), or before its key
    changed team, name other teams' envelopes: the listing leaves them out, and they
    cannot be read or redelivered."""
    with sessions.begin() as session:
        apikeys.set_team(session, team_a.key.actor.removeprefix("apikey:"), SUPPORT)
        session.execute(update(EnvelopeRow).where(EnvelopeRow.id == team_a.envelope_id)
                        .values(owner="apikey:psk_someone0"))
    listed = client.get("/api/v1/webhooks/deliveries", headers=team_a.key.headers)
    assert listed.status_code == 200 and listed.get_json()["deliveries"] == []
    for method, suffix in (("GET", ""), ("POST", "/redeliver")):
        refused = client.open(f"/api/v1/webhooks/deliveries/{team_a.message_id}{suffix}",
                              method=method, headers=team_a.key.headers)
        assert refused.status_code == 404
    with sessions() as session:
        [entry] = access_log(session, limit=1)
    assert "about a plan its owner may not see" in entry.detail


def test_the_refused_scope_and_a_purged_plans_link_are_logged(app, client, sessions):
    hr = make_key(sessions, "hr", SALES)
    assert client.post("/api/v1/webhooks", headers=hr.headers, json={
        "url": "http://127.0.0.1:9/all", "events": ["envelope.completed"]}).status_code == 403
    with sessions() as session:
        [entry] = access_log(session, limit=1)
    assert (entry.action, entry.allowed) == ("webhook create", False)
    erased = str(uuid.uuid4())  # a link to a plan purged since: it stops working, logged
    token, _ = services_of(app).downloads.sign(erased, "a" * 64, endpoint_id="ep_0123abcd",
                                               now=NOW)
    gone = client.get(f"/api/v1/envelopes/{erased}/final.pdf?token={token}")
    assert gone.status_code == 403
    with sessions() as session:
        [entry] = access_log(session, limit=1)
    assert (entry.action, entry.allowed, entry.actor, entry.envelope_id) == (
        "download final.pdf", False, "webhook:ep_0123abcd", erased)

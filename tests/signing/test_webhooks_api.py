"""The webhook operations of the HR API, and the final PDF by a webhook's download link."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select

import webhooks
from archive import access_log
from docgen import sample_plan
from signing.domain import apikeys
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.domain.links import LinkSigner, Purpose
from signing.web.api import webhook_views
from signing.web.app import create_app
from signing.web.current import services_of
from webhooks.models import WebhookEndpoint

NOW = dt.datetime.now(dt.UTC)
KEY = "k" * 40


@pytest.fixture
def app(tmp_path, database_url, clean_env):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": KEY, "base_url": "https://sign.example.com",
                       "webhook_allow_private": True})


def key(sessions, role: str) -> dict[str, str]:
    with sessions.begin() as session:
        return {"Authorization": f"Bearer {apikeys.create_key(session, role, role, NOW)[1]}"}


@pytest.fixture
def hr(sessions):
    return key(sessions, "hr")


def endpoints(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(WebhookEndpoint))


def test_create_list_get_disable_enable_rotate(client, hr, sessions):
    response = client.post("/api/v1/webhooks", headers=hr, json={
        "url": "http://127.0.0.1:9/hooks", "events": ["envelope.completed"],
        "name": "morgan-hris", "manager": "morgan@example.com"})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["secret"].startswith("whsec_")
    assert response.headers["Location"] == f"/api/v1/webhooks/{created['id']}"
    assert (created["scope"], created["filter"], created["created_by"][:11]) == (
        "manager", "morgan@example.com", "apikey:psk_")

    listed = client.get("/api/v1/webhooks", headers=hr).get_json()["webhooks"]
    assert [w["id"] for w in listed] == [created["id"]]
    assert "secret" not in listed[0] and created["secret"] not in str(listed)
    one = client.get(f"/api/v1/webhooks/{created['id']}", headers=hr).get_json()
    assert one["name"] == "morgan-hris" and "secret" not in one

    disabled = client.post(f"/api/v1/webhooks/{created['id']}/disable", headers=hr,
                           json={"reason": "HRIS down for migration"}).get_json()
    assert disabled["disabled_reason"].startswith("HRIS down for migration (apikey:psk_")
    enabled = client.post(f"/api/v1/webhooks/{created['id']}/enable", headers=hr).get_json()
    assert enabled["disabled_at"] is None

    rotated = client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", headers=hr,
                          json={"overlap_hours": 2}).get_json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert rotated["previous_secret_expires_at"] is not None
    with sessions() as session:
        endpoint = webhooks.get_endpoint(session, created["id"])
        assert webhooks.signing_secrets(endpoint, NOW) == [rotated["secret"],
                                                           created["secret"]]


@pytest.mark.parametrize("hours", [True, "24", None])
def test_a_rotation_overlap_must_be_a_json_number(client, hr, sessions, hours):
    # Found by schemathesis: true was read as 1 hour. A JSON body keeps JSON's types.
    created = client.post("/api/v1/webhooks", headers=hr, json={
        "url": "https://hooks.example.com/h", "events": ["envelope.sent"],
        "department": "Support"}).get_json()
    response = client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", headers=hr,
                           json={"overlap_hours": hours})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "overlap_hours"
    with sessions() as session:
        assert webhooks.get_endpoint(session, created["id"]).previous_secret is None


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "https://127.0.0.1/h", "events": ["nope"]}, "events[0]"),
    ({"url": "https://hooks.example.com/h", "events": []}, "events"),
    ({"url": "https://hooks.example.com/h", "events": ["envelope.sent"], "name": "Bad Name"},
     "name"),
    ({"url": "https://hooks.example.com/h", "events": ["envelope.sent"], "colour": "red"},
     "colour"),
])
def test_bad_bodies_name_the_field_and_add_nothing(client, hr, sessions, body, field):
    response = client.post("/api/v1/webhooks", headers=hr, json=body)
    assert response.status_code == 422
    assert field in [e["path"] for e in response.get_json()["errors"]]
    assert endpoints(sessions) == 0


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"url": "ftp://hooks.example.com/h"}, "url", "https"),
    ({"url": "http://hooks.example.com/h"}, "url", "must use https://"),
    ({"url": "https://hooks.example.com/h", "manager": "nobody"}, "manager", "email"),
    ({"url": "https://hooks.example.com/h", "manager": "m@example.com", "department": "Ops"},
     "department", "at most one"),
])
def test_bad_values_name_the_field_and_add_nothing(client, hr, sessions, body, field, message):
    response = client.post("/api/v1/webhooks", headers=hr,
                           json={"events": ["envelope.sent"], **body})
    assert response.status_code == 422
    assert response.get_json()["field"] == field
    assert message in response.get_json()["error"]
    assert endpoints(sessions) == 0


def test_private_addresses_are_refused_unless_allowed(tmp_path, database_url, clean_env):
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": KEY})
    headers = key(services_of(app).sessions, "admin")
    response = app.test_client().post("/api/v1/webhooks", headers=headers, json={
        "url": "https://10.0.0.7/hooks", "events": ["envelope.sent"]})
    assert response.status_code == 422 and response.get_json()["field"] == "url"
    assert "10.0.0.7 is not a public address" in response.get_json()["error"]


def test_records_keys_and_no_key_may_not(client, sessions):
    records = key(sessions, "records")
    assert client.get("/api/v1/webhooks", headers=records).status_code == 403
    assert client.get("/api/v1/webhooks").status_code == 401
    assert client.post("/api/v1/webhooks", json={}).status_code == 401


def test_unknown_ids_are_404(client, hr):
    assert client.get("/api/v1/webhooks/ep_nope", headers=hr).status_code == 404
    assert client.post("/api/v1/webhooks/deliveries/msg_nope/redeliver",
                       headers=hr).status_code == 404
    response = client.get("/api/v1/webhooks/deliveries?endpoint_id=ep_nope", headers=hr)
    assert response.status_code == 404


def test_deliveries_and_redeliver(client, hr, sessions):
    created = client.post("/api/v1/webhooks", headers=hr, json={
        "url": "http://127.0.0.1:9/hooks", "events": ["envelope.voided"],
        "department": "Support"}).get_json()
    plan = sample_plan()
    with sessions.begin() as session:  # an envelope of the endpoint's owner
        envelope_id = svc.create_envelope(
            session, plan_data=plan.model_dump(mode="json", by_alias=True, exclude_none=True),
            template="standard", pdf=b"%PDF voided",
            signers=[svc.SignerSpec(wf.Role.EMPLOYEE, "A", "a@example.com", 1)],
            actor=svc.Actor(created["created_by"]), now=NOW)
        [message_id] = webhooks.publish(
            session, "envelope.voided", {"envelope": {"id": envelope_id}},
            ordering_key=envelope_id, now=NOW, department="Support",
            owner=created["created_by"])
    listed = client.get(f"/api/v1/webhooks/deliveries?endpoint_id={created['id']}",
                        headers=hr).get_json()["deliveries"]
    assert [(d["id"], d["status"], d["envelope_id"], d["attempts"]) for d in listed] == [
        (message_id, "pending", envelope_id, [])]
    assert client.get("/api/v1/webhooks/deliveries?failed=true",
                      headers=hr).get_json()["deliveries"] == []
    bad = client.get("/api/v1/webhooks/deliveries?limit=0", headers=hr)
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"] == "limit"
    unknown = client.get("/api/v1/webhooks/deliveries?colour=red", headers=hr)
    assert unknown.status_code == 422
    one = client.get(f"/api/v1/webhooks/deliveries/{message_id}", headers=hr).get_json()
    assert one["event_type"] == "envelope.voided"
    again = client.post(f"/api/v1/webhooks/deliveries/{message_id}/redeliver", headers=hr)
    assert again.status_code == 202 and again.get_json()["status"] == "pending"
    client.post(f"/api/v1/webhooks/{created['id']}/disable", headers=hr, json={"reason": "x"})
    refused = client.post(f"/api/v1/webhooks/deliveries/{message_id}/redeliver", headers=hr)
    assert refused.status_code == 409 and "enable it first" in refused.get_json()["error"]


def test_the_operations_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    for path, method in [("/api/v1/webhooks", "post"), ("/api/v1/webhooks", "get"),
                         ("/api/v1/webhooks/{endpoint_id}", "get"),
                         ("/api/v1/webhooks/{endpoint_id}/disable", "post"),
                         ("/api/v1/webhooks/{endpoint_id}/rotate-secret", "post"),
                         ("/api/v1/webhooks/deliveries", "get"),
                         ("/api/v1/webhooks/deliveries/{message_id}/redeliver", "post"),
                         ("/api/v1/envelopes/{envelope_id}/final.pdf", "get")]:
        assert method in paths[path], (path, method)
    assert paths["/api/v1/webhooks"]["post"]["x-roles"] == ["admin", "hr"]
    query = {p["name"]: p for p in paths["/api/v1/webhooks/deliveries"]["get"]["parameters"]}
    assert set(query) == {"endpoint_id", "failed", "limit"}
    assert all(p["in"] == "query" for p in query.values())
    download = paths["/api/v1/envelopes/{envelope_id}/final.pdf"]["get"]
    assert download["security"] == []
    assert {p["name"]: p["required"] for p in download["parameters"]} == {
        "envelope_id": True, "token": True}
    schema = document["components"]["schemas"]["CreateWebhook"]
    assert "envelope.completed" in str(schema["properties"]["events"])


def test_the_final_pdf_by_its_link_until_it_expires(app, client, sessions, monkeypatch):
    plan = sample_plan()
    final = b"%PDF-1.7 the sealed record"
    digest = hashlib.sha256(final).hexdigest()
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=plan.model_dump(mode="json", by_alias=True, exclude_none=True),
            template="standard", pdf=b"%PDF original",
            signers=[svc.SignerSpec(wf.Role.EMPLOYEE, "A", "a@example.com", 1)],
            actor=svc.Actor("t"), now=NOW)
        svc.store_document(session, final, "application/pdf", NOW)
        svc.load(session, envelope_id).final_sha256 = digest
    links = services_of(app).downloads
    token, expires = links.sign(envelope_id, digest, endpoint_id="ep_0123abcd", now=NOW)
    url = f"/api/v1/envelopes/{envelope_id}/final.pdf?token={token}"

    response = client.get(url)
    assert response.status_code == 200 and response.data == final
    assert response.mimetype == "application/pdf"
    assert hashlib.sha256(response.data).hexdigest() == digest
    with sessions() as session:  # the endpoint whose link was followed is the reader
        [read] = access_log(session, envelope_id=envelope_id)
    assert (read.actor, read.role, read.action, read.allowed) == (
        "webhook:ep_0123abcd", "webhook", "download final.pdf", True)

    monkeypatch.setattr(webhook_views, "_now", lambda: expires)
    expired = client.get(url)
    assert expired.status_code == 403 and "expired" in expired.get_json()["error"]
    monkeypatch.setattr(webhook_views, "_now", lambda: expires - dt.timedelta(seconds=1))
    assert client.get(url).status_code == 200

    other, _ = links.sign(envelope_id, "0" * 64, endpoint_id="ep_0123abcd", now=NOW)
    assert client.get(f"/api/v1/envelopes/{envelope_id}/final.pdf?token={other}"
                      ).status_code == 403
    assert client.get(f"/api/v1/envelopes/other/final.pdf?token={token}").status_code == 403
    assert client.get(url[:-3] + "abc").status_code == 403
    assert client.get(f"/api/v1/envelopes/{envelope_id}/final.pdf").status_code == 422
    # A signer's link, even for the same ids, is not a download token.
    signer_token = LinkSigner([KEY]).sign(envelope_id, "n" * 43, Purpose.DOWNLOAD)
    assert client.get(f"/api/v1/envelopes/{envelope_id}/final.pdf?token={signer_token}"
                      ).status_code == 403


def test_sending_a_plan_that_names_an_unknown_endpoint_is_a_422(app, client, hr):
    services_of(app).converter = object()  # never reached: nothing is rendered
    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    response = client.post("/api/v1/envelopes", headers=hr, json={"plan": data})
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["path"] == "manager.webhook"
    assert "no webhook endpoint is named morgan-example-hris" in error["message"]

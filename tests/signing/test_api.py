"""The HR API through Flask's test client, with real LibreOffice (the session's pool)."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import itertools
import json
import os
import re

import pytest
from sqlalchemy import select

from docgen import BUILTIN_TEMPLATES
from docgen.loading import parse_plan_text
from signing.domain import apikeys
from signing.domain import envelopes as svc
from signing.domain.models import Document, EnvelopeRow, OutboxRow, SignerRow
from signing.domain.wording import statement_for
from signing.web.app import create_app
from signing.web.current import services_of
from tests.conftest import EXAMPLES
from tests.pdftext import pdf_text

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def example_plan():
    return parse_plan_text(EXAMPLES[2].read_text(encoding="utf-8"), fmt="yaml")


@pytest.fixture
def plan(example_plan):
    return copy.deepcopy(example_plan)


@pytest.fixture
def app(tmp_path, database_url, converter, clean_env):
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})
    services_of(app).converter = converter
    return app


def make_key(sessions, role: str) -> str:
    with sessions.begin() as session:
        return apikeys.create_key(session, f"{role} test", role, NOW)[1]


@pytest.fixture
def hr(sessions):
    return {"Authorization": f"Bearer {make_key(sessions, 'hr')}"}


@pytest.fixture
def records(sessions):
    return {"Authorization": f"Bearer {make_key(sessions, 'records')}"}


def create(client, hr, plan, **extra):
    return client.post("/api/v1/envelopes", json={"plan": plan, **extra}, headers=hr)


@pytest.fixture
def envelope(client, hr, plan):
    response = create(client, hr, plan)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_then_get(client, hr, sessions, envelope, plan):
    assert envelope["state"] == "sent"
    assert re.fullmatch(r"[0-9a-f]{64}", envelope["document_sha256"])
    assert envelope["template"] == "standard"
    assert envelope["created_by"].startswith("apikey:psk_")
    response = client.get(f"/api/v1/envelopes/{envelope['id']}", headers=hr)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == envelope["id"] and body["state"] == "sent"
    assert body["expires_at"] is not None
    assert body["comments_until"] is None  # no refusal recorded: no comment window
    # The default routing: the manager confirms, then the employee, then HR countersign.
    manager, employee, hr_signer = body["signers"]
    assert (manager["role"], manager["routing_order"], manager["state"]) == (
        "manager", 1, "notified")
    assert employee["role"] == "employee" and employee["state"] == "waiting"
    assert employee["email"] == plan["employee"]["email"]
    assert employee["name"] == plan["employee"]["name"]
    assert employee["routing_order"] == 2 and employee["decided_at"] is None
    assert (hr_signer["role"], hr_signer["routing_order"], hr_signer["state"]) == (
        "hr", 3, "waiting")
    with sessions() as session:
        nonces = [s.nonce for s in session.scalars(select(SignerRow)) if s.nonce]
    assert nonces
    for text in (response.get_data(as_text=True), json.dumps(envelope)):
        assert "/s/" not in text and "nonce" not in text and "link" not in text
        assert not any(nonce in text for nonce in nonces)


def test_the_envelope_keeps_the_language_its_plan_names_or_the_default(client, hr, sessions,
                                                                       plan):
    named = create(client, hr, {**plan, "language": "ar"}).get_json()["id"]
    unnamed = create(client, hr, {k: v for k, v in plan.items() if k != "language"})
    with sessions() as session:
        assert session.get(EnvelopeRow, named).plan_data["language"] == "ar"
        assert session.get(EnvelopeRow, unnamed.get_json()["id"]).plan_data["language"] == "en"
    refused = create(client, hr, {**plan, "language": "xx"})
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["path"] == "language"


def test_the_location_header_and_the_outbox(client, hr, sessions, plan):
    response = create(client, hr, plan)
    assert response.headers["Location"] == f"/api/v1/envelopes/{response.get_json()['id']}"
    with sessions() as session:
        assert [r.name for r in session.scalars(select(OutboxRow).where(
            OutboxRow.kind == "email"))] == ["invitation"]


def test_a_bad_date_is_named(client, hr, plan):
    plan["goals"][1]["due"] = "2026-13-01"
    response = create(client, hr, plan)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"]
    assert "goals[1].due" in [e["path"] for e in body["errors"]]
    assert all(e["message"] for e in body["errors"])


@pytest.mark.parametrize(("path", "value"), [
    ("employee.name", "Alex " + "Sample" * 40), ("manager.email", "m" * 250 + "@example.com"),
    ("plan_id", "P" * 101), ("employee.department", "D" * 201),
    ("employee.employee_id", "E" * 101)])
def test_text_longer_than_the_database_keeps_is_named(client, hr, plan, path, value):
    """SQLite keeps any length; PostgreSQL refuses what does not fit its column."""
    *parents, name = path.split(".")
    holder = plan
    for parent in parents:
        holder = holder[parent]
    holder[name] = value
    response = create(client, hr, plan)
    assert response.status_code == 422, response.get_json()
    [error] = response.get_json()["errors"]
    assert error["path"] == path and "characters" in error["message"]


@pytest.mark.parametrize(("path", "value"), [
    ("employee.email", "lea,attacker<x>@example.com"),
    ("employee.email", "Lea <lea@example.com>"),
    ("manager.email", "morgan@example.com\r\nBcc: x@example.com"),
    ("hr.email", "hr@localhost"),
    ("hr.email", "rené@example.com"),
    ("employee.name", "Lea\nBcc: x@example.com"),
    ("manager.name", "Morgan\rExample"),
    ("hr.name", "HR\u2028Team")])
def test_a_name_or_address_that_cannot_be_emailed_is_refused_at_send(client, hr, plan,
                                                                      sessions, path, value):
    """The mail library would refuse these only when the worker builds the message."""
    person, name = path.split(".")
    plan[person][name] = value
    response = create(client, hr, plan)
    assert response.status_code == 422, response.get_json()
    [error] = response.get_json()["errors"]
    assert error["path"] == path and error["message"]
    with sessions() as session:
        assert session.scalars(select(SignerRow)).first() is None


def test_two_signers_at_one_address_are_refused(client, hr, plan, sessions):
    plan["routing"] = {"manager": "after"}
    plan["manager"]["email"] = plan["employee"]["email"]
    response = create(client, hr, plan)
    assert response.status_code == 422, response.get_json()
    [error] = response.get_json()["errors"]
    assert error["path"] == "manager.email" and "employee.email" in error["message"]
    with sessions() as session:
        assert session.scalars(select(SignerRow)).first() is None


def test_lint_findings(client, hr, plan):
    plan["support"] = []
    response = create(client, hr, plan)
    assert response.status_code == 422
    [finding] = [e for e in response.get_json()["errors"] if e["code"] == "PIP401"]
    assert finding["path"] == "support" and finding["severity"] == "error"
    assert finding["message"]
    forced = create(client, hr, plan, force=True)
    assert forced.status_code == 201


def test_invalid_data_gets_its_problems_and_the_lint_findings_for_the_rest(client, hr, plan):
    plan["goals"][0]["due"] = "2026-13-01"
    plan["support"] = []
    response = create(client, hr, plan, force=True)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors[0] == {"path": "goals[0].due",
                         "message": "2026-13-01 is not a date (write it as YYYY-MM-DD)"}
    [finding] = [e for e in errors if e.get("code") == "PIP401"]
    assert finding["path"] == "support" and finding["severity"] == "error"


def test_a_forced_send_is_the_plan_itself_without_the_lint_claim(client, hr, plan, sessions):
    # What is sent for signature is never a draft; but it must not say its goals are
    # specific and measurable when lint said otherwise.
    plan["goals"][0]["statement"] = "Do better with the ticket queue."
    forced = create(client, hr, plan, force=True)
    assert forced.status_code == 201, forced.get_json()
    with sessions() as session:
        row = session.get_one(EnvelopeRow, forced.get_json()["id"])
        text = " ".join(pdf_text(session.get_one(Document, row.document_sha256).content).split())
    assert "DRAFT" not in text
    assert "specific and measurable" not in text
    assert "Do better with the ticket queue." in text


def test_bad_request_bodies(client, hr, plan):
    for data in ("not json", "[1, 2]", "null", ""):
        response = client.post("/api/v1/envelopes", data=data, headers=hr,
                               content_type="application/json")
        assert response.status_code == 400 and response.is_json
        assert response.get_json()["error"]
    response = client.post("/api/v1/envelopes", json={"plan": "x", "force": "yes"},
                           headers=hr)
    assert response.status_code == 422
    assert {e["path"] for e in response.get_json()["errors"]} == {"plan", "force"}
    response = create(client, hr, plan, template="../../etc/passwd")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "template"
    response = create(client, hr, plan, template="nosuchtemplate")
    assert response.status_code == 422 and response.get_json()["field"] == "template"
    # It names the template, not where the server keeps its templates.
    error = response.get_json()["error"]
    assert error == ("template nosuchtemplate not found in the templates folder; "
                     "known templates: sales, standard")
    assert str(BUILTIN_TEMPLATES) not in response.get_data(as_text=True)


def test_authentication(client, sessions, plan, envelope):
    path = f"/api/v1/envelopes/{envelope['id']}"
    revoked = make_key(sessions, "hr")
    with sessions.begin() as session:
        apikeys.revoke(session, revoked[:apikeys.PREFIX_LENGTH], NOW)
    for headers in ({}, {"Authorization": "Bearer psk_wrong"},
                    {"Authorization": f"Bearer {revoked}"},
                    {"Authorization": f"Basic {make_key(sessions, 'hr')}"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.is_json and response.get_json()["error"]
        assert client.post("/api/v1/envelopes", json={"plan": plan},
                           headers=headers).status_code == 401


def test_a_records_key_reads_archived_envelopes_only_and_writes_nothing(
        client, records, sessions, plan, envelope):
    assert create(client, records, plan).status_code == 403
    assert client.post(f"/api/v1/envelopes/{envelope['id']}/void", json={"reason": "x"},
                       headers=records).status_code == 403
    # Out for signature: not records staff's yet, and told as not existing.
    refused = client.get(f"/api/v1/envelopes/{envelope['id']}/events", headers=records)
    assert refused.status_code == 404
    assert refused.get_json()["error"] == f"no envelope {envelope['id']}"
    with sessions.begin() as session:
        session.get(EnvelopeRow, envelope["id"]).state = "archived"
    assert client.get(f"/api/v1/envelopes/{envelope['id']}/events",
                      headers=records).status_code == 200
    admin = {"Authorization": f"Bearer {make_key(sessions, 'admin')}"}
    assert client.get(f"/api/v1/envelopes/{envelope['id']}", headers=admin).status_code == 200


def test_void_twice(client, hr, envelope):
    path = f"/api/v1/envelopes/{envelope['id']}/void"
    missing = client.post(path, json={"reason": "  "}, headers=hr)
    assert missing.status_code == 422 and missing.get_json()["field"] == "reason"
    response = client.post(path, json={"reason": "Raised in error."}, headers=hr)
    assert response.status_code == 200 and response.get_json()["state"] == "voided"
    again = client.post(path, json={"reason": "Again."}, headers=hr)
    assert again.status_code == 409 and "voided" in again.get_json()["error"]


def test_resend_revokes_the_old_link(client, hr, sessions, envelope):
    signer_id = envelope["signers"][0]["id"]
    with sessions() as session:
        old = session.get(SignerRow, signer_id).nonce
    response = client.post(f"/api/v1/envelopes/{envelope['id']}/signers/{signer_id}/resend",
                           headers=hr)
    assert response.status_code == 200, response.get_json()
    with sessions() as session:
        new = session.get(SignerRow, signer_id).nonce
        assert new != old
        assert [r.name for r in session.scalars(select(OutboxRow).where(
            OutboxRow.kind == "email"))] == ["invitation"] * 2
    assert new not in response.get_data(as_text=True)
    unknown = client.post(f"/api/v1/envelopes/{envelope['id']}/signers/nobody/resend",
                          headers=hr)
    assert unknown.status_code == 422 and unknown.get_json()["field"] == "signer_id"


def test_events(client, hr, envelope):
    client.post(f"/api/v1/envelopes/{envelope['id']}/void", json={"reason": "Wrong plan."},
                headers=hr)
    response = client.get(f"/api/v1/envelopes/{envelope['id']}/events", headers=hr)
    assert response.status_code == 200
    events = response.get_json()["events"]
    assert [e["type"] for e in events] == [
        "envelope.created", "envelope.sent", "signer.notified", "envelope.voided"]
    assert all(e["actor"].startswith("apikey:psk_") for e in events)
    assert events[-1]["data"] == {"reason": "Wrong plan."}
    assert events[-1]["ip"] == "127.0.0.1" and events[-1]["user_agent"]
    assert events[2]["signer_id"] == envelope["signers"][0]["id"]
    for previous, event in itertools.pairwise(events):
        assert event["prev_hash"] == previous["hash"]


def test_document(client, hr, envelope):
    response = client.get(f"/api/v1/envelopes/{envelope['id']}/document.pdf", headers=hr)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert hashlib.sha256(response.data).hexdigest() == envelope["document_sha256"]


def test_errors_are_json(client, hr):
    cases = [("GET", "/api/v1/envelopes/nope", 404), ("GET", "/api/v1/nothing", 404),
             ("DELETE", "/api/v1/envelopes", 405),
             ("POST", "/api/v1/envelopes/nope/void", 404)]
    for method, path, status in cases:
        response = client.open(path, method=method, headers=hr, json={"reason": "x"})
        assert response.status_code == status, path
        assert response.is_json and response.get_json()["error"]
    big = client.post("/api/v1/envelopes", data="x" * (600 * 1024), headers=hr,
                      content_type="application/json")
    assert big.status_code == 413 and big.get_json()["error"]
    assert "<html" in client.get("/nothing").get_data(as_text=True).lower()  # pages unchanged


def test_openapi(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.get_data(as_text=True))
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    schemas = doc["components"]["schemas"]
    assert {"CreateEnvelope", "EnvelopeOut", "ErrorOut", "FieldError", "Plan"} <= set(schemas)
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                served.add((path, method.lower()))
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert served == documented
    create_op = doc["paths"]["/api/v1/envelopes"]["post"]
    assert create_op["requestBody"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/CreateEnvelope")
    assert set(create_op["responses"]) >= {"201", "400", "401", "403", "422"}
    assert create_op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/ErrorOut")
    resend = doc["paths"]["/api/v1/envelopes/{envelope_id}/signers/{signer_id}/resend"]["post"]
    assert [p["name"] for p in resend["parameters"]] == ["envelope_id", "signer_id"]
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(doc))
    assert refs and all(ref in schemas for ref in refs)
    assert "/s/" not in json.dumps(schemas["EnvelopeOut"])
    # Each role's states and the events they cause are described.
    text = json.dumps(doc)
    for name in ("confirmed", "declined", "signer.confirmed", "signer.declined",
                 "signer.document_opened"):
        assert f'"{name}"' in text, name


def test_the_converter_is_made_once_on_first_use(tmp_path, clean_env):
    from docgen import ConverterPool

    app = create_app({"instance_path": str(tmp_path), "secret_keys": "k" * 40})
    assert "plansign.converter" not in app.extensions
    pool = services_of(app).converter
    try:
        assert isinstance(pool, ConverterPool) and pool.size == max(2, os.cpu_count() or 1)
        assert services_of(app).converter is pool
    finally:
        pool.close()


def test_the_comment_window_after_a_recorded_refusal_is_shown(client, hr, sessions, envelope):
    """HR's system sees why a plan whose signers are all done is not completed yet."""
    with sessions() as session:
        ids = {s.role: s.id for s in svc.load(session, envelope["id"]).signers}
    at = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        svc.perform(session, envelope["id"], "confirm", signer_id=ids["manager"],
                    typed_name="Jürg Baumann", consent=True,
                    statement=statement_for("manager"), actor=svc.Actor("signer:m"), now=at)
        svc.perform(session, envelope["id"], "record_refusal", signer_id=ids["manager"],
                    witness="Jordan Lee", timezone="UTC", confirmed=True, comment_days=5,
                    meeting_at=(at - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                    actor=svc.Actor("signer:m"), now=at)
    body = client.get(f"/api/v1/envelopes/{envelope['id']}", headers=hr).get_json()
    assert body["state"] == "sent"
    assert dt.datetime.fromisoformat(body["comments_until"]) == at + dt.timedelta(days=5)

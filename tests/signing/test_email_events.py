"""`POST /webhooks/sendgrid`: signed event batches recorded in the signers' audit trails,
a bounce telling HR and the endpoints that follow the plan, duplicates dropped, and
anything unsigned, tampered or stale refused without a change."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from signing.domain import envelopes as svc
from signing.domain import outbox
from signing.domain.audit import verify_chain
from signing.domain.links import LinkSigner
from signing.domain.mail import FileMailBackend
from signing.domain.models import AuditEventRow, OutboxRow
from signing.domain.notify import Mailer
from signing.web.app import create_app
from tests.signing.signer_pages import send_plan
from tests.webhooks.sendgrid_signing import SendGridSigner, batch

SIGNER = SendGridSigner()


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                       "sendgrid_webhook_public_key": SIGNER.public_key})


@pytest.fixture
def invitation(sessions, tmp_path):
    """A sent envelope whose invitation went out: (envelope id, signer id, its outbox key)."""
    envelope_id, employee_id = send_plan(sessions)
    with sessions() as session:
        row = session.scalars(select(OutboxRow).where(
            OutboxRow.name == "invitation", OutboxRow.signer_id == employee_id)).one()
        return envelope_id, row.signer_id, row.dedupe_key


def event(kind: str, event_id: str, envelope_id: str, signer_id: str, key: str, **extra):
    return {"email": "lea@example.com", "event": kind, "sg_event_id": event_id,
            "sg_message_id": "m1", "timestamp": int(time.time()) - 5,
            "envelope_id": envelope_id, "signer_id": signer_id, "idempotency_key": key,
            **extra}


def post(client, body: bytes, headers=None):
    headers = SIGNER.sign(body, int(time.time())) if headers is None else headers
    return client.post("/webhooks/sendgrid", data=body, headers={
        **headers, "Content-Type": "application/json"})


def trail(sessions, envelope_id) -> list[AuditEventRow]:
    with sessions() as session:
        return list(session.scalars(select(AuditEventRow).where(
            AuditEventRow.envelope_id == envelope_id).order_by(AuditEventRow.seq)))


def test_delivered_and_opened_are_recorded_once(app, sessions, invitation):
    envelope_id, signer_id, _ = invitation
    body = batch(event("delivered", "ev-1", *invitation), event("open", "ev-2", *invitation),
                 event("processed", "ev-0", *invitation))
    client = app.test_client()
    response = post(client, body)
    assert response.status_code == 200
    assert response.get_json() == {"events": 2, "recorded": 2}
    assert post(client, body).get_json() == {"events": 2, "recorded": 0}  # resent: dropped
    events = [r for r in trail(sessions, envelope_id) if r.type.startswith("email.")]
    assert [(r.type, r.signer_id, r.actor) for r in events] == [
        ("email.delivered", signer_id, "sendgrid"), ("email.opened", signer_id, "sendgrid")]
    assert events[0].data["message"] == "invitation"
    with sessions() as session:
        assert verify_chain(svc.audit_trail(session, envelope_id)) == []


def test_a_bounce_tells_hr_and_the_endpoints(app, sessions, invitation, tmp_path):
    envelope_id = invitation[0]
    body = batch(event("bounce", "ev-3", *invitation, reason="550 5.1.1 user unknown"))
    assert post(app.test_client(), body).get_json() == {"events": 1, "recorded": 1}
    bounced = trail(sessions, envelope_id)[-1]
    assert bounced.type == "email.bounced" and bounced.data["reason"] == "550 5.1.1 user unknown"
    with sessions() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.envelope_id == envelope_id,
                                                       OutboxRow.sent_at.is_(None))).all()
        assert {(r.kind, r.name) for r in rows} >= {("email", "hr_notice_undeliverable"),
                                                    ("webhook", "email.bounced")}
        announced = next(r for r in rows if r.name == "email.bounced")
        assert announced.payload == {"message": "invitation", "event": "bounce"}
    mailer = Mailer(FileMailBackend(tmp_path / "mail"), LinkSigner(["k" * 40]),
                    "https://sign.example.com", "Co")
    outbox.run_once(sessions, {"email": mailer}, now=dt.datetime.now(dt.UTC))
    notice = next(p.read_text(errors="replace") for p in (tmp_path / "mail").glob("*.eml")
                  if "could not be delivered" in p.read_text(errors="replace"))
    assert "550 5.1.1 user unknown" in notice


@pytest.mark.parametrize("change, status", [
    ("unsigned", 401), ("tampered", 403), ("stale", 403), ("other key", 403)])
def test_bad_batches_change_nothing(app, sessions, invitation, change, status):
    envelope_id = invitation[0]
    before = len(trail(sessions, envelope_id))
    body = batch(event("delivered", "ev-4", *invitation))
    now = int(time.time())
    headers = {"unsigned": {}, "tampered": SIGNER.sign(body + b" ", now),
               "stale": SIGNER.sign(body, now - 3600),
               "other key": SendGridSigner().sign(body, now)}[change]
    response = post(app.test_client(), body, headers)
    assert response.status_code == status
    assert "error" in response.get_json()
    assert len(trail(sessions, envelope_id)) == before
    # The same event, signed properly afterwards, is still new.
    assert post(app.test_client(), body).get_json()["recorded"] == 1


def test_events_that_match_no_signer_email_are_ignored(app, sessions, invitation):
    envelope_id, signer_id, key = invitation
    body = batch(event("delivered", "ev-5", envelope_id, signer_id, "no-such-key"),
                 event("delivered", "ev-6", "other-envelope", signer_id, key),
                 {**event("delivered", "ev-7", *invitation), "idempotency_key": None})
    assert post(app.test_client(), body).get_json() == {"events": 3, "recorded": 0}


def test_the_webhook_is_off_without_a_key(tmp_path, database_url):
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": "k" * 40})
    response = app.test_client().post("/webhooks/sendgrid", data=b"[]")
    assert response.status_code == 404
    assert "sendgrid_webhook_public_key" in response.get_json()["error"]


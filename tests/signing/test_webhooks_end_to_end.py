"""End to end with real LibreOffice and a real receiver on 127.0.0.1: a plan is sent and
acknowledged, the worker finalizes it, and the manager's endpoint gets
signer.acknowledged, then envelope.completed, whose link serves the sealed PDF with the
announced SHA-256 until it expires."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from urllib.parse import urlsplit

import yaml

import webhooks
from archive import FolderStore
from docgen import resolve_template
from docgen.seal import create_self_signed
from signing.domain import envelopes as svc
from signing.domain import outbox
from signing.domain.announce import Announcer
from signing.domain.downloads import DownloadLinks, link_lifetime
from signing.domain.finalize import Finalizer
from signing.domain.sending import SendOptions, send_plan
from signing.domain.wording import statement_for
from signing.web.api import webhook_views
from signing.web.app import create_app
from tests.conftest import EXAMPLES
from testsupport.receivers import serve_receiver, spec_verify
from webhooks.delivery import Deliverer, DeliveryConfig

NOW = dt.datetime(2027, 1, 11, 9, 0, tzinfo=dt.UTC)
KEYS = ["k" * 40]
BASE = "https://sign.example.com"


def test_acknowledged_then_completed_with_a_working_download_link(
        sessions, database_url, converter, tmp_path, monkeypatch, clean_env):
    plan = yaml.safe_load(EXAMPLES[2].read_text(encoding="utf-8"))
    plan["manager"]["webhook"] = "manager-hris"
    with serve_receiver() as receiver:
        with sessions.begin() as session:
            created = webhooks.create_endpoint(
                session, url=receiver.url, name="manager-hris", named_only=True,
                events=["signer.acknowledged", "signer.confirmed", "envelope.completed"],
                created_by="test",
                sees_all=True,
                now=NOW, allow_private=True)
        receiver.respond = lambda request, index: (
            (204, {}, b"") if spec_verify(created.secret, request.headers, request.body)
            else (401, {}, b"bad signature"))
        envelope_id = send_plan(sessions, plan, options=SendOptions(
            template=resolve_template("standard"), company_name="Fallback Co",
            expires_in=dt.timedelta(days=14)), converter=converter,
            actor=svc.Actor("hr:riley"), now=NOW)
        with sessions() as session:
            signers = {s.role: (s.id, s.name) for s in svc.load(session, envelope_id).signers}
        at = NOW + dt.timedelta(days=1)
        with sessions.begin() as session:  # the default routing: manager, employee, HR
            for role in ("manager", "employee", "hr"):
                signer_id, name = signers[role]
                extra = {"comment": "Ich bin nicht einverstanden."} if role == "employee" else {}
                svc.perform(session, envelope_id,
                            "acknowledge" if role == "employee" else "confirm",
                            signer_id=signer_id, typed_name=name, consent=True,
                            statement=statement_for(role), actor=svc.Actor("signer"), now=at,
                            **extra)

        seal_key = create_self_signed(tmp_path / "seal", "Alpenglühn Mobile AG", now=NOW)
        handlers = {
            "finalize": Finalizer(sessions, FolderStore(tmp_path / "archive"),
                                  sealing_key=lambda: seal_key, company_name="Fallback Co"),
            "webhook": Announcer(sessions, DownloadLinks(KEYS, max_age=link_lifetime(24)),
                                 BASE)}
        with Deliverer(sessions, DeliveryConfig(timeout=5, allow_private=True)) as deliverer:
            for minute in range(1, 6):  # worker passes, as `plansign worker` makes them
                now = at + dt.timedelta(minutes=minute)
                outbox.run_once(sessions, handlers, now=now)
                deliverer.run_once(now=now)

    bodies = [json.loads(r.body) for r in receiver.received]
    assert [b["type"] for b in bodies] == ["signer.confirmed", "signer.acknowledged",
                                           "signer.confirmed", "envelope.completed"]
    assert [b["data"]["signer"]["role"] for b in bodies[:3]] == ["manager", "employee", "hr"]
    assert all(spec_verify(created.secret, r.headers, r.body) for r in receiver.received)
    assert "Léa" not in str(bodies) and "einverstanden" not in str(bodies)
    completed = bodies[3]["data"]
    assert completed["envelope"]["status"] == "archived"
    with sessions() as session:
        final_sha256 = svc.load(session, envelope_id).final_sha256
    assert completed["final_document"]["sha256"] == final_sha256

    app = create_app({"instance_path": str(tmp_path / "web"), "database_url": database_url,
                      "secret_keys": KEYS[0], "base_url": BASE})
    link = urlsplit(completed["final_document"]["url"])
    assert f"{link.scheme}://{link.netloc}" == BASE
    client = app.test_client()
    announced = dt.datetime.fromisoformat(bodies[3]["timestamp"])
    # The link outlives the last retry its delivery could need, by webhook_download_hours.
    lifetime = link_lifetime(24)
    assert lifetime > dt.timedelta(hours=24 + 83)
    monkeypatch.setattr(webhook_views, "_now", lambda: announced + lifetime - dt.timedelta(hours=1))
    response = client.get(f"{link.path}?{link.query}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert hashlib.sha256(response.data).hexdigest() == final_sha256
    assert response.data.startswith(b"%PDF")
    monkeypatch.setattr(webhook_views, "_now", lambda: announced + lifetime + dt.timedelta(hours=1))
    expired = client.get(f"{link.path}?{link.query}")
    assert expired.status_code == 403 and "expired" in expired.get_json()["error"]
    assert f"/api/v1/archive/records/{link.path.split('/')[4]}/final.pdf" in \
        expired.get_json()["error"]

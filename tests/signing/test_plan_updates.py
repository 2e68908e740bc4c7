"""Those who follow a plan without signing it are told of it: the manager when it is
sent, acknowledged and completed, HR when it is acknowledged and completed, each queued
in the transaction that changed the plan, each per a setting, thin (no comment), and in
the reader's words."""

from __future__ import annotations

import datetime as dt
import email
from email import policy
from typing import Any

import pytest
from sqlalchemy import select

from docgen import plan_from_data, sample_plan
from signing.domain import envelopes as svc
from signing.domain import outbox
from signing.domain.links import LinkSigner
from signing.domain.mail import FileMailBackend
from signing.domain.models import OutboxRow
from signing.domain.notify import Mailer
from signing.domain.sending import signer_specs
from signing.domain.wording import consent_for, statement_for
from tests.signing.signer_pages import signer_ids

pytestmark = pytest.mark.database

NOW = dt.datetime(2026, 12, 4, 15, 0, tzinfo=dt.UTC)
HR = svc.Actor("hr:riley")
COMMENT = "My manager never raised this before the plan."


def send(sessions, **routing: str) -> tuple[str, dict[str, str]]:
    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["routing"] = routing
    plan = plan_from_data(data)
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=data, template="standard", pdf=b"%PDF-1.7 the plan",
            signers=signer_specs(plan), actor=HR, now=NOW)
        svc.perform(session, envelope_id, "send", actor=HR, now=NOW,
                    expires_in=dt.timedelta(days=14))
        return envelope_id, signer_ids(session, envelope_id)


def updates(sessions, envelope_id: str) -> list[tuple[str, str]]:
    with sessions() as session:
        rows = session.scalars(select(OutboxRow).where(
            OutboxRow.envelope_id == envelope_id,
            OutboxRow.name.in_(("manager_update", "hr_update"))).order_by(OutboxRow.id))
        return [(r.name, r.payload["about"]) for r in rows]


def sign(sessions, envelope_id: str, signer_id: str, role: str, **extra: Any) -> None:
    action = "acknowledge" if role == "employee" else "confirm"
    with sessions.begin() as session:
        svc.perform(session, envelope_id, action, signer_id=signer_id,
                    typed_name=dict(employee=sample_plan().employee.name,
                                    manager=sample_plan().manager.name,
                                    hr=sample_plan().hr.name)[role],
                    consent=True, statement=statement_for(role), consent_text=consent_for(role),
                    actor=svc.Actor(f"signer:{signer_id}"), now=NOW, **extra)


def deliver(sessions, folder, **mailer: Any) -> dict[str, list[email.message.EmailMessage]]:
    handler = Mailer(FileMailBackend(folder), LinkSigner(["k" * 40]),
                     "https://sign.example.com", "Harbor & Finch Analytics, Inc.", **mailer)
    outbox.run_once(sessions, {"email": handler}, now=NOW)
    by_address: dict[str, list] = {}
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        by_address.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    return by_address


def text(message) -> str:
    return " ".join(message.get_body(("plain",)).get_content().split())


def test_a_manager_who_does_not_sign_is_told_of_each_step(sessions, tmp_path):
    envelope_id, ids = send(sessions, manager="none", hr="after")
    assert updates(sessions, envelope_id) == [("manager_update", "sent")]
    sign(sessions, envelope_id, ids["employee"], "employee", comment=COMMENT)
    # HR's own invitation tells HR; the manager gets the acknowledgement.
    assert updates(sessions, envelope_id)[1:] == [("manager_update", "acknowledged")]
    sign(sessions, envelope_id, ids["hr"], "hr")
    # HR signed: their copy tells them it is complete.
    assert updates(sessions, envelope_id)[2:] == [("manager_update", "completed")]
    plan = sample_plan()
    mail = deliver(sessions, tmp_path)
    told = mail[plan.manager.email]
    assert [m["Subject"] for m in told] == [
        "A performance plan you follow has been sent",
        "A performance plan you follow has been acknowledged",
        "A performance plan you follow is complete"]
    for message in told:
        body = text(message)
        assert COMMENT not in body and COMMENT not in message.get_body(("html",)).get_content()
        assert "You are told as their manager. You are not asked to sign anything." in body
        assert f"https://sign.example.com/console/plans/{envelope_id}" in body
        assert "Inc.." not in body
    assert f"{plan.employee.name} acknowledged their performance improvement plan on" \
        in text(told[1])


def test_hr_who_signed_first_are_told_of_the_acknowledgement(sessions, tmp_path):
    envelope_id, ids = send(sessions, manager="after", hr="before")
    assert updates(sessions, envelope_id) == []  # the manager signs: their invitation tells
    sign(sessions, envelope_id, ids["hr"], "hr")
    sign(sessions, envelope_id, ids["employee"], "employee", comment=COMMENT)
    assert updates(sessions, envelope_id) == [("hr_update", "acknowledged")]
    [told] = [m for m in deliver(sessions, tmp_path)[sample_plan().hr.email]
              if m["Subject"] == "A performance plan you follow has been acknowledged"]
    body = text(told)
    assert "You are told as HR for this plan." in body and COMMENT not in body
    assert "Questions?" not in body  # HR are not told to ask HR


def test_hr_who_do_not_sign_are_told_it_is_complete(sessions, tmp_path):
    envelope_id, ids = send(sessions, manager="before", hr="none")
    sign(sessions, envelope_id, ids["manager"], "manager")
    sign(sessions, envelope_id, ids["employee"], "employee")
    # The acknowledgement completed it: one update, not two at once.
    assert updates(sessions, envelope_id) == [("hr_update", "completed")]
    [told] = deliver(sessions, tmp_path)[sample_plan().hr.email]
    assert told["Subject"] == "A performance plan you follow is complete"


def test_hr_are_told_in_their_own_language_and_zone(sessions, tmp_path):
    """HR's update, as HR's notices: in the language and zone of the console's person at
    HR's address (the plan itself is English here)."""
    from signing.domain import people

    with sessions.begin() as session:
        people.create_person(session, username="riley", display_name="Riley Placeholder",
                             email=sample_plan().hr.email, role="hr", team=None,
                             password_hash=None, now=NOW, created_by="cli:test",
                             language="fr", time_zone="Asia/Dubai")
    envelope_id, ids = send(sessions, manager="before", hr="none")
    sign(sessions, envelope_id, ids["manager"], "manager")
    sign(sessions, envelope_id, ids["employee"], "employee")
    mail = deliver(sessions, tmp_path)
    [told] = mail[sample_plan().hr.email]
    assert told["Subject"] == "Un plan d’amélioration des performances que vous suivez est finalisé"
    body = text(told)
    # 15:00 UTC is 19:00 in Dubai, a zone with no abbreviation: named by its offset, as
    # the pages name it.
    assert "vendredi 4 décembre 2026 à 19:00 UTC+4." in body, body
    # The manager's follow the plan's language, as their invitation does.
    assert all(m["Subject"].startswith("A performance plan you follow")
               for m in mail[sample_plan().manager.email] if "follow" in m["Subject"])


def test_each_update_is_off_by_its_setting(sessions, tmp_path):
    envelope_id, ids = send(sessions, manager="none", hr="none")
    sign(sessions, envelope_id, ids["employee"], "employee")
    assert updates(sessions, envelope_id) == [
        ("manager_update", "sent"), ("manager_update", "completed"), ("hr_update", "completed")]
    mail = deliver(sessions, tmp_path, notify_managers=False, notify_hr=False)
    plan = sample_plan()
    assert plan.manager.email not in mail and plan.hr.email not in mail
    with sessions() as session:  # done with, not waiting for ever
        rows = session.scalars(select(OutboxRow).where(
            OutboxRow.name.in_(("manager_update", "hr_update")))).all()
        assert rows and all(r.sent_at is not None for r in rows)

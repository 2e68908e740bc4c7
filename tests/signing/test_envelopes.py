"""The envelope service against a real database: state, audit trail and outbox rows
are written together or not at all."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from database import make_engine
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.domain.audit import verify_chain
from signing.domain.models import AuditEventRow, Document, EnvelopeRow, OutboxRow
from signing.migrations import upgrade

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
HR = svc.Actor("hr:riley", "127.0.0.1", "plansign-cli")
EMPLOYEE = svc.Actor("signer:employee", "192.0.2.7", "Mozilla/5.0")
ACK = {"typed_name": "Alex Sample", "consent": True, "statement": "Receipt, not agreement."}


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def make_envelope(sessions, *specs: svc.SignerSpec) -> str:
    specs = specs or (svc.SignerSpec(wf.Role.EMPLOYEE, "Alex Sample", "alex@example.com", 1),)
    with sessions.begin() as session:
        return svc.create_envelope(session, plan_data={"plan_id": "P-1"}, template="standard",
                                   pdf=b"%PDF-1.7 fake", signers=specs, actor=HR, now=NOW)


def signer_id(sessions, envelope_id, role="employee") -> str:
    with sessions() as session:
        return next(s.id for s in svc.load(session, envelope_id).signers if s.role == role)


def test_upgrading_twice_is_harmless(engine):
    upgrade(engine)


def test_send_and_acknowledge_write_state_audit_and_outbox(sessions):
    envelope_id = make_envelope(sessions)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "send", actor=HR, now=NOW,
                    expires_in=dt.timedelta(days=14))
    employee = signer_id(sessions, envelope_id)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "acknowledge", signer_id=employee, actor=EMPLOYEE,
                    now=NOW + dt.timedelta(hours=2), comment="I disagree with goal 2.", **ACK)
    with sessions() as session:
        row = svc.load(session, envelope_id)
        assert row.state == "completed"
        assert row.signers[0].state == "acknowledged"
        assert row.expires_at == NOW + dt.timedelta(days=14)
        trail = svc.audit_trail(session, envelope_id)
        assert [r.type for r in trail] == [
            "envelope.created", "envelope.sent", "signer.notified", "signer.acknowledged",
            "signer.commented", "envelope.completed"]
        assert verify_chain(trail) == []
        assert trail[3].ip == "192.0.2.7" and trail[3].user_agent == "Mozilla/5.0"
        assert trail[3].document_sha256 == row.document_sha256
        assert trail[4].data == {"comment": "I disagree with goal 2."}
        outbox = session.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()
        # Neither the manager nor HR sign here: each is told in the same transaction.
        assert [(o.kind, o.name) for o in outbox] == [
            ("email", "invitation"), ("webhook", "envelope.sent"), ("email", "manager_update"),
            ("webhook", "signer.acknowledged"),
            ("email", "hr_notice_comment"), ("webhook", "signer.commented"),
            ("finalize", "finalize"), ("email", "manager_update"), ("email", "hr_update")]


def test_the_pdf_is_stored_once(sessions):
    make_envelope(sessions)
    make_envelope(sessions)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        assert session.scalar(select(func.count()).select_from(EnvelopeRow)) == 2


def test_a_refused_action_writes_nothing(sessions):
    envelope_id = make_envelope(sessions)
    with sessions() as session:
        before = session.scalar(select(func.count()).select_from(AuditEventRow))
    with pytest.raises(wf.UnknownSigner), sessions.begin() as session:
        svc.perform(session, envelope_id, "void", actor=HR, now=NOW, reason="x")
        svc.perform(session, envelope_id, "acknowledge", signer_id="nobody", actor=HR, now=NOW,
                    **ACK)
    with sessions() as session:
        assert svc.load(session, envelope_id).state == "draft"  # the void rolled back too
        assert session.scalar(select(func.count()).select_from(AuditEventRow)) == before
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 0


def test_resend_revokes_the_old_link_with_a_new_nonce(sessions):
    envelope_id = make_envelope(sessions)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "send", actor=HR, now=NOW,
                    expires_in=dt.timedelta(days=14))
    with sessions() as session:
        first = svc.load(session, envelope_id).signers[0].nonce
    employee = signer_id(sessions, envelope_id)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "resend", signer_id=employee, actor=HR, now=NOW)
    with sessions() as session:
        second = svc.load(session, envelope_id).signers[0].nonce
    assert first and second and first != second


def test_rows_the_session_already_holds_show_the_new_state(sessions):
    """perform writes with Core statements; the caller's mapped objects are refreshed."""
    envelope_id = make_envelope(sessions)
    with sessions.begin() as session:
        row = svc.load(session, envelope_id)
        assert row.state == "draft" and row.signers[0].nonce is None
        svc.perform(session, envelope_id, "send", actor=HR, now=NOW,
                    expires_in=dt.timedelta(days=14))
        assert row.state == "sent" and row.expires_at == NOW + dt.timedelta(days=14)
        assert row.signers[0].state == "notified" and row.signers[0].nonce


def test_twenty_concurrent_acknowledgements_one_wins(sessions):
    envelope_id = make_envelope(sessions)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "send", actor=HR, now=NOW,
                    expires_in=dt.timedelta(days=14))
    employee = signer_id(sessions, envelope_id)
    outcomes: list[str] = []
    barrier = threading.Barrier(20)

    def submit() -> None:
        barrier.wait()
        try:
            with sessions.begin() as session:
                svc.perform(session, envelope_id, "acknowledge", signer_id=employee,
                            actor=EMPLOYEE, now=NOW, **ACK)
            outcomes.append("won")
        except wf.AlreadyDone:
            outcomes.append("already done")

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already done"] * 19 + ["won"]
    with sessions() as session:
        trail = svc.audit_trail(session, envelope_id)
        assert [r.type for r in trail].count("signer.acknowledged") == 1
        assert verify_chain(trail) == []


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET actor = 'someone else'",
    "DELETE FROM audit_events",
])
def test_the_database_refuses_to_change_the_audit_trail(sessions, engine, statement):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    envelope_id = make_envelope(sessions)
    with sessions() as session:
        before = [(r.seq, r.actor, r.hash) for r in svc.audit_trail(session, envelope_id)]
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with sessions() as session:
        after = [(r.seq, r.actor, r.hash) for r in svc.audit_trail(session, envelope_id)]
    assert after == before and before


def test_events_outside_the_workflow_continue_the_envelopes_chain(sessions):
    """record_events: what happens to a plan after its signing (its case) goes on the
    same hash chain, with its outbox rows in the caller's transaction."""
    envelope_id = make_envelope(sessions)
    with sessions.begin() as session:
        svc.perform(session, envelope_id, "send", actor=HR, now=NOW,
                    expires_in=dt.timedelta(days=14))
    manager = svc.Actor("person:dana")
    recorded = wf.Event("checkin.recorded", data={"meeting": 1})
    with sessions.begin() as session:
        records = svc.record_events(
            session, envelope_id, [recorded],
            [wf.Effect("webhook", "checkin.recorded", about=recorded)], actor=manager,
            now=NOW + dt.timedelta(days=7))
    assert [r.type for r in records] == ["checkin.recorded"]
    with sessions() as session:
        trail = svc.audit_trail(session, envelope_id)
        assert trail[-1].actor == "person:dana" and trail[-1].data == {"meeting": 1}
        assert verify_chain(trail) == []
        last = session.scalars(select(OutboxRow).order_by(OutboxRow.id.desc())).first()
        assert (last.name, last.payload["seq"]) == ("checkin.recorded", trail[-1].seq)
    with pytest.raises(svc.EnvelopeNotFound), sessions.begin() as session:
        svc.record_events(session, "no-such-envelope", [recorded], actor=manager, now=NOW)

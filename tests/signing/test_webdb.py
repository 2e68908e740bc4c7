"""The web app's database sessions: per request one that reads, short write transactions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select

from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.domain.models import EnvelopeRow
from signing.web import webdb
from signing.web.app import create_app
from signing.web.current import services_of

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
HR = svc.Actor("hr:test")


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40})


def test_releasing_the_snapshot_keeps_what_was_read_and_shows_later_commits(app):
    sessions = services_of(app).sessions
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data={"plan_id": "P-1"}, template="standard", pdf=b"%PDF-1.7 fake",
            signers=[svc.SignerSpec(wf.Role.EMPLOYEE, "Alex Sample", "alex@example.com", 1)],
            actor=HR, now=NOW)
    with app.app_context():
        db = webdb.session()
        row = db.scalars(select(EnvelopeRow).where(EnvelopeRow.id == envelope_id)).one()
        webdb.release_snapshot()
        assert not db.in_transaction()
        assert "state" in inspect(row).dict  # still loaded: reading it runs no query
        with sessions.begin() as session:
            svc.perform(session, envelope_id, "void", reason="sent in error", actor=HR, now=NOW)
        assert row.state == "draft"
        # A snapshot kept from before the void would still say "draft" on SQLite.
        state = db.scalar(select(EnvelopeRow.state).where(EnvelopeRow.id == envelope_id))
        assert state == "voided"


def test_statement_reads_see_each_commit_and_hold_no_transaction(app, db_backend):
    """The signer's pages read with statements that each stand alone: on PostgreSQL in
    autocommit (no BEGIN, no ROLLBACK), so the second statement sees a commit made after
    the first, and no transaction stays open between them."""
    sessions = services_of(app).sessions
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data={"plan_id": "P-1"}, template="standard", pdf=b"%PDF-1.7 fake",
            signers=[svc.SignerSpec(wf.Role.EMPLOYEE, "Alex Sample", "alex@example.com", 1)],
            actor=HR, now=NOW)
    state = select(EnvelopeRow.state).where(EnvelopeRow.id == envelope_id)
    with app.app_context(), webdb.statement_reads() as db:
        assert db.scalar(state) == "draft"
        if db_backend == "postgresql":
            info = db.connection.driver_connection.info
            assert info.transaction_status == info.transaction_status.IDLE
            with sessions.begin() as session:
                svc.perform(session, envelope_id, "void", reason="sent in error", actor=HR,
                            now=NOW)
            assert db.scalar(state) == "voided"

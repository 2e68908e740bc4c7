"""Purging a record at the end of its retention period erases the signing database's copy
too (plan data, PDFs, signers, audit trail), for purged records only; a record on legal
hold keeps everything."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from archive import ArchivedRecord
from archive.models import Tombstone
from config import load_settings
from database import make_session_factory
from signing import instance
from signing.cli import main
from signing.domain.models import AuditEventRow, Document, EnvelopeRow, OutboxRow, SignerRow
from tests.signing.clikit import archive_one

pytestmark = pytest.mark.usefixtures("clean_env")


def held_in_database(sessions, envelope_id: str, hashes: set[str]) -> dict[str, int]:
    with sessions() as session:
        count = {
            table.__tablename__: len(session.scalars(select(table).where(
                table.envelope_id == envelope_id)).all())
            for table in (AuditEventRow, SignerRow, OutboxRow)}
        count["envelopes"] = int(session.get(EnvelopeRow, envelope_id) is not None)
        count["documents"] = len(session.scalars(select(Document.sha256).where(
            Document.sha256.in_(hashes))).all())
    return count


def test_purge_erases_the_signing_databases_copy(runner, env, tmp_path):
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
    purged_id, purged, _ = archive_one(runner, env, tmp_path / "one")
    kept_id, _, _ = archive_one(runner, env, tmp_path / "two")
    sessions = make_session_factory(instance.database_engine(load_settings(env)))
    hashes = {purged.original_sha256, purged.final_sha256}
    before = held_in_database(sessions, purged_id, hashes)
    assert before["audit_events"] > 5 and before["documents"] == 2
    # Years pass: both records' retention ends; one is on legal hold.
    with sessions.begin() as session:
        session.execute(update(ArchivedRecord).values(
            retain_until=dt.datetime.now(dt.UTC) - dt.timedelta(days=1)))
    assert runner.invoke(main, ["archive", "hold", kept_id, "--reason", "Claim 2033/4"],
                         env=env).exit_code == 0

    done = runner.invoke(main, ["archive", "purge", "--execute"], env=env)
    assert done.exit_code == 0, done.output
    assert "erased 1 envelope(s) from the signing database" in done.output
    assert held_in_database(sessions, purged_id, hashes) == {
        "audit_events": 0, "signers": 0, "outbox": 0, "envelopes": 0, "documents": 0}
    kept = held_in_database(sessions, kept_id, set())
    assert kept["envelopes"] == 1 and kept["audit_events"] > 5
    with sessions() as session:
        assert session.get(Tombstone, purged_id) is not None
    # The held record's trail is still guarded, even with a tombstone written for it by
    # mistake while its record is still archived; nothing of the purged one is left.
    with sessions.begin() as session:
        session.execute(text(
            "INSERT INTO archive_tombstones (envelope_id, plan_id, original_sha256, "
            "final_sha256, plan_sha256, audit_sha256, sent_at, completed_at, archived_at, "
            "purged_at, purged_by) SELECT envelope_id, plan_id, original_sha256, "
            "final_sha256, plan_sha256, audit_sha256, sent_at, completed_at, archived_at, "
            "archived_at, 'mistake' FROM archive_records WHERE envelope_id = :id"),
            {"id": kept_id})
    with pytest.raises(DBAPIError, match="append-only"), sessions.begin() as session:
        session.execute(text("DELETE FROM audit_events WHERE envelope_id = :id"),
                        {"id": kept_id})
    again = runner.invoke(main, ["archive", "purge", "--execute"], env=env)
    assert again.exit_code == 0 and "erased" not in again.output

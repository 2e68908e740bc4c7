"""Keeping and purging with a frozen clock: a purge is a dry run unless executed, deletes
only what has passed its retention period, never what is on hold, and leaves tombstones."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from archive import (
    ArchivedRecord,
    FolderStore,
    HoldError,
    Reader,
    RecordNotFound,
    Tombstone,
    access_log,
    get_record,
    lift_hold,
    place_hold,
    purge,
)
from tests.archive.records_data import BASE, seed

RECORDS = Reader("cli:riley", "admin")
SEVEN_YEARS = dt.timedelta(days=7 * 365)


@pytest.fixture
def store(tmp_path):
    return FolderStore(tmp_path / "blobs")


@pytest.fixture
def ids(sessions, store):
    with sessions.begin() as session:
        return seed(session, store)


def test_records_are_kept_seven_years_from_completion(sessions, ids):
    with sessions() as session:
        record = get_record(session, ids[0])
        assert record.retain_until == record.completed_at + SEVEN_YEARS


def test_a_dry_run_changes_nothing(sessions, store, ids):
    later = BASE + SEVEN_YEARS + dt.timedelta(days=45)
    plan = purge(sessions, store, now=later, by=RECORDS)
    assert plan.due == ids[:2] and plan.held == [] and not plan.executed
    with sessions() as session:
        assert len(session.scalars(select(ArchivedRecord)).all()) == 6


def test_purge_deletes_what_is_due_leaves_tombstones_and_spares_holds(sessions, store, ids):
    with sessions.begin() as session:
        place_hold(session, ids[1], reason="Employment tribunal claim 2026/114",
                   by=RECORDS, now=BASE)
        kept_blob = get_record(session, ids[1]).final_sha256
        gone = get_record(session, ids[0])
        gone_blobs = [gone.original_sha256, gone.final_sha256]
    later = BASE + SEVEN_YEARS + dt.timedelta(days=45)
    plan = purge(sessions, store, now=later, by=RECORDS, execute=True)
    assert plan.due == [ids[0]] and plan.held == [ids[1]]
    with sessions() as session:
        with pytest.raises(RecordNotFound):
            get_record(session, ids[0])
        tomb = session.get_one(Tombstone, ids[0])
        assert (tomb.purged_by, tomb.purged_at, tomb.final_sha256) == (
            "cli:riley", later, gone_blobs[1])
        assert get_record(session, ids[1]).on_hold
        assert [e.action for e in access_log(session, envelope_id=ids[0])] == ["purge"]
    assert not any(store.exists(key) for key in gone_blobs)
    assert store.get(kept_blob)
    # Held records survive every later purge until the hold is lifted.
    assert purge(sessions, store, now=later + dt.timedelta(days=3650), by=RECORDS,
                 execute=True).held == [ids[1]]
    with sessions.begin() as session:
        lift_hold(session, ids[1], reason="Claim settled", by=RECORDS, now=later)
    assert ids[1] in purge(sessions, store, now=later + dt.timedelta(days=1), by=RECORDS,
                           execute=True).due


def test_holds_need_a_reason_and_cannot_be_doubled(sessions, ids):
    with sessions.begin() as session:
        with pytest.raises(HoldError, match="reason"):
            place_hold(session, ids[0], reason="   ", by=RECORDS, now=BASE)
        place_hold(session, ids[0], reason="Subject access request", by=RECORDS, now=BASE)
    with sessions.begin() as session, pytest.raises(HoldError, match="already on hold"):
        place_hold(session, ids[0], reason="again", by=RECORDS, now=BASE)
    with sessions.begin() as session, pytest.raises(HoldError, match="not on hold"):
        lift_hold(session, ids[2], reason="none", by=RECORDS, now=BASE)


def test_purge_deletes_every_version_of_a_refreshed_record(sessions, store, ids):
    """A record given an archive timestamp has had two final PDFs: both go at purge; a
    version of a record that is kept stays."""
    from archive import RecordVersion

    later = BASE + SEVEN_YEARS + dt.timedelta(days=45)
    versions = {}
    with sessions.begin() as session:
        for envelope_id in (ids[0], ids[5]):  # the first is due, the last is kept
            record = get_record(session, envelope_id)
            first = record.final_sha256
            renewed = store.put(store.get(first) + f"\n% archive timestamp {envelope_id}\n"
                                .encode())
            session.add_all([
                RecordVersion(envelope_id=envelope_id, version=1, sha256=first,
                              made_at=BASE, reason="sealed"),
                RecordVersion(envelope_id=envelope_id, version=2, sha256=renewed,
                              made_at=BASE, reason="its last timestamp's certificate expires")])
            record.final_sha256 = renewed
            versions[envelope_id] = (first, renewed)
    purge(sessions, store, now=later, by=RECORDS, execute=True)
    gone_first, gone_renewed = versions[ids[0]]
    assert not store.exists(gone_renewed)
    # The first final PDF is shared with no other record in the seed data.
    assert not store.exists(gone_first)
    assert all(store.exists(key) for key in versions[ids[5]])

"""A purge deletes the blobs of what it purged and marks their tombstones swept, so that
the next purge asks the store about nothing it has already deleted: the requests a purge
makes follow what it purges, not every tombstone ever left. Counted (not timed) on the
folder store (its calls) and on S3 (moto's, in server mode on 127.0.0.1: the HTTP
requests boto3 sends). A purge stopped between deleting and marking is finished by the
next, and a blob a remaining record still uses outlives the first tombstone naming it."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from archive import (
    FolderStore,
    Reader,
    RecordDocuments,
    RecordIndex,
    S3Store,
    Tombstone,
    get_record,
    purge,
    put_record,
)
from tests.archive.records_data import BASE, seed
from tests.archive.s3kit import (  # noqa: F401 - aws_env and endpoint are fixtures
    KEY_ID,
    SECRET,
    VERSIONED,
    aws_env,
    endpoint,
    guard,
)

pytestmark = pytest.mark.database

RECORDS = Reader("cli:riley", "admin")
SEVEN_YEARS = dt.timedelta(days=7 * 365)
# The seed's records are completed a month apart: two are past their period here.
FIRST_PURGE = BASE + SEVEN_YEARS + dt.timedelta(days=45)


class CountedFolder(FolderStore):
    """The folder store, writing down each call that asks about or deletes a blob."""

    def __init__(self, root, calls: list) -> None:
        super().__init__(root)
        self.calls = calls

    def exists(self, key: str) -> bool:
        self.calls.append(("exists", key))
        return super().exists(key)

    def delete(self, key: str) -> None:
        self.calls.append(("delete", key))
        super().delete(key)


@pytest.fixture(params=["folder", "s3"])
def counted(request, tmp_path):
    """A blob store and the list of requests it sends from now on: (what, key)."""
    calls: list = []
    if request.param == "folder":
        return CountedFolder(tmp_path / "blobs", calls), calls
    # A versioned bucket, as a records deployment keeps: a delete there leaves a marker
    # even for a key that is not there, so none is sent for a blob already gone.
    store = S3Store(VERSIONED, endpoint_url=request.getfixturevalue("endpoint"),
                    prefix=f"sweep-{uuid.uuid4().hex[:8]}/", region="us-east-1",
                    access_key_id=KEY_ID, secret_access_key=SECRET, max_attempts=1)
    guard(store.client)

    def sent(request, **_):
        calls.append((request.method, request.url.rsplit("/", 1)[-1]))

    store.client.meta.events.register("before-send", sent)
    return store, calls


def blobs_of(sessions, *envelope_ids) -> set[str]:
    with sessions() as session:
        return {key for envelope_id in envelope_ids for key in (
            lambda r: (r.original_sha256, r.final_sha256, r.plan_sha256, r.audit_sha256))(
                get_record(session, envelope_id))}


def own_blobs(sessions, ids, *purged) -> set[str]:
    """The blobs of ``purged`` that no other of ``ids`` uses (the seed's records share
    one audit trail, ``[]``, which stays while any of them is kept)."""
    return blobs_of(sessions, *purged) - blobs_of(sessions, *(i for i in ids
                                                              if i not in purged))


def swept(sessions) -> dict[str, dt.datetime | None]:
    with sessions() as session:
        return {t.envelope_id: t.blobs_swept_at for t in session.scalars(select(Tombstone))}


def asked(calls) -> set[str]:
    return {key for _, key in calls}


def test_a_purge_asks_the_store_only_about_what_it_purged(sessions, counted):
    store, calls = counted
    with sessions.begin() as session:
        ids = seed(session, store)
    first = own_blobs(sessions, ids, ids[0], ids[1])
    third = own_blobs(sessions, ids, *ids[:3]) - first
    assert len(first) == 6 and len(third) == 3  # original, final, plan data
    calls.clear()

    assert purge(sessions, store, now=FIRST_PURGE, by=RECORDS, execute=True).due == ids[:2]
    # Each blob of the two: is it there, then delete it. Nothing else.
    assert asked(calls) == first and len(calls) == 2 * len(first)
    assert not any(store.exists(key) for key in first)
    assert swept(sessions) == {ids[0]: FIRST_PURGE, ids[1]: FIRST_PURGE}

    # Nothing more is due: the next purge sends the store nothing at all.
    calls.clear()
    assert purge(sessions, store, now=FIRST_PURGE + dt.timedelta(days=1), by=RECORDS,
                 execute=True).due == []
    assert calls == []

    # The third record's period ends: its blobs, not the six already gone.
    later = FIRST_PURGE + dt.timedelta(days=30)
    assert purge(sessions, store, now=later, by=RECORDS, execute=True).due == [ids[2]]
    assert asked(calls) == third and len(calls) == 2 * len(third)
    assert swept(sessions)[ids[2]] == later


class Killed(BaseException):
    """The process stopping where it stands (as SIGKILL would)."""


def crash() -> None:
    raise Killed


def test_a_purge_stopped_after_deleting_is_marked_by_the_next_one(sessions, counted):
    store, calls = counted
    with sessions.begin() as session:
        ids = seed(session, store)
    first = own_blobs(sessions, ids, ids[0], ids[1])

    with pytest.raises(Killed):
        purge(sessions, store, now=FIRST_PURGE, by=RECORDS, execute=True, on_deleted=crash)
    assert not any(store.exists(key) for key in first)
    assert swept(sessions) == {ids[0]: None, ids[1]: None}  # deleted, not yet marked

    # The next purge looks at them again, finds them gone (no delete sent), marks them.
    calls.clear()
    again = FIRST_PURGE + dt.timedelta(hours=1)
    assert purge(sessions, store, now=again, by=RECORDS, execute=True).due == []
    assert asked(calls) == first and len(calls) == len(first)
    assert all(what in ("exists", "HEAD") for what, _ in calls)
    assert swept(sessions) == {ids[0]: again, ids[1]: again}
    calls.clear()
    purge(sessions, store, now=again, by=RECORDS, execute=True)
    assert calls == []


def test_a_purge_stopped_before_deleting_deletes_next_time(sessions, counted):
    store, _ = counted
    with sessions.begin() as session:
        ids = seed(session, store)
    first = own_blobs(sessions, ids, ids[0], ids[1])
    with pytest.raises(Killed):
        purge(sessions, store, now=FIRST_PURGE, by=RECORDS, execute=True, on_commit=crash)
    assert all(store.exists(key) for key in first)
    assert swept(sessions) == {ids[0]: None, ids[1]: None}
    purge(sessions, store, now=FIRST_PURGE, by=RECORDS, execute=True)
    assert not any(store.exists(key) for key in first)
    assert set(swept(sessions).values()) == {FIRST_PURGE}


def test_a_blob_a_kept_record_still_uses_goes_with_the_last_record_using_it(sessions,
                                                                           counted):
    """The same original PDF archived for two plans: the first purged keeps it (the
    second uses it) and its tombstone is swept; the second's purge deletes it."""
    store, calls = counted
    shared = b"%PDF the same original " + uuid.uuid4().bytes
    ids = [str(uuid.uuid4()), str(uuid.uuid4())]
    with sessions.begin() as session:
        for n, envelope_id in enumerate(ids):
            completed = BASE + dt.timedelta(days=400 * n)
            put_record(session, store, RecordIndex(
                envelope_id=envelope_id, plan_id=f"PIP-S{n}", employee_name="Alex Sample",
                employee_id=None, manager_name="Morgan", department="Support",
                outcome="acknowledged", sent_at=completed - dt.timedelta(days=10),
                completed_at=completed),
                RecordDocuments(shared, f"%PDF final {envelope_id}".encode(),
                                {"plan": envelope_id}, []),
                now=completed, retain_for=SEVEN_YEARS)
    original = store.put(shared)
    purge(sessions, store, now=FIRST_PURGE, by=RECORDS, execute=True)
    assert store.exists(original) and get_record_exists(sessions, ids[1])
    assert swept(sessions) == {ids[0]: FIRST_PURGE}
    calls.clear()
    purge(sessions, store, now=FIRST_PURGE + dt.timedelta(days=400), by=RECORDS, execute=True)
    assert not store.exists(original)
    assert original in asked(calls)


def get_record_exists(sessions, envelope_id: str) -> bool:
    with sessions() as session:
        return get_record(session, envelope_id) is not None

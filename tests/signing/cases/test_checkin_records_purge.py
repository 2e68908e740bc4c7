"""A purge deletes blobs only after what pointed at them is committed, in either blob store.

A real case's check-in record (the sample plan, a check-in recorded and acknowledged,
the worker's handler sealing its PDF into the archive's blob store), its plan archived
past its retention period, then ``plansign archive purge --execute``: killed with
SIGKILL after its tombstones are committed (``purge.committed``), after their blobs are
deleted but before the tombstones are marked swept (``purge.swept``), or after the
signing database's copy is erased (``purge.erased``), or with the erasure's commit
failing. What it had not deleted yet is still in the store, and the next purge deletes
it and marks the tombstone swept. The store is
the instance's folder or S3 (moto's, in server mode on 127.0.0.1, as tests/archive/test_s3.py
runs it).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import event, exists, func, select
from sqlalchemy.orm import Session

from archive import RecordDocuments, RecordIndex, put_record
from archive.models import ArchivedRecord, Tombstone
from signing.cli import main
from signing.domain import case_service, outbox
from signing.domain import envelopes as svc
from signing.domain.models import CheckinRecordFile, EnvelopeRow
from signing.web.app import create_app
from signing.web.current import services_of
from tests.archive.s3kit import BUCKET, KEY_ID, SECRET, aws_env, endpoint  # noqa: F401 - fixtures
from tests.signing.cases.casekit import record_first, send_case_plan

pytestmark = pytest.mark.usefixtures("clean_env")

KEY = "k" * 40
PLANSIGN = [sys.executable, "-c", "from signing.cli import main; main()"]


@pytest.fixture(params=["folder", "s3"])
def settings(request, tmp_path, database_url) -> dict[str, str]:
    chosen = {"instance_path": str(tmp_path / "instance"), "database_url": database_url,
              "secret_keys": KEY, "base_url": "https://sign.example.com"}
    if request.param == "s3":
        chosen |= {"archive_backend": "s3", "archive_s3_bucket": BUCKET,
                   "archive_s3_prefix": f"purge-{uuid.uuid4().hex[:8]}",
                   "archive_s3_endpoint_url": request.getfixturevalue("endpoint"),
                   "archive_s3_region": "us-east-1", "archive_s3_access_key_id": KEY_ID,
                   "archive_s3_secret_access_key": SECRET, "archive_s3_path_style": "true",
                   "archive_s3_max_attempts": "1"}
    return chosen


@pytest.fixture
def env(settings) -> dict[str, str]:
    return {f"PLANSIGN_{name.upper()}": value for name, value in settings.items()}


@pytest.fixture
def services(settings):
    return services_of(create_app(dict(settings)))


def purgeable_case(services) -> tuple[str, list[str], str]:
    """A plan's case with check-in 1 acknowledged and its record sealed into the store,
    the plan archived and past its retention period: (envelope id, the archived record's
    blobs, the check-in record's blob)."""
    envelope_id = send_case_plan(services.sessions)
    checkin_id = record_first(services.sessions, envelope_id)
    now = dt.datetime.now(dt.UTC)
    with services.sessions.begin() as session:
        assert case_service.acknowledge_checkin(
            session, checkin_id, actor=svc.Actor("signer:employee"), now=now)
    assert outbox.run_once(services.sessions,
                           {"checkin_record": services.checkin_record_maker}, now=now) == 1
    completed = now - dt.timedelta(days=400)
    with services.sessions.begin() as session:
        (checkin_blob,) = session.scalars(select(CheckinRecordFile.sha256).where(
            CheckinRecordFile.envelope_id == envelope_id))
        record = put_record(session, services.store, RecordIndex(
            envelope_id=envelope_id, plan_id="PIP-PURGE", employee_name="Alex Sample",
            employee_id=None, manager_name="m", department="Support", outcome="acknowledged",
            sent_at=completed - dt.timedelta(days=10), completed_at=completed),
            RecordDocuments(f"%PDF original {envelope_id}".encode(),
                            f"%PDF final {envelope_id}".encode(), {"plan": envelope_id}, []),
            now=completed, retain_for=dt.timedelta(days=365))
        blobs = [record.original_sha256, record.final_sha256, record.plan_sha256,
                 record.audit_sha256]
    assert services.store.exists(checkin_blob) and all(map(services.store.exists, blobs))
    return envelope_id, blobs, checkin_blob


def purge(env: dict[str, str], **more: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PLANSIGN, "archive", "purge", "--execute"], env={
        "PATH": "/usr/bin:/bin", **env, **more}, capture_output=True, text=True, timeout=120)


def checkin_rows(services, envelope_id: str) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(CheckinRecordFile).where(
            CheckinRecordFile.envelope_id == envelope_id)) or 0


@pytest.mark.parametrize("point", ["purge.committed", "purge.swept", "purge.erased"])
def test_a_purge_killed_after_its_commit_leaves_its_blobs_for_the_next_to_delete(
        services, env, point):
    envelope_id, blobs, checkin_blob = purgeable_case(services)

    crashed = purge(env, PLANSIGN_FAILPOINT=point)
    assert crashed.returncode == -9, crashed.stdout + crashed.stderr
    with services.sessions() as session:
        assert session.get(ArchivedRecord, envelope_id) is None
        tombstone = session.get(Tombstone, envelope_id)
        assert tombstone is not None
        erased = session.get(EnvelopeRow, envelope_id) is None
    assert erased == (point == "purge.erased")
    # Swept (its blobs deleted, then marked) before the erasure, not before the deletes.
    assert (tombstone.blobs_swept_at is not None) == (point == "purge.erased")
    # Killed before deleting: every blob is still there, and so are the check-in
    # record's rows that say which blob is its.
    assert services.store.exists(checkin_blob) and checkin_rows(services, envelope_id) == 1
    if point == "purge.committed":
        assert all(map(services.store.exists, blobs))
    else:
        assert not any(map(services.store.exists, blobs))

    again = purge(env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 record(s) purged" in again.stdout
    assert not services.store.exists(checkin_blob) and checkin_rows(services, envelope_id) == 0
    assert not any(map(services.store.exists, blobs))
    with services.sessions() as session:
        assert session.get(EnvelopeRow, envelope_id) is None
        assert session.get_one(Tombstone, envelope_id).blobs_swept_at is not None


def test_an_erasure_whose_commit_fails_deletes_no_check_in_record(services, env, runner):
    envelope_id, blobs, checkin_blob = purgeable_case(services)

    def fail_the_erasure(session: Session) -> None:
        erasing = session.scalar(select(~exists().where(EnvelopeRow.id == envelope_id)))
        if erasing:
            raise RuntimeError("the database went away at commit")

    event.listen(Session, "before_commit", fail_the_erasure)
    try:
        failed = runner.invoke(main, ["archive", "purge", "--execute"], env=env)
    finally:
        event.remove(Session, "before_commit", fail_the_erasure)
    assert isinstance(failed.exception, RuntimeError)
    with services.sessions() as session:
        assert session.get(EnvelopeRow, envelope_id) is not None  # not erased
    assert services.store.exists(checkin_blob) and checkin_rows(services, envelope_id) == 1
    assert not any(map(services.store.exists, blobs))  # the archive's purge was committed

    done = runner.invoke(main, ["archive", "purge", "--execute"], env=env)
    assert done.exit_code == 0, done.output
    assert "erased 1 envelope(s) from the signing database" in done.output
    assert not services.store.exists(checkin_blob) and checkin_rows(services, envelope_id) == 0

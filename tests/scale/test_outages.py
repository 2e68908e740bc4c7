"""What the worker does when what it depends on is away for a while: the blob store's disk
full (a clear error, the envelope stays retryable, no half-written blob anywhere), and
the database unavailable (it says so, waits, and resumes where it was)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from archive import ArchivedRecord
from signing.domain import envelopes as svc
from signing.domain.models import EnvelopeRow, OutboxRow
from testsupport import cluster
from testsupport.outages import outage

pytestmark = pytest.mark.slow  # real processes, up to a minute: -m 'not slow' leaves it out


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs for the archive, nearly filled."""
    mount = tmp_path / "archive-disk"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        filler = mount / "filler"
        filler.write_bytes(b"\0" * (free - 16 * 1024))  # room for 16 KiB, not for a PDF
        yield mount, filler
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_archive_disk_is_a_clear_error_and_the_envelope_stays_retryable(
        database_url, tmp_path, converter, small_disk):
    mount, filler = small_disk
    group = cluster.Cluster(database_url, tmp_path / "instance", webs=0, workers=0)
    group.start()
    try:
        sessions = group.sessions()
        envelope_id = cluster.acknowledged_envelope(group, converter)
        worker = group.spawn("worker", "worker", "--interval", "0.2",
                             PLANSIGN_ARCHIVE_PATH=str(mount))

        def finalize_failed() -> bool:
            with sessions() as session:
                row = session.scalars(select(OutboxRow).where(
                    OutboxRow.kind == "finalize")).one()
                return bool(row.last_error) and row.attempts >= 1

        cluster.wait_for(finalize_failed, 60, "the finalize attempt to fail")
        with sessions() as session:
            row = session.scalars(select(OutboxRow).where(OutboxRow.kind == "finalize")).one()
            state = session.get_one(EnvelopeRow, envelope_id).state
            records = session.scalars(select(ArchivedRecord)).all()
        assert f"the archive folder {mount} is full; free space and try again" in row.last_error
        assert row.failed_at is None and row.next_attempt_at > dt.datetime.now(dt.UTC)
        assert state == "sealed" and records == []  # the sealed PDF is kept with the envelope
        assert worker.poll() is None  # still working
        cluster.wait_for(lambda: "is full" in group.log("worker"), 10, "the worker to say so")
        # Nothing half-written on the disk: whatever is there is a whole blob.
        for path in mount.rglob("*"):
            if path.is_file() and path != filler:
                assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name

        filler.unlink()  # the operator frees space, then asks for a retry now
        retry = group.spawn("retry", "outbox", "retry", "--envelope", envelope_id)
        assert retry.wait(timeout=60) == 0, group.log("retry")
        assert "due now" in group.log("retry")

        def archived() -> bool:
            with sessions() as session:
                return session.get_one(EnvelopeRow, envelope_id).state == "archived"

        cluster.wait_for(archived, 60, "the envelope to be archived")
        verify = subprocess.run([*cluster.PLANSIGN, "verify", envelope_id],
                                env=group.env(PLANSIGN_ARCHIVE_PATH=str(mount)),
                                capture_output=True, text=True)
        assert verify.returncode == 0, verify.stdout + verify.stderr
    finally:
        group.stop()


def test_the_worker_waits_out_a_database_outage_and_resumes(database_url, db_backend,
                                                             tmp_path, converter):
    group = cluster.Cluster(database_url, tmp_path / "instance", webs=0, workers=0)
    group.start()
    try:
        worker = group.spawn("worker", "worker", "--interval", "0.2")
        time.sleep(2)  # the worker is up and polling
        with outage(database_url, db_backend):
            cluster.wait_for(lambda: "the database is unavailable" in group.log("worker"), 30,
                     "the worker to notice the outage")
            assert worker.poll() is None
        envelope_id = cluster.acknowledged_envelope(group, converter)
        sessions = group.sessions()

        def archived() -> bool:
            with sessions() as session:
                return session.get_one(EnvelopeRow, envelope_id).state == "archived"

        cluster.wait_for(archived, 90, "the worker to resume and finalize")
        # Said once the first pass after the outage has run.
        cluster.wait_for(lambda: "the database is back; resuming" in group.log("worker"), 30,
                 "the worker to say the database is back")
        log = group.log("worker")
        assert "Traceback" not in log
        assert worker.poll() is None
    finally:
        group.stop()


def test_web_requests_during_a_database_outage_get_503_and_change_nothing(
        database_url, db_backend, tmp_path, converter):
    """A real `plansign serve`: while the database is away, the signer's POST is answered
    503 with Retry-After (never a 500) and nothing is recorded; sent again once the
    database is back, it is recorded once."""

    group = cluster.Cluster(database_url, tmp_path / "instance", webs=1, workers=0)
    group.start()
    try:
        sessions = group.sessions()
        [envelope_id] = cluster.send_all(sessions, converter, 1, expiring=set(),
                                         expire_in=dt.timedelta(days=1))
        assert group.spawn("mail", "worker", "--once").wait(timeout=120) == 0
        link = next(iter(cluster.links_by_email(group.mail, {"signer0@example.com"}).values()))
        opener, token = cluster.signed_in(link)
        form = urllib.parse.urlencode({"csrf_token": token, "typed_name": "Load Signer 0",
                                       "consent": "on"}).encode()
        post = urllib.request.Request(f"http://127.0.0.1:{group.ports[0]}/sign/acknowledge",
                                      data=form)
        with outage(database_url, db_backend), pytest.raises(urllib.error.HTTPError) as away:
            opener.open(post, timeout=60)
        assert away.value.code == 503 and away.value.headers["Retry-After"] == "5"
        assert "nothing was changed" in away.value.read().decode()
        with opener.open(post, timeout=60) as answer:
            assert "Your acknowledgement has been recorded" in answer.read().decode()
        with sessions() as session:
            trail = [r.type for r in svc.audit_trail(session, envelope_id)]
        assert trail.count("signer.acknowledged") == 1
        assert "Traceback" not in group.log("web1")
    finally:
        group.stop()

"""The worker killed with SIGKILL just after it sealed a case file (``casefile.sealed``:
the PDF made, nothing kept yet), then restarted: the case file is archived once, its
event recorded once and the employee's copy mailed once."""

from __future__ import annotations

import datetime as dt
import signal
import time

import pytest
from sqlalchemy import select

from archive import ArchivedRecord
from signing.domain import case_close
from signing.domain import envelopes as svc
from signing.domain.events import EventType
from signing.domain.models import OutboxRow
from testsupport import cluster

pytestmark = pytest.mark.slow  # real processes: -m 'not slow' leaves it out


def worker(group: cluster.Cluster, name: str, **env: str):
    return group.spawn(name, "worker", "--interval", "0.2",
                       PLANSIGN_WORKER_LEASE_SECONDS="2", **env)


def wait(group: cluster.Cluster, process, name: str, done, timeout: float = 120) -> None:
    started = time.monotonic()
    while not done():
        assert process.poll() is None, group.log(name)
        assert time.monotonic() - started < timeout, f"{name}: not done"
        time.sleep(0.2)


def case_file_done(sessions, envelope_id) -> bool:
    with sessions() as session:
        record = session.get(ArchivedRecord, envelope_id)
        waiting = session.scalars(select(OutboxRow.id).where(
            OutboxRow.sent_at.is_(None), OutboxRow.failed_at.is_(None))).first()
    return record is not None and record.case_file_sha256 is not None and waiting is None


def test_a_worker_killed_after_sealing_a_case_file_finishes_it_once(database_url, tmp_path,
                                                                      converter):
    group = cluster.Cluster(database_url, tmp_path / "instance", webs=0, workers=0)
    group.start()
    try:
        sessions = group.sessions()
        envelope_id = cluster.acknowledged_envelope(group, converter)
        first = worker(group, "first")
        wait(group, first, "first", lambda: cluster.everything_done(sessions, envelope_id))
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)
        with sessions.begin() as session:
            case_close.close_early(session, envelope_id, "withdrawn",
                                   "The role was made redundant; the plan is withdrawn.",
                                   actor=svc.Actor("person:hr"), closer="Riley HR",
                                   now=dt.datetime.now(dt.UTC))
        crashing = worker(group, "crashing", PLANSIGN_FAILPOINT="casefile.sealed")
        assert crashing.wait(timeout=120) == -signal.SIGKILL, group.log("crashing")
        assert not case_file_done(sessions, envelope_id)
        restarted = worker(group, "restarted")
        wait(group, restarted, "restarted", lambda: case_file_done(sessions, envelope_id))
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=30)
        with sessions() as session:
            trail = [r.type for r in svc.audit_trail(session, envelope_id)]
            record = session.get_one(ArchivedRecord, envelope_id)
            copies = session.scalars(select(OutboxRow).where(
                OutboxRow.name == "case_file_copy")).all()
    finally:
        group.stop()
    assert trail.count(EventType.CASE_CLOSED) == 1
    assert trail.count(EventType.CASE_FILE_ARCHIVED) == 1
    assert record.case_outcome == "withdrawn"
    # The archive's blobs: the plan's four and one case file, no temporary files left.
    blobs = [p for p in (group.folder / "archive").rglob("*") if p.is_file()]
    assert len(blobs) == 5 and record.case_file_sha256 in {p.name for p in blobs}
    assert len(copies) == 1 and copies[0].sent_at is not None
    mails = [p for p in group.mail.glob("*.eml")
             if b"case file" in p.read_bytes() or b"case_file" in p.read_bytes()]
    assert len(mails) == 1

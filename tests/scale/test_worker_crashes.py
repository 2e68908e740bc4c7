"""The worker killed with SIGKILL in the middle of its work (sealing, finalizing, archiving,
sending an email, delivering a webhook), then restarted: everything is finished exactly
once. The archive holds one final PDF, the envelope one seal and one archive event, the
file outbox one copy of each email, and the receiver every webhook id, maybe twice,
never none."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import time

import pytest
from sqlalchemy import select

import webhooks
from archive import ArchivedRecord
from signing.domain import envelopes as svc
from signing.domain.models import OutboxRow
from testsupport import cluster
from testsupport.receivers import serve_receiver, spec_verify

pytestmark = pytest.mark.slow  # real processes, up to a minute: -m 'not slow' leaves it out

LEASE = 2  # seconds: how soon a dead worker's claims are taken up again


@pytest.fixture
def acknowledged(database_url, tmp_path, converter):
    """One envelope, sent and acknowledged with a comment: the outbox holds its email,
    its webhooks and its finalizing, none done yet."""
    group = cluster.Cluster(database_url, tmp_path / "instance", webs=0, workers=0)
    group.start()  # no process yet: each test starts its workers
    sessions = group.sessions()
    with serve_receiver() as receiver:
        with sessions.begin() as session:
            endpoint = webhooks.create_endpoint(
                session, url=receiver.url, events=sorted(webhooks.EVENT_TYPES),
                created_by="test", sees_all=True, now=dt.datetime.now(dt.UTC), allow_private=True)
        envelope_id = cluster.acknowledged_envelope(group, converter,
                                                    comment="Ich bestätige den Erhalt.")
        yield group, sessions, envelope_id, receiver, endpoint.secret
    group.stop()


def run_worker(group: cluster.Cluster, name: str, **env: str) -> subprocess.Popen[bytes]:
    # A webhook message's lease also covers its longest attempt (a few rounds of the
    # timeout): a short timeout keeps it near LEASE.
    return group.spawn(name, "worker", "--interval", "0.2",
                       PLANSIGN_WORKER_LEASE_SECONDS=str(LEASE), PLANSIGN_WEBHOOK_TIMEOUT="1",
                       **env)


@pytest.mark.parametrize("point", [
    "finalize.sealed", "finalize.staged", "finalize.blobs_written", "outbox.email.done",
    "webhook.delivered",
])
def test_a_worker_killed_mid_step_is_finished_by_the_next_one(acknowledged, point):
    group, sessions, envelope_id, receiver, secret = acknowledged
    crashing = run_worker(group, "crashing", PLANSIGN_FAILPOINT=point)
    assert crashing.wait(timeout=120) == -signal.SIGKILL, group.log("crashing")
    started = time.monotonic()
    restarted = run_worker(group, "restarted")
    while not cluster.everything_done(sessions, envelope_id):
        assert restarted.poll() is None, group.log("restarted")
        assert time.monotonic() - started < 90, f"not finished after {point}"
        time.sleep(0.2)
    restarted.send_signal(signal.SIGTERM)
    restarted.wait(timeout=30)

    with sessions() as session:
        trail = [r.type for r in svc.audit_trail(session, envelope_id)]
        record = session.scalars(select(ArchivedRecord)).one()
        emails = session.scalars(select(OutboxRow).where(OutboxRow.kind == "email")).all()
        messages = session.scalars(select(webhooks.WebhookMessage)).all()
    assert trail.count("envelope.sealed") == 1 and trail.count("envelope.archived") == 1
    # The archive's blobs: original, final, plan data, audit trail; one final PDF only.
    blobs = [p for p in (group.folder / "archive").rglob("*") if p.is_file()]
    assert len(blobs) == 4 and record.final_sha256 in {p.name for p in blobs}
    assert not [p for p in blobs if p.name.endswith(".tmp")]
    # Each email once in the file outbox (the provider's idempotency key), none lost.
    assert len(list(group.mail.glob("*.eml"))) == len(emails)
    assert all(row.sent_at is not None for row in emails)
    # Every webhook id reached the receiver, signed; a retried one at most twice.
    seen = [r.headers["webhook-id"] for r in receiver.received]
    assert {m.id for m in messages} == set(seen)
    assert max(seen.count(i) for i in set(seen)) <= 2
    assert all(spec_verify(secret, r.headers, r.body) for r in receiver.received)
    completed = [json.loads(r.body) for r in receiver.received
                 if json.loads(r.body)["type"] == "envelope.completed"]
    assert completed and completed[0]["data"]["final_document"]["sha256"] == record.final_sha256
    assert os.environ.get("PLANSIGN_FAILPOINT") is None  # nothing leaks to other tests

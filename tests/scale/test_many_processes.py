"""Two web processes and two workers on one PostgreSQL database and one blob store:
envelopes sent, acted on over HTTP by a bounded load client (half acknowledged with
comments, a quarter refused, a quarter left to expire), every one finalized exactly
once, every webhook delivered once, no outbox row claimed twice, every audit chain
intact. bench/bench_many_processes.py runs the same at full size (200 envelopes)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.scale import cluster
from tests.webhooks.receivers import serve_receiver, spec_verify

ENVELOPES = 12


@pytest.fixture
def postgres_url(database_url, db_backend):
    if db_backend != "postgresql":
        pytest.skip("PostgreSQL only: several processes share one database through row "
                    "locks and SKIP LOCKED; make test runs this in its PostgreSQL pass")
    return database_url


def test_two_web_processes_and_two_workers(postgres_url, tmp_path, converter):
    group = cluster.Cluster(postgres_url, tmp_path / "instance")
    group.start()
    try:
        sessions = group.sessions()
        with serve_receiver() as receiver:
            with sessions.begin() as session:
                endpoint = cluster.webhooks.create_endpoint(
                    session, url=receiver.url, events=sorted(cluster.webhooks.EVENT_TYPES),
                    name="hris", created_by="test", now=dt.datetime.now(dt.UTC),
                    allow_private=True)
            plan = {n: ("acknowledge" if n % 4 in (0, 1) else
                        "refuse" if n % 4 == 2 else "expire") for n in range(ENVELOPES)}
            expiring = {n for n, what in plan.items() if what == "expire"}
            ids = cluster.send_all(sessions, converter, ENVELOPES, expiring=expiring,
                                   expire_in=dt.timedelta(seconds=10))
            wanted = {f"signer{n}@example.com" for n in plan if n not in expiring}
            links = cluster.links_by_email(group.mail, wanted)
            outcomes = cluster.drive(
                {n: (links[f"signer{n}@example.com"], what) for n, what in plan.items()
                 if what != "expire"}, group.ports, clients=4)
            cluster.wait_until_archived(sessions, ids, timeout=180)
            cluster.wait_until_delivered(sessions, timeout=60)
            received = list(receiver.received)
        state = cluster.ledger(sessions, ids, group.folder / "archive")
    finally:
        group.stop()

    assert {o.status.split(".")[0] for o in outcomes} == {
        "Thank you", "Your refusal to sign has been recorded"}
    # Every envelope finalized exactly once: one seal, one archive, one final PDF each.
    assert state.records == state.distinct_finals == state.final_pdfs_in_store == ENVELOPES
    assert set(state.sealed_events.values()) == {1}
    assert set(state.archived_events.values()) == {1}
    assert state.outcomes == {"acknowledged": 6, "refused": 3, "no_response": 3}
    # No outbox row or webhook message was claimed twice, and none is left.
    assert set(state.outbox_claims) == {1} and state.outbox_unsent == 0
    assert set(state.message_tries) == {1}
    # The receiver saw every message once, each signed as the specification says.
    secret = endpoint.secret
    assert sorted(r.headers["webhook-id"] for r in received) == sorted(state.messages)
    assert all(spec_verify(secret, r.headers, r.body) for r in received)
    types = [json.loads(r.body)["type"] for r in received]
    assert types.count("envelope.completed") == ENVELOPES
    assert types.count("envelope.expired") == 3
    assert types.count("signer.commented") == 6
    assert state.broken_chains == []

"""Two web processes and two workers on one PostgreSQL database and one blob store:
envelopes sent, acted on over HTTP by a bounded load client (half acknowledged with
comments, a quarter refused, a quarter left to expire), every one finalized exactly
once, every webhook delivered once, no outbox row claimed twice, every audit chain
intact. bench/bench_many_processes.py runs the same at full size (200 envelopes)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from testsupport import cluster

pytestmark = pytest.mark.slow  # real processes, up to a minute: -m 'not slow' leaves it out

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
        run = cluster.run_mix(group, converter, ENVELOPES, clients=4,
                              expire_in=dt.timedelta(seconds=10), timeout=180)
    finally:
        group.stop()

    assert {o.status.split(".")[0] for o in run.outcomes} == {
        "Thank you", "Your refusal to sign has been recorded"}
    assert cluster.exactly_once(run, ENVELOPES) == dict.fromkeys(
        cluster.exactly_once(run, ENVELOPES), True)
    assert run.ledger.outcomes == {"acknowledged": 6, "refused": 3, "no_response": 3}
    types = [json.loads(r.body)["type"] for r in run.received]
    assert types.count("envelope.completed") == ENVELOPES
    assert types.count("envelope.expired") == 3
    assert types.count("signer.commented") == 6

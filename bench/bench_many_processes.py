"""Benchmark: the whole flow spread over several processes on one PostgreSQL database.

For each layout (one web process and one worker; two of each), on a fresh database of a
private PostgreSQL 15 server with durable commits (fsync and synchronous_commit on):

1. send N plans (200 by default) as ``plansign send`` does (real LibreOffice, two
   conversions at a time); a quarter get a deadline five seconds away, so they expire
   while the others are being sent;
2. the workers mail the invitations (file outbox); the load client reads the links;
3. a bounded load client (``--clients`` signers at once) opens each link on one web
   process and acts on another, round-robin: half acknowledge with a comment, a quarter
   refuse; the last quarter are left to expire;
4. the workers expire, stamp, seal and archive every envelope, and deliver every
   webhook to a receiver on 127.0.0.1 that checks each signature;
5. then it checks: every envelope finalized exactly once (one seal and one archive event,
   one final PDF), no outbox row or webhook message claimed twice, every webhook
   received once and signed, every audit chain intact.

It prints the timings and the checks as JSON. Usage:
``.venv/bin/python bench/bench_many_processes.py [--envelopes 200] [--clients 16]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen import ConverterPool  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402
from tests.scale import cluster  # noqa: E402
from tests.webhooks.receivers import serve_receiver, spec_verify  # noqa: E402

DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def run(url: str, folder: Path, *, webs: int, workers: int, count: int, clients: int,
        converter: ConverterPool) -> dict:
    group = cluster.Cluster(url, folder, webs=webs, workers=workers)
    group.start()
    try:
        sessions = group.sessions()
        with serve_receiver() as receiver:
            with sessions.begin() as session:
                endpoint = cluster.webhooks.create_endpoint(
                    session, url=receiver.url, events=sorted(cluster.webhooks.EVENT_TYPES),
                    name="hris", created_by="bench", now=dt.datetime.now(dt.UTC),
                    allow_private=True)
            plan = {n: ("acknowledge" if n % 4 in (0, 1) else
                        "refuse" if n % 4 == 2 else "expire") for n in range(count)}
            expiring = {n for n, what in plan.items() if what == "expire"}
            started = time.monotonic()
            ids = cluster.send_all(sessions, converter, count, expiring=expiring,
                                   expire_in=dt.timedelta(seconds=5))
            sent = time.monotonic() - started
            links = cluster.links_by_email(
                group.mail, {f"signer{n}@example.com" for n in plan if n not in expiring},
                timeout=600)
            mailed = time.monotonic() - started
            acting = time.monotonic()
            outcomes = cluster.drive(
                {n: (links[f"signer{n}@example.com"], what) for n, what in plan.items()
                 if what != "expire"}, group.ports, clients=clients)
            acted = time.monotonic() - acting
            archived = cluster.wait_until_archived(sessions, ids, timeout=900)
            delivered = cluster.wait_until_delivered(sessions, timeout=600)
            received = list(receiver.received)
        state = cluster.ledger(sessions, ids, group.folder / "archive")
        handled = {name: group.log(name).count("handled") for name in group.processes
                   if name.startswith("worker")}
    finally:
        group.stop()
    seconds = [o.seconds * 1000 for o in outcomes]
    checks = {
        "finalized exactly once": state.records == state.distinct_finals
        == state.final_pdfs_in_store == count and set(state.sealed_events.values()) == {1}
        and set(state.archived_events.values()) == {1},
        "no outbox row claimed twice": set(state.outbox_claims) == {1}
        and state.outbox_unsent == 0,
        "no webhook message sent twice": set(state.message_tries) == {1},
        "every webhook received once, signed": sorted(
            r.headers["webhook-id"] for r in received) == sorted(state.messages)
        and all(spec_verify(endpoint.secret, r.headers, r.body) for r in received),
        "audit chains intact": not state.broken_chains,
    }
    return {
        "layout": f"{webs} web + {workers} worker",
        "envelopes": count, "outcomes": dict(state.outcomes),
        "send_s": round(sent, 1), "sends_per_s": round(count / sent, 1),
        "invitations_mailed_s": round(mailed, 1),
        "act_s": round(acted, 1), "signers_per_s": round(len(outcomes) / acted, 1),
        "act_ms": {k: round(v) for k, v in cluster.summary(seconds).items()},
        "last_action_to_all_archived_s": round(archived, 1),
        "then_all_webhooks_delivered_s": round(delivered, 1),
        "webhooks_delivered": len(received),
        "worker_passes_with_work": handled,
        "checks": checks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--envelopes", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    results = []
    with PostgresServer(settings=DURABLE) as server, \
            ConverterPool(2, timeout=60) as converter, \
            tempfile.TemporaryDirectory(prefix="plansign-bench-") as tmp:
        converter.start()
        for webs, workers in ((1, 1), (2, 2)):
            url = server.url(server.create_database())
            results.append(run(url, Path(tmp) / f"{webs}x{workers}", webs=webs,
                               workers=workers, count=args.envelopes, clients=args.clients,
                               converter=converter))
            print(json.dumps(results[-1], indent=2), flush=True)
    print(json.dumps({"cpus": os.cpu_count(), "python": platform.python_version(),
                      "results": results}, indent=2))
    if not all(all(r["checks"].values()) for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()

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

Beside the timings, the peak memory of each web process and each worker, and of the
LibreOffice instances that convert the plans, sampled through steps 1 to 4.

It prints the timings and the checks as JSON. Usage:
``.venv/bin/python bench/bench_many_processes.py [--envelopes 200] [--clients 16]``
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peakmem import TreePeak  # noqa: E402
from docgen import ConverterPool  # noqa: E402
from testsupport import cluster  # noqa: E402
from testsupport.pgserver import PostgresServer  # noqa: E402

DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def run(url: str, folder: Path, *, webs: int, workers: int, count: int, clients: int,
        converter: ConverterPool) -> dict:
    group = cluster.Cluster(url, folder, webs=webs, workers=workers)
    group.start()
    try:
        with contextlib.ExitStack() as sampling:
            peaks = {name: sampling.enter_context(TreePeak(process.pid))
                     for name, process in group.processes.items()}
            peaks["libreoffice"] = sampling.enter_context(
                TreePeak(converter.stats[0].pid or 0))
            peaks["libreoffice (2)"] = sampling.enter_context(
                TreePeak(converter.stats[1].pid or 0))
            run = cluster.run_mix(group, converter, count, clients=clients,
                                  expire_in=dt.timedelta(seconds=5), timeout=900)
        handled = {name: group.log(name).count("handled") for name in group.processes
                   if name.startswith("worker")}
    finally:
        group.stop()
    acting = [o.seconds * 1000 for o in run.outcomes]
    return {
        "layout": f"{webs} web + {workers} worker", "envelopes": count,
        "outcomes": dict(run.ledger.outcomes),
        "seconds": {k: round(v, 1) for k, v in run.seconds.items()},
        "sends_per_s": round(count / run.seconds["send"], 1),
        "signers_per_s": round(len(run.outcomes) / run.seconds["act"], 1),
        "act_ms": {k: round(v) for k, v in cluster.summary(acting).items()},
        "webhooks_delivered": len(run.received),
        "worker_passes_with_work": handled,
        "checks": cluster.exactly_once(run, count),
        "peak_mb": {name: round(peak.peak_mb) for name, peak in peaks.items()},
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

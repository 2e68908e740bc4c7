"""Benchmark: how long plansign takes to recover from each fault of the fault tests.

On a private PostgreSQL 15 server (durable commits), each scenario is run ``--rounds``
times and the median and the spread reported:

- **worker killed** at each crash point (``PLANSIGN_FAILPOINT``: mid-seal, after staging,
  after the archive's blobs, after the email left, after the webhook was answered): from
  the restarted worker's start to the envelope archived and every email and webhook
  out. A dead worker's claims wait out ``worker_lease_seconds`` (``--lease``, 5 s here,
  300 s by default), which is most of it;
- **web process killed**: from starting a new ``plansign serve`` to its first answer;
- **database away** (connections refused and dropped for ``--outage`` seconds): from the
  database coming back to the worker saying so, and to an envelope acknowledged during
  the outage being archived;
- **archive disk full**: from ``plansign outbox retry`` (after space is freed) to the
  envelope archived.

Beside each time, the peak memory of the process that recovers (the restarted worker, the
new web process), sampled while it does (``bench/peakmem.py``).

Usage: ``.venv/bin/python bench/bench_recovery.py [--rounds 3] [--lease 5]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

import webhooks  # noqa: E402
from bench.peakmem import TreePeak  # noqa: E402
from docgen import ConverterPool  # noqa: E402
from signing.domain.models import OutboxRow  # noqa: E402
from testsupport import cluster  # noqa: E402
from testsupport.outages import outage  # noqa: E402
from testsupport.pgserver import PostgresServer  # noqa: E402
from testsupport.receivers import serve_receiver  # noqa: E402

DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
POINTS = ["finalize.sealed", "finalize.staged", "finalize.blobs_written", "outbox.email.done",
          "webhook.delivered"]


def finished(sessions, envelope_id: str) -> float:
    """Seconds until the envelope is archived and its email and webhooks are out."""
    return cluster.wait_for(lambda: cluster.everything_done(sessions, envelope_id), 600,
                            "the envelope to be finished")


def worker_killed(url: str, folder: Path, converter: ConverterPool, point: str,
                  lease: int) -> tuple[float, float]:
    group = cluster.Cluster(url, folder, webs=0, workers=0)
    group.start()
    try:
        with serve_receiver() as receiver:
            with group.sessions().begin() as session:
                webhooks.create_endpoint(session, url=receiver.url,
                                         events=sorted(webhooks.EVENT_TYPES),
                                         created_by="bench",
                                         sees_all=True, now=dt.datetime.now(dt.UTC),
                                         allow_private=True)
            envelope_id = cluster.acknowledged_envelope(group, converter)
            env = {"PLANSIGN_WORKER_LEASE_SECONDS": str(lease), "PLANSIGN_WEBHOOK_TIMEOUT": "1"}
            crashing = group.spawn("crashing", "worker", "--interval", "0.2",
                                   PLANSIGN_FAILPOINT=point, **env)
            crashing.wait(timeout=300)
            restarted = group.spawn("restarted", "worker", "--interval", "0.2", **env)
            sessions = group.sessions()
            with TreePeak(restarted.pid) as peak:
                seconds = finished(sessions, envelope_id)
            return seconds, peak.peak_mb
    finally:
        group.stop()


def web_killed(url: str, folder: Path) -> tuple[float, float]:
    group = cluster.Cluster(url, folder, webs=1, workers=0)
    group.start()
    try:
        port = group.ports[0]
        web = group.processes["web1"]
        web.kill()
        web.wait()
        started = time.monotonic()
        new = group.spawn("web1", "serve", "--port", str(port))
        with TreePeak(new.pid) as peak:
            cluster.wait_for_http(port)
            seconds = time.monotonic() - started
        return seconds, peak.peak_mb
    finally:
        group.stop()


def database_away(url: str, folder: Path, converter: ConverterPool,
                  seconds: float) -> tuple[float, float, float]:
    group = cluster.Cluster(url, folder, webs=0, workers=0)
    group.start()
    try:
        worker = group.spawn("worker", "worker", "--interval", "0.2")
        time.sleep(3)
        with TreePeak(worker.pid) as peak:
            with outage(url, "postgresql"):
                cluster.wait_for(lambda: "the database is unavailable" in group.log("worker"), 60,
                                 "the worker to notice the outage")
                time.sleep(seconds)
            back = time.monotonic()
            envelope_id = cluster.acknowledged_envelope(group, converter)
            sessions = group.sessions()
            resumed = cluster.wait_for(lambda: "the database is back" in group.log("worker"), 600,
                                       "the worker to resume")
            finished(sessions, envelope_id)
            archived = time.monotonic() - back
        return resumed, archived, peak.peak_mb
    finally:
        group.stop()


def disk_full(url: str, folder: Path,
              converter: ConverterPool) -> tuple[float, float] | None:
    mount = folder / "disk"
    mount.mkdir(parents=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        return None
    group = cluster.Cluster(url, folder / "instance", webs=0, workers=0)
    try:
        stat = os.statvfs(mount)
        filler = mount / "filler"
        filler.write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - 16 * 1024))
        group.start()
        envelope_id = cluster.acknowledged_envelope(group, converter)
        worker = group.spawn("worker", "worker", "--interval", "0.2",
                             PLANSIGN_ARCHIVE_PATH=str(mount))
        sessions = group.sessions()

        def failed() -> bool:
            with sessions() as session:
                row = session.scalars(select(OutboxRow).where(
                    OutboxRow.kind == "finalize")).one()
                return bool(row.last_error)

        cluster.wait_for(failed, 120, "the finalize attempt to fail")
        filler.unlink()
        started = time.monotonic()
        with TreePeak(worker.pid) as peak:
            subprocess.run([*cluster.PLANSIGN, "outbox", "retry", "--envelope", envelope_id],
                           env=group.env(), check=True, capture_output=True)
            finished(sessions, envelope_id)
            seconds = time.monotonic() - started
        return seconds, peak.peak_mb
    finally:
        group.stop()
        subprocess.run(["umount", "-l", str(mount)], check=False)


def spread(runs: list[tuple[float, float]]) -> dict[str, float]:
    """Median and range of the times; the highest peak memory of the recovering process."""
    values = [seconds for seconds, _ in runs]
    return {"median_s": round(statistics.median(values), 2), "min_s": round(min(values), 2),
            "max_s": round(max(values), 2), "peak_mb": round(max(mb for _, mb in runs))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lease", type=int, default=5)
    parser.add_argument("--outage", type=float, default=3.0)
    args = parser.parse_args()
    results: dict[str, object] = {"cpus": os.cpu_count(), "lease_s": args.lease}
    with PostgresServer(settings=DURABLE) as server, \
            ConverterPool(1, timeout=60) as converter, \
            tempfile.TemporaryDirectory(prefix="plansign-recovery-") as tmp:
        converter.start()
        runs = iter(range(10_000))

        def fresh() -> tuple[str, Path]:
            n = next(runs)
            return server.url(server.create_database()), Path(tmp) / f"run{n}"

        for point in POINTS:
            results[f"worker killed at {point}"] = spread(
                [worker_killed(*fresh(), converter, point, args.lease)
                 for _ in range(args.rounds)])
            print(point, results[f"worker killed at {point}"], flush=True)
        results["web process killed: new one serving"] = spread(
            [web_killed(*fresh()) for _ in range(args.rounds)])
        away = [database_away(*fresh(), converter, args.outage) for _ in range(args.rounds)]
        results["database back: worker resumed"] = spread([(a, mb) for a, _, mb in away])
        results["database back: envelope archived"] = spread([(b, mb) for _, b, mb in away])
        full = [disk_full(*fresh(), converter) for _ in range(args.rounds)]
        results["disk freed: retry to archived"] = (
            spread([f for f in full if f is not None]) if all(f is not None for f in full)
            else "skipped: cannot mount a tmpfs here")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""Benchmark: `archive refresh-timestamps` over 10,000 archived records (issue 19).

The product's refresh (:func:`signing.domain.archive_timestamps.refresh`, what the
command and the worker run) against the local PKI of ``testsupport/pki.py``
(certomancer's Animator on 127.0.0.1, in a process of its own, as a TSA on the local
network would be), on a SQLite database and a folder blob store.

How the records are made, honestly: ``--distinct`` (5) real 6-page PDFs sealed at
B-LTA by the PKI's CA-issued key, each reused by ``--records`` / ``--distinct`` index
rows with ids of their own (the same final PDF blob), inserted in one transaction with
their seal columns unread (NULL), as records archived before the refresh first ran are.
Every record is due because its last timestamp uses SHA-256 and the policy retires
SHA-256 (``seal_retired_digests``): each gets a SHA-512 document timestamp, a new blob of
its own (the token differs), two version rows and its record updated. The records have
no envelope in the signing database (as purged ones' copies have none), so the trail's
``envelope.retimestamped`` event, one insert, is not written here.

Per record: the time between one record's outcome and the next (the refresh yields them
as it goes), p50 and p95; the whole run; the process's peak memory; then a second run,
which must find nothing to do.

Usage: ``.venv/bin/python bench/bench_refresh_timestamps.py [--records 10000]
[--product /work/wt-base] [--profile 50]``. ``--product`` runs another checkout's
refresh (it must have ``refresh``; without the generator each record's time is not seen,
only the total).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_records(sessions, store, pdfs: list[bytes], records: int) -> None:
    from archive import ArchivedRecord

    keys = [store.put(pdf) for pdf in pdfs]
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        session.add_all(ArchivedRecord(
            envelope_id=f"{n:08d}-0000-4000-8000-000000000000", plan_id=f"PIP-{n}",
            employee_name="E", employee_name_folded="e", employee_id=None,
            manager_name="M", manager_name_folded="m", department="Sales",
            outcome="acknowledged", sent_at=now, completed_at=now, archived_at=now,
            sent_by="hr", team=None, original_sha256=keys[n % len(keys)],
            final_sha256=keys[n % len(keys)], plan_sha256=keys[0], audit_sha256=keys[0],
            retain_until=None) for n in range(records))


def run(refresh_module, sessions, store, policy, limit: int) -> tuple[list[float], float, int]:
    """Per-record times (ms), the whole run (s), and how many were refreshed."""
    now = dt.datetime.now(dt.UTC)
    each = getattr(refresh_module, "refresh_each", None)
    start = last = time.perf_counter()
    times: list[float] = []
    done = 0
    if each is None:
        outcomes = refresh_module.refresh(sessions, store, policy, now=now, limit=limit)
        done = sum(1 for o in outcomes if o.refreshed)
    else:
        for outcome in each(sessions, store, policy, now=now, limit=limit):
            moment = time.perf_counter()
            times.append((moment - last) * 1000)
            last = moment
            done += outcome.refreshed
            if len(times) % 1000 == 0:
                print(f"    {len(times)} records, {moment - start:.0f} s", flush=True)
    return times, time.perf_counter() - start, done


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--distinct", type=int, default=5)
    parser.add_argument("--product", type=Path, default=ROOT)
    parser.add_argument("--concurrency", type=int, default=1,
                        help="Records refreshed at once (seal_refresh_concurrency).")
    parser.add_argument("--profile", type=int, default=0,
                        help="Profile a run of this many records instead (cProfile).")
    args = parser.parse_args()
    sys.path.insert(0, str(args.product))
    from archive import FolderStore
    from bench.bench_seal_levels import ServedPki, plan_pdf
    from bench.peakmem import own_peak_mb
    from database import make_engine, make_session_factory
    from docgen.seal import load_sealing_key, seal
    from signing.domain import archive_timestamps
    from signing.domain.archive_timestamps import RefreshPolicy
    from signing.migrations import upgrade

    pki = ServedPki()
    folder = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    try:
        key_path, chain = pki.write_seal_files(folder)
        key = load_sealing_key(key_path=key_path, cert_path=chain)
        pdf = plan_pdf(6)
        pdfs = [seal(pdf, key, reason=f"record {n}", timestamp_url=pki.tsa_url(),
                     level="B-LTA") for n in range(args.distinct)]
        engine = make_engine(f"sqlite:///{folder / 'plansign.db'}")
        upgrade(engine)
        sessions = make_session_factory(engine)
        store = FolderStore(folder / "blobs")
        records = args.profile or args.records
        start = time.perf_counter()
        build_records(sessions, store, pdfs, records)
        print(f"product {args.product}: {records} records ({args.distinct} sealed B-LTA PDFs "
              f"of {len(pdfs[0]) // 1024} KB reused) made in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        extra = {"concurrency": args.concurrency} if args.concurrency > 1 else {}
        policy = RefreshPolicy(timestamp_url=pki.tsa_url(), days_before=180,
                               retired_digests=("sha256",), trust_roots=(pki.pem("root"),),
                               **extra)
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(run, archive_timestamps, sessions, store, policy, records)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
            return
        times, elapsed, done = run(archive_timestamps, sessions, store, policy, records)
        per = (f"p50 {statistics.median(times):.0f} ms, p95 {percentile(times, 0.95):.0f} ms "
               f"per record; " if times else "")
        print(f"  first run: {done}/{records} refreshed in {elapsed:.0f} s "
              f"({elapsed / 60:.1f} min), {per}{done / elapsed:.1f} records/s")
        again, second, redone = run(archive_timestamps, sessions, store, policy, records)
        print(f"  second run: {len(again) if again else redone} records looked at, "
              f"{redone} refreshed, in {second * 1000:.0f} ms")
        print(f"  peak memory of this process: {own_peak_mb():.0f} MB")
    finally:
        pki.close()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()

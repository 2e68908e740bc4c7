"""Benchmark: one purge that finds one record due, with 1,000 to 10,000 tombstones of
earlier purges behind it, in the folder store and in S3 (moto's, on 127.0.0.1); this
tree beside a baseline's in the same run.

Each measurement runs in a fresh process that imports one tree (this one, or the
baseline's with ``--baseline DIR``), makes a SQLite database with that tree's own
migrations, leaves ``--tombstones`` tombstones as earlier purges did (their blobs gone;
in this tree, marked swept by the purge that left them: the purge before this one is
run first, then this one), archives one record due now through ``archive.put_record``,
and times ``archive.purge(execute=True)``. It counts what the purge asks the store:
calls of ``exists`` and ``delete`` (and, in S3, the HTTP requests boto3 sends). The
trees alternate (``--alternations``) so the machine's noise falls on both.

Usage::

    git worktree add /tmp/baseline main
    .venv/bin/python bench/bench_purge_sweep.py --baseline /tmp/baseline \\
        [--tombstones 1000 10000] [--stores folder s3] [--alternations 3]
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
NOW = dt.datetime(2031, 1, 6, 9, 0, tzinfo=dt.UTC)


# -- in a child process, which imports one tree ------------------------------------------


class Counting:
    """A blob store, with how often the purge asked it about or deleted a blob."""

    def __init__(self, store) -> None:
        self.store, self.exists_calls, self.delete_calls = store, 0, 0

    def exists(self, key: str) -> bool:
        self.exists_calls += 1
        return self.store.exists(key)

    def delete(self, key: str) -> None:
        self.delete_calls += 1
        self.store.delete(key)

    def __getattr__(self, name: str):
        return getattr(self.store, name)


def make_store(kind: str, folder: Path, endpoint: str | None):
    from archive import FolderStore, S3Store

    if kind == "folder":
        return FolderStore(folder / "blobs")
    return S3Store("bench", endpoint_url=endpoint, prefix=f"p{os.getpid()}",
                   region="us-east-1", access_key_id="bench", secret_access_key="bench",
                   max_attempts=1)


def measure(kind: str, tombstones: int, endpoint: str | None) -> dict:
    from sqlalchemy import insert

    from archive import Reader, RecordDocuments, RecordIndex, Tombstone, purge, put_record
    from database import make_engine, make_session_factory
    from signing.migrations import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        upgrade(engine)
        sessions = make_session_factory(engine)
        store = Counting(make_store(kind, folder, endpoint))
        by = Reader("cli:bench", "admin")
        before = NOW - dt.timedelta(days=1)
        # The tombstones earlier purges left (their blobs deleted then).
        rows = [{"envelope_id": f"{n:08d}-0000-4000-8000-000000000000", "plan_id": f"P{n}",
                 "original_sha256": f"{4 * n:064x}", "final_sha256": f"{4 * n + 1:064x}",
                 "plan_sha256": f"{4 * n + 2:064x}", "audit_sha256": f"{4 * n + 3:064x}",
                 "sent_at": before, "completed_at": before, "archived_at": before,
                 "retain_until": before, "purged_at": before, "purged_by": "cli:bench"}
                for n in range(tombstones)]
        with engine.begin() as conn:
            conn.execute(insert(Tombstone), rows)
        # The purge that left them, which in this tree marks them swept (a baseline's
        # keeps no mark: every purge looks at every tombstone).
        purge(sessions, store, now=before, by=by, execute=True)
        completed = NOW - dt.timedelta(days=400)
        with sessions.begin() as session:
            put_record(session, store, RecordIndex(
                envelope_id="ffffffff-0000-4000-8000-000000000000", plan_id="DUE",
                employee_name="Alex Sample", employee_id=None, manager_name="Morgan",
                department="Support", outcome="acknowledged", sent_at=completed,
                completed_at=completed),
                RecordDocuments(f"%PDF original {os.getpid()}".encode(),
                                f"%PDF final {os.getpid()}".encode(), {"plan": "due"}, []),
                now=completed, retain_for=dt.timedelta(days=365))
        requests: list[str] = []
        client = getattr(store.store, "client", None)
        if client is not None:
            client.meta.events.register("before-send",
                                        lambda request, **_: requests.append(request.method))
        store.exists_calls = store.delete_calls = 0
        start = time.perf_counter()
        plan = purge(sessions, store, now=NOW, by=by, execute=True)
        elapsed = (time.perf_counter() - start) * 1000
        assert len(plan.due) == 1, plan
        engine.dispose()
    return {"ms": elapsed, "exists": store.exists_calls, "delete": store.delete_calls,
            "http": len(requests) if client is not None else None}


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(args.tree))
    print(json.dumps(measure(args.store, args.count, args.endpoint)))


# -- the parent: alternates, reports -----------------------------------------------------


def run_child(tree: Path, *arguments: object) -> dict:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--tree", str(tree),
                           *map(str, arguments)], check=True, capture_output=True, text=True,
                          cwd=tree, env={**os.environ, "AWS_EC2_METADATA_DISABLED": "true",
                                         "NO_PROXY": "127.0.0.1"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tombstones", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--stores", nargs="+", default=["folder", "s3"])
    parser.add_argument("--alternations", type=int, default=3)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tree is not None:
        child(args)
        return
    trees = [("this tree", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
    server = endpoint = None
    if "s3" in args.stores:
        import boto3
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                     aws_access_key_id="bench", aws_secret_access_key="bench"
                     ).create_bucket(Bucket="bench")
    print(f"{os.cpu_count()} CPUs; one purge of one due record after N tombstones; "
          f"median of {args.alternations}, trees alternating")
    print(f"{'store':7} {'N':>7} {'tree':10} {'ms':>9} {'exists':>7} {'delete':>7} "
          f"{'HTTP':>6}")
    try:
        for kind in args.stores:
            for count in args.tombstones:
                results: dict[str, list[dict]] = {name: [] for name, _ in trees}
                for _ in range(args.alternations):
                    for name, tree in trees:
                        results[name].append(run_child(tree, "--store", kind, "--count",
                                                       count, "--endpoint", endpoint or ""))
                for name, _ in trees:
                    runs = results[name]
                    ms = statistics.median(r["ms"] for r in runs)
                    http = runs[-1]["http"]
                    print(f"{kind:7} {count:>7} {name:10} {ms:>9.1f} {runs[-1]['exists']:>7} "
                          f"{runs[-1]['delete']:>7} {'-' if http is None else http:>6}")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()

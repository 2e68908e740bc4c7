"""Benchmark: what one rate-limit hit costs in each storage `plansign serve` may use.

Each hit is what Flask-Limiter does for one limit of one request (``incr`` on a
fixed window). Timed in one thread (wall and CPU per hit), then from two processes at
once (the count must come out exact: the stores share it). Stores: the file that the
web processes of one machine map (``file``, SQLite's default), the ``rate_limits``
table (``database``, PostgreSQL's default; also on SQLite, if chosen), and limits' own
memory storage (one process only) for reference.

Usage: ``.venv/bin/python bench/bench_rate_limits.py [--hits 5000]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from limits.storage import MemoryStorage  # noqa: E402

from database import make_engine  # noqa: E402
from signing.migrations import upgrade  # noqa: E402
from signing.web.ratecounts import FileStorage  # noqa: E402
from signing.web.ratelimit import DatabaseStorage  # noqa: E402
from testsupport.pgserver import PostgresServer  # noqa: E402

DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on",
           "wal_level": "replica"}


def make(kind: str, where: str) -> object:
    if kind == "memory":
        return MemoryStorage()
    if kind == "file":
        return FileStorage(path=Path(where))
    engine = make_engine(where)
    return DatabaseStorage(engine=engine)


def per_hit(storage: object, hits: int, key: str) -> tuple[float, float]:
    """Microseconds of wall and CPU time per hit, in this thread."""
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(hits):
        storage.incr(f"{key}/{i % 50}", 60)  # 50 client addresses
    return ((time.perf_counter() - wall) / hits * 1e6,
            (time.process_time() - cpu) / hits * 1e6)


def _hammer(kind: str, where: str, hits: int, start: multiprocessing.synchronize.Event,
            out: multiprocessing.Queue) -> None:
    storage = make(kind, where)
    start.wait()
    began = time.perf_counter()
    for _ in range(hits):
        storage.incr("shared", 60)
    out.put(time.perf_counter() - began)


def two_processes(kind: str, where: str, hits: int) -> tuple[float, int]:
    """Two processes hitting one key ``hits`` times each: µs per hit, the final count."""
    context = multiprocessing.get_context("spawn")
    start, out = context.Event(), context.Queue()
    workers = [context.Process(target=_hammer, args=(kind, where, hits, start, out))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    time.sleep(2)  # both started and connected
    start.set()
    seconds = max(out.get() for _ in workers)
    for worker in workers:
        worker.join()
    return seconds / (2 * hits) * 1e6, make(kind, where).get("shared")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plansign-bench-limits-"))
    with PostgresServer(settings=DURABLE) as server:
        sqlite_url = f"sqlite:///{work / 'plansign.db'}"
        postgres_url = server.url(server.create_database())
        for url in (sqlite_url, postgres_url):
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
        stores = {"memory (one process)": ("memory", ""),
                  "file (SQLite's default)": ("file", str(work / "rate-limits")),
                  "database on PostgreSQL (its default)": ("database", postgres_url),
                  "database on SQLite": ("database", sqlite_url)}
        print(f"# {os.cpu_count()} CPUs, {args.hits} hits per round, median of "
              f"{args.rounds} rounds")
        print("| storage | wall per hit | CPU per hit | 2 processes: wall per hit | "
              "count exact |")
        print("| --- | --- | --- | --- | --- |")
        for name, (kind, where) in stores.items():
            storage = make(kind, where)
            per_hit(storage, 200, "warm")
            rounds = [per_hit(storage, args.hits, f"r{r}") for r in range(args.rounds)]
            wall = statistics.median(r[0] for r in rounds)
            cpu = statistics.median(r[1] for r in rounds)
            if kind == "memory":
                shared = "n/a (per process)"
            else:
                micro, count = two_processes(kind, where, args.hits // 2)
                shared = f"{micro:.0f} µs | {'yes' if count == args.hits else count}"
            print(f"| {name} | {wall:.0f} µs | {cpu:.0f} µs | {shared} |"
                  if kind != "memory" else
                  f"| {name} | {wall:.0f} µs | {cpu:.0f} µs | {shared} | |")


if __name__ == "__main__":
    main()

"""Benchmark: searching the archive at 1,000 to 100,000 (or more) records, in SQLite and
in PostgreSQL, this tree's search beside a baseline's in the same run.

For each size it fills a SQLite file and a PostgreSQL database once (names drawn from
several scripts' worth of first and last names, 40 managers, 12 departments, four
outcomes, five years of dates) through the baseline's migrations, copies them, and brings
the copies up to this tree's migrations: both trees search the same rows, each with its
own schema. Then it times a mix of searches through ``archive.search`` as the records API
runs them (the total and one page of 50, a read-only session each): part of a name, a
full name, an employee id, part of a manager's name, a department with an outcome, a
month, a page deep in the unfiltered results, and one outcome.

Each measurement runs in a fresh process that imports one tree (this one, or the
baseline's with ``--baseline DIR``), and the two trees' processes alternate
(``--alternations``) so that the machine's noise falls on both; each process reports its
own peak memory (bench/peakmem.py).

Usage::

    git worktree add /tmp/baseline main
    .venv/bin/python bench/bench_archive_search.py --baseline /tmp/baseline \\
        [--records 1000 10000 100000] [--rounds 200] [--databases sqlite postgresql]

PostgreSQL runs on a private server started for the run (testsupport/pgserver.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FIRST = ["Léa", "Jürg", "Sofía", "Ángel", "Zoë", "Ivan", "Mia", "Noah", "Aisha", "Chen",
         "Priya", "Olu", "Mateo", "Hana", "Lars", "Fatima", "Tomás", "Ewa", "Kenji", "Amara"]
LAST = ["Brändli", "Baumann", "Castellanos", "Núñez", "O'Neill", "Petrov", "Schulz", "Smith",
        "Khan", "Wang", "Patel", "Adeyemi", "García", "Sato", "Larsen", "Haddad", "Silva",
        "Kowalska", "Tanaka", "Okafor", "Müller", "Dubois", "Rossi", "Novak", "Jensen"]
DEPARTMENTS = ["Customer Care", "Sales", "Engineering", "Finance", "Marketing", "Legal",
               "Operations", "Logistics", "Support", "Research", "People", "Facilities"]
OUTCOMES = ["acknowledged", "refused", "no_response", "voided"]
START = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
KINDS = ["part of a name", "full name, accents dropped", "employee id", "manager",
         "department + outcome", "completed in a month", "page 20, newest first",
         "one outcome, newest first"]


# -- in a child process, which imports one tree ------------------------------------------


def rows(count: int, rng: random.Random):
    from archive import fold

    managers = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(40)]
    for n in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}-{rng.choice(LAST)}"
        manager = rng.choice(managers)
        completed = START + dt.timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
        yield {
            "envelope_id": f"{n:08d}-0000-4000-8000-000000000000", "plan_id": f"PIP-{n:06d}",
            "employee_name": name, "employee_name_folded": fold(name),
            "employee_id": f"E-{n:06d}", "manager_name": manager,
            "manager_name_folded": fold(manager), "department": rng.choice(DEPARTMENTS),
            "outcome": rng.choices(OUTCOMES, weights=[70, 15, 10, 5])[0],
            "sent_at": completed - dt.timedelta(days=14), "completed_at": completed,
            "archived_at": completed, "sent_by": "apikey:psk_bench000",
            "original_sha256": "0" * 64, "final_sha256": f"{n:064x}", "plan_sha256": "1" * 64,
            "audit_sha256": "2" * 64, "retain_until": completed + dt.timedelta(days=2557),
        }


def fill(url: str, count: int) -> None:
    from sqlalchemy import insert

    from archive import ArchivedRecord
    from database import make_engine

    engine = make_engine(url)
    migrate(engine)
    batch: list[dict] = []
    with engine.begin() as conn:
        for row in rows(count, random.Random(7)):
            batch.append(row)
            if len(batch) == 5000:
                conn.execute(insert(ArchivedRecord), batch)
                batch.clear()
        if batch:
            conn.execute(insert(ArchivedRecord), batch)
    engine.dispose()


def migrate(engine=None, url: str | None = None) -> None:
    """This tree's migrations; then, on PostgreSQL, what autovacuum would have done by
    the time anyone searches (statistics, and a visibility map for index-only scans).
    SQLite gets no ANALYZE: plansign never runs one, so its planner works without
    statistics, as here."""
    from database import make_engine
    from signing.migrations import upgrade

    engine = engine or make_engine(url)
    upgrade(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def queries(rng: random.Random, count: int):
    from archive import SearchQuery, fold

    day = dt.timedelta(days=1)
    mix = {
        "part of a name": lambda: SearchQuery(name=rng.choice(LAST)[:4].lower()),
        "full name, accents dropped": lambda: SearchQuery(
            name=fold(f"{rng.choice(FIRST)} {rng.choice(LAST)}")),
        "employee id": lambda: SearchQuery(employee_id=f"E-{rng.randrange(count):06d}"),
        "manager": lambda: SearchQuery(manager=rng.choice(LAST).lower()),
        "department + outcome": lambda: SearchQuery(department=rng.choice(DEPARTMENTS),
                                                    outcome=rng.choice(OUTCOMES)),
        "completed in a month": lambda: SearchQuery(
            completed_from=(start := START + day * rng.randrange(1700)),
            completed_to=start + 30 * day),
        "page 20, newest first": lambda: SearchQuery(offset=1000),
        "one outcome, newest first": lambda: SearchQuery(outcome=rng.choice(OUTCOMES)),
    }
    return [(name, mix[name]()) for name in KINDS]


def measure(url: str, rounds: int, count: int, seed: int) -> dict:
    import importlib.util

    from archive import search

    # bench/peakmem.py of this tree, whichever tree is searched
    spec = importlib.util.spec_from_file_location("peakmem", ROOT / "bench" / "peakmem.py")
    assert spec and spec.loader
    peakmem = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peakmem)
    from database import make_engine, make_session_factory

    engine = make_engine(url)
    sessions = make_session_factory(engine, read_only=True)
    rng = random.Random(seed)
    times: dict[str, list[float]] = {}
    totals: dict[str, list[int]] = {}
    for _name, query in queries(rng, count):  # a warm-up round: connections, caches
        with sessions() as session:
            search(session, query)
    for _ in range(rounds):
        for name, query in queries(rng, count):
            start = time.perf_counter()
            with sessions() as session:
                page = search(session, query)
            times.setdefault(name, []).append((time.perf_counter() - start) * 1000)
            totals.setdefault(name, []).append(page.total)
    engine.dispose()
    return {"times": times, "totals": totals, "peak_mb": peakmem.own_peak_mb()}


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(args.tree))
    if args.child == "fill":
        fill(args.url, args.count)
    elif args.child == "migrate":
        migrate(url=args.url)
    else:
        print(json.dumps(measure(args.url, args.rounds, args.count, args.seed)))


# -- the parent: fills, alternates, reports ----------------------------------------------


def run_child(tree: Path, *arguments: object) -> str:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--tree", str(tree),
                           *map(str, arguments)], check=True, capture_output=True, text=True,
                          cwd=tree)
    return done.stdout


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=200,
                        help="rounds of each kind of search, per tree and size")
    parser.add_argument("--alternations", type=int, default=4,
                        help="processes per tree and size, taking turns")
    parser.add_argument("--baseline", type=Path, help="a checkout of the baseline to compare")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--json", type=Path, help="also write every figure here")
    # a child process's own arguments
    parser.add_argument("--child", choices=["fill", "migrate", "measure"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=11, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    sys.path.insert(0, str(ROOT))
    from testsupport.pgserver import PostgresServer

    trees = {"branch": ROOT}
    if args.baseline:
        trees = {"baseline": args.baseline.resolve(), "branch": ROOT}
    first = next(iter(trees.values()))
    work = Path(tempfile.mkdtemp(prefix="plansign-bench-search-"))
    results: dict = {}
    server = PostgresServer() if "postgresql" in args.databases else None
    try:
        if server:
            server.start()
        for count in args.records:
            for database in args.databases:
                urls = {}
                started = time.perf_counter()
                if database == "sqlite":
                    source = work / f"{count}-filled.db"
                    run_child(first, "--child", "fill", "--url", f"sqlite:///{source}",
                              "--count", count)
                    for label in trees:
                        shutil.copy(source, work / f"{count}-{label}.db")
                        urls[label] = f"sqlite:///{work / f'{count}-{label}.db'}"
                else:
                    assert server is not None
                    source_name = server.create_database()
                    run_child(first, "--child", "fill", "--url", server.url(source_name),
                              "--count", count)
                    for label in trees:
                        urls[label] = server.url(server.create_database(template=source_name))
                for label, tree in trees.items():
                    run_child(tree, "--child", "migrate", "--url", urls[label])
                print(f"{database}: {count} records in {time.perf_counter() - started:.0f} s",
                      file=sys.stderr, flush=True)
                per_run = max(1, args.rounds // args.alternations)
                for turn in range(args.alternations):
                    order = list(trees.items())
                    if turn % 2:
                        order.reverse()
                    for label, tree in order:
                        out = json.loads(run_child(
                            tree, "--child", "measure", "--url", urls[label], "--count", count,
                            "--rounds", per_run, "--seed", 11 + turn))
                        slot = results.setdefault(database, {}).setdefault(count, {}) \
                            .setdefault(label, {"times": {}, "totals": {}, "peak_mb": []})
                        for kind, values in out["times"].items():
                            slot["times"].setdefault(kind, []).extend(values)
                        for kind, values in out["totals"].items():
                            slot["totals"].setdefault(kind, []).extend(values)
                        slot["peak_mb"].append(out["peak_mb"])
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results))
    report(results, list(trees), args)


def report(results: dict, labels: list[str], args: argparse.Namespace) -> None:
    print(f"# {os.cpu_count()} CPUs, {args.rounds} searches of each kind per tree and size, "
          f"in {args.alternations} alternating processes per tree; total + first page of 50")
    for database, by_count in results.items():
        print(f"\n## {database}\n")
        header = ["records", "search"]
        for label in labels:
            header += [f"{label} p50", f"{label} p95"]
        if len(labels) == 2:
            header += ["p95 ratio"]
        print("| " + " | ".join(header) + " |")
        print("|" + " --- |" * len(header))
        for count, by_label in by_count.items():
            everything: dict[str, list[float]] = {label: [] for label in labels}
            for kind in KINDS:
                cells = [f"{count:,}", kind]
                for label in labels:
                    values = by_label[label]["times"][kind]
                    everything[label] += values
                    cells += [f"{statistics.median(values):.1f}", f"{p95(values):.1f}"]
                if len(labels) == 2:
                    cells.append(_ratio(by_label, labels, kind))
                print("| " + " | ".join(cells) + " |")
            cells = [f"{count:,}", "**all searches**"]
            for label in labels:
                cells += [f"**{statistics.median(everything[label]):.1f}**",
                          f"**{p95(everything[label]):.1f}**"]
            if len(labels) == 2:
                cells.append(f"**{p95(everything[labels[1]]) / p95(everything[labels[0]]):.2f}**")
            print("| " + " | ".join(cells) + " |")
            cells = [f"{count:,}", "peak memory (MB, largest process)"]
            for label in labels:
                cells += [f"{max(by_label[label]['peak_mb']):.0f}", ""]
            if len(labels) == 2:
                cells.append("")
            print("| " + " | ".join(cells) + " |")


def _ratio(by_label: dict, labels: list[str], kind: str) -> str:
    base, new = (p95(by_label[label]["times"][kind]) for label in labels)
    return f"{new / base:.2f}"


if __name__ == "__main__":
    main()

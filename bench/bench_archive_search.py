"""Benchmark: searching the archive with 100,000 records, in SQLite and in PostgreSQL.

It fills each database with 100,000 archived records (names drawn from several scripts'
worth of first and last names, 40 managers, 12 departments, four outcomes, five years of
dates), then times a mix of searches through ``archive.search`` as the records API runs
them (a count for the total and one page of 50): part of a name, an employee id, a
manager, a department with an outcome, a date range, and a page deep in the results.

Usage: ``.venv/bin/python bench/bench_archive_search.py [--records 100000] [--rounds 200]``.
PostgreSQL runs on a private server started for the run (testsupport/pgserver.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from archive import ArchivedRecord, SearchQuery, fold, search  # noqa: E402
from database import make_engine, make_session_factory  # noqa: E402
from signing.migrations import upgrade  # noqa: E402

FIRST = ["Léa", "Jürg", "Sofía", "Ángel", "Zoë", "Ivan", "Mia", "Noah", "Aisha", "Chen",
         "Priya", "Olu", "Mateo", "Hana", "Lars", "Fatima", "Tomás", "Ewa", "Kenji", "Amara"]
LAST = ["Brändli", "Baumann", "Castellanos", "Núñez", "O'Neill", "Petrov", "Schulz", "Smith",
        "Khan", "Wang", "Patel", "Adeyemi", "García", "Sato", "Larsen", "Haddad", "Silva",
        "Kowalska", "Tanaka", "Okafor", "Müller", "Dubois", "Rossi", "Novak", "Jensen"]
DEPARTMENTS = ["Customer Care", "Sales", "Engineering", "Finance", "Marketing", "Legal",
               "Operations", "Logistics", "Support", "Research", "People", "Facilities"]
OUTCOMES = ["acknowledged", "refused", "no_response", "voided"]
START = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)


def rows(count: int, rng: random.Random):
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
    engine = make_engine(url)
    upgrade(engine)
    batch: list[dict] = []
    with engine.begin() as conn:
        for row in rows(count, random.Random(7)):
            batch.append(row)
            if len(batch) == 5000:
                conn.execute(insert(ArchivedRecord), batch)
                batch.clear()
        if batch:
            conn.execute(insert(ArchivedRecord), batch)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def queries(rng: random.Random, count: int) -> list[tuple[str, SearchQuery]]:
    day = dt.timedelta(days=1)
    mix = [
        ("part of a name", lambda: SearchQuery(name=rng.choice(LAST)[:4].lower())),
        ("full name, accents dropped", lambda: SearchQuery(
            name=fold(f"{rng.choice(FIRST)} {rng.choice(LAST)}"))),
        ("employee id", lambda: SearchQuery(employee_id=f"E-{rng.randrange(count):06d}")),
        ("manager", lambda: SearchQuery(manager=rng.choice(LAST).lower())),
        ("department + outcome", lambda: SearchQuery(department=rng.choice(DEPARTMENTS),
                                                     outcome=rng.choice(OUTCOMES))),
        ("completed in a month", lambda: SearchQuery(
            completed_from=(start := START + day * rng.randrange(1700)),
            completed_to=start + 30 * day)),
        ("page 20, newest first", lambda: SearchQuery(offset=1000)),
    ]
    return [(name, make()) for name, make in mix]


def measure(url: str, rounds: int, count: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    sessions = make_session_factory(engine, read_only=True)
    rng = random.Random(11)
    times: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, query in queries(rng, count):
            start = time.perf_counter()
            with sessions() as session:
                search(session, query)
            times.setdefault(name, []).append((time.perf_counter() - start) * 1000)
    engine.dispose()
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    from testsupport.pgserver import PostgresServer

    work = Path(tempfile.mkdtemp(prefix="plansign-bench-search-"))
    results = {}
    with PostgresServer() as server:
        for label, url in (("SQLite", f"sqlite:///{work / 'archive.db'}"),
                           ("PostgreSQL", server.url(server.create_database()))):
            started = time.perf_counter()
            fill(url, args.records)
            print(f"{label}: {args.records} records in {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)
            results[label] = measure(url, args.rounds, args.records)
    print(f"# {os.cpu_count()} CPUs, {args.records} records, {args.rounds} rounds of each "
          "search (count + first page of 50)")
    print("| search | SQLite p50 | SQLite p95 | PostgreSQL p50 | PostgreSQL p95 |")
    print("| --- | --- | --- | --- | --- |")
    everything: dict[str, list[float]] = {"SQLite": [], "PostgreSQL": []}
    for name in results["SQLite"]:
        cells = []
        for label in ("SQLite", "PostgreSQL"):
            values = results[label][name]
            everything[label] += values
            cells += [f"{statistics.median(values):.1f} ms", f"{p95(values):.1f} ms"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("| **all searches** | " + " | ".join(
        f"**{statistics.median(everything[label]):.1f} ms** | **{p95(everything[label]):.1f} ms**"
        for label in ("SQLite", "PostgreSQL")) + " |")


if __name__ == "__main__":
    main()

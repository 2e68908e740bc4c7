"""Benchmark: the consistency report across plans at 10,000 envelopes, on SQLite and
PostgreSQL: p50 and p95 per request (issue 17).

It fills a SQLite file and a PostgreSQL database (a private server started for the run)
through this tree's migrations with 10,000 sent plans, each with its case and its
check-ins: the sample plan's JSON (a few kilobytes a row, as a real one), 12
departments, 40 managers, two years of start dates, 30-, 60- and 90-day plans, weekly
(most) or fortnightly check-ins on varying days in three time zones, about 10% extended,
every plan whose end has passed closed (met, not met, resigned, withdrawn), and
check-ins held, missed or left unrecorded at rates that differ by department, so that
the report has groups to flag (about 70,000 check-in rows in all). PostgreSQL's copy is
analysed, as autovacuum would have it.

Measured in-process, one request at a time, in fresh processes that alternate between
the two databases (``--alternations``):

- the service alone (``signing.reports.service.consistency_report``: the access check,
  the two statements, the report built, the access log written), as an admin (every
  plan) and as HR of the team (the same plans, through the team's scope), split into
  its two steps: reading the rows, and building the report from them;
- the whole console page and its CSV, and the API's JSON, through Flask's test client;
- the first report of a fresh process, when the schedules have not been derived yet
  (each process's first request, reported apart);
- beside them, the console's floor (the account page, which reads only its person) and
  the plans list's first page, as the figures of bench_console_plans.py.

Each process reports its peak memory (bench/peakmem.py, ``own_peak_mb``).

Usage::

    .venv/bin/python bench/bench_consistency.py [--envelopes 10000] [--rounds 40] \\
        [--alternations 4] [--databases sqlite postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEPARTMENTS = ["Customer Care", "Sales", "Engineering", "Finance", "Marketing", "Legal",
               "Operations", "Logistics", "Support", "Research", "People", "Facilities"]
FIRST = ["Léa", "Jürg", "Sofía", "Ángel", "Zoë", "Ivan", "Mia", "Noah", "Aisha", "Chen"]
LAST = ["Brändli", "Baumann", "Castellanos", "Núñez", "Petrov", "Khan", "Wang", "Patel"]
MANAGERS = [f"{FIRST[i % 10]} {LAST[(i * 3) % 8]} {i}" for i in range(40)]
ZONES = ["Europe/London", "Europe/Zurich", "America/New_York"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]
TEAM = "Bench HR"
PASSWORD = "bench horse battery staple"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
SERVICE_KINDS = ("service, admin (every plan)", "service, HR of the team")
PAGE_KINDS = {
    "console page": "/console/consistency/",
    "console page, one department and a quarter": "/console/consistency/?department=Sales"
                                                  "&started_from={q_from}&started_to={q_to}",
    "CSV export": "/console/consistency/consistency.csv",
    "floor: the account page (reads only its person)": "/console/account",
    "reference: the plans list's first page": "/console/",
}
API_KIND = "API JSON (admin key)"


# -- filling (in a child process) ------------------------------------------------------


def fill(url: str, count: int, seed: int = 7) -> None:
    from docgen import sample_plan
    from docgen.model import CheckIns
    from docgen.schedule import checkin_meetings
    from signing.domain import apikeys, people, signin
    from signing.domain.models import CaseRow, CheckinRow, Document, EnvelopeRow
    from signing.domain.names import searchable
    from signing.web.app import create_app
    from signing.web.current import services_of

    app = create_app({"instance_path": tempfile.mkdtemp(prefix="plansign-bench-cy-"),
                      "database_url": url, "secret_keys": "k" * 40})
    services = services_of(app)
    rng = random.Random(seed)
    plan = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    # How often a department's managers hold, and record, their check-ins.
    held_rate = {d: 0.9 - 0.5 * (i % 4 == 1) - 0.2 * (i % 5 == 2)
                 for i, d in enumerate(DEPARTMENTS)}
    envelopes, cases, checkins = [], [], []
    for index in range(count):
        envelope_id = str(uuid.uuid4())
        department = DEPARTMENTS[index % len(DEPARTMENTS)]
        manager = MANAGERS[(index * 7) % len(MANAGERS)]
        start = (NOW - dt.timedelta(days=rng.uniform(0, 730))).date()
        days = rng.choice((30, 60, 60, 90))
        extended = rng.choice((14, 30)) if rng.random() < 0.1 else 0
        end = start + dt.timedelta(days=days + extended)
        schedule = {"cadence": "weekly" if rng.random() < 0.85 else "biweekly",
                    "weekday": rng.choice(WEEKDAYS), "time": "10:00:00",
                    "timezone": rng.choice(ZONES), "duration_minutes": 30, "skip": []}
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        envelopes.append({
            "id": envelope_id, "state": "archived",
            "plan_data": {**plan, "employee": {**plan["employee"], "name": name,
                                               "department": department},
                          "timeline": {"start": start.isoformat(), "length_days": days,
                                       "review_every_days": 30},
                          "checkins": schedule},
            "template": "standard", "document_sha256": "0" * 64,
            "created_at": dt.datetime.combine(start, dt.time(9), dt.UTC),
            "created_by": "apikey:psk_bench", "owner": "apikey:psk_bench", "team": TEAM,
            "expires_at": None, "employee_name": name, "employee_search": searchable(name),
            "department": department, "manager_name": manager, "drafted_by": None,
            "planned_end": start + dt.timedelta(days=days), "checkin_schedule": schedule,
            "lint_findings": rng.choice((0, 0, 1, 2, 3)) + 2 * (department == "Sales")})
        closed = end < NOW.date()
        early = closed and rng.random() < 0.1
        closed_on = start + dt.timedelta(days=rng.randint(5, days)) if early else end
        cases.append({
            "envelope_id": envelope_id, "state": "closed" if closed else (
                "extended" if extended else "active"),
            "start": start, "end": end, "opened_at": dt.datetime.combine(start, dt.time(9),
                                                                         dt.UTC),
            "outcome": (rng.choice(("resigned", "withdrawn")) if early else
                        rng.choice(("met", "met", "not_met")) if closed else None),
            "closed_reason": None, "closed_by": None,
            "closed_at": dt.datetime.combine(closed_on, dt.time(17), dt.UTC) if closed else None})
        until = min(NOW, dt.datetime.combine(closed_on, dt.time(17), dt.UTC))
        for meeting in checkin_meetings(CheckIns.model_validate(schedule), start, end):
            if meeting.starts_utc > until:
                break
            luck = rng.random()
            if luck > held_rate[department] + 0.05:
                continue  # nothing recorded
            held = luck <= held_rate[department]
            checkins.append({
                "id": str(uuid.uuid4()), "envelope_id": envelope_id,
                "meeting": meeting.number, "scheduled_for": meeting.starts_utc,
                "held_at": meeting.starts_utc if held else None,
                "missed_reason": None if held else "The manager was away.",
                "attendees": [name, manager] if held else [], "goals": [],
                "notes": "", "support_given": "", "next_steps": "", "employee_view": "",
                "recorded_by": "person:bench", "recorded_at": meeting.ends.astimezone(dt.UTC),
                "acknowledged_at": None, "answer_due_at": None, "unanswered_at": None})
    with services.sessions.begin() as session:
        session.add(Document(sha256="0" * 64, content_type="application/pdf", size=4,
                             content=b"%PDF", created_at=NOW))
        session.flush()
        session.execute(EnvelopeRow.__table__.insert(), envelopes)
        session.execute(CaseRow.__table__.insert(), cases)
        session.execute(CheckinRow.__table__.insert(), checkins)
        for username, role, team in (("bench-hr", "hr", TEAM), ("bench-admin", "admin", None)):
            people.create_person(session, username=username, display_name=f"Bench {role}",
                                 email=f"{username}@example.com", role=role, team=team,
                                 password_hash=signin.hash_password(PASSWORD), now=NOW,
                                 created_by="cli:bench")
        _row, key = apikeys.create_key(session, "bench admin", "admin", NOW)
    Path(url_key_file(url)).write_text(key)
    if url.startswith("postgresql"):
        with services.engine.connect() as connection:
            connection.exec_driver_sql("COMMIT")
            connection.exec_driver_sql("ANALYZE")
    print(json.dumps({"checkins": len(checkins)}))


def url_key_file(url: str) -> str:
    return os.path.join(tempfile.gettempdir(),
                        "plansign-bench-cy-key-" + re.sub(r"\W", "_", url)[-60:])


# -- measuring (in a child process) ----------------------------------------------------


def measure(url: str, rounds: int, seed: int) -> dict:
    from bench import peakmem
    from signing.domain.access import Principal, Role
    from signing.domain.consistency import report as build_report
    from signing.reports import rows, service
    from signing.reports.rows import Filters
    from signing.web.app import create_app
    from signing.web.current import services_of

    app = create_app({"instance_path": tempfile.mkdtemp(prefix="plansign-bench-cy-"),
                      "database_url": url, "secret_keys": "k" * 40})
    services = services_of(app)
    admin = Principal("person:bench-admin", Role.ADMIN, None, label="Bench admin")
    hr = Principal("person:bench-hr", Role.HR, TEAM, label="Bench hr")
    settings = service.settings_of(services)

    # The first report of this process: nothing derived yet.
    started = time.perf_counter()
    first = service.consistency_report(services, admin, Filters(), now=NOW)
    cold_ms = (time.perf_counter() - started) * 1000

    client = app.test_client()
    page = client.get("/console/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    signed = client.post("/console/signin", data={"csrf_token": token,
                                                   "username": "bench-hr",
                                                   "password": PASSWORD})
    assert signed.status_code == 302, signed.get_data(as_text=True)[:300]
    key = Path(url_key_file(url)).read_text()
    api = app.test_client()
    q_to = NOW.date() - dt.timedelta(days=200)
    paths = {kind: path.format(q_from=(q_to - dt.timedelta(days=91)).isoformat(),
                               q_to=q_to.isoformat()) for kind, path in PAGE_KINDS.items()}

    def timed(kind: str, call) -> None:
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        times.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        cpu.setdefault(kind, []).append((time.process_time() - started_cpu) * 1000)

    def get(path: str, client=client, headers=None) -> None:
        response = client.get(path, headers=headers)
        response.get_data()
        assert response.status_code == 200, (path, response.status_code)

    calls = {
        SERVICE_KINDS[0]: lambda: service.consistency_report(services, admin, Filters(),
                                                             now=NOW),
        SERVICE_KINDS[1]: lambda: service.consistency_report(services, hr, Filters(), now=NOW),
        **{kind: (lambda path=path: get(path)) for kind, path in paths.items()},
        API_KIND: lambda: get("/api/v1/reports/consistency", client=api,
                              headers={"Authorization": f"Bearer {key}"}),
    }
    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for call in calls.values():  # warm
        call()
    times.clear()
    cpu.clear()
    rng = random.Random(seed)
    order = list(calls.items())
    split: dict[str, list[float]] = {"reading the rows": [], "building the report": []}
    for _ in range(rounds):
        rng.shuffle(order)
        for kind, call in order:
            timed(kind, call)
        started = time.perf_counter()
        with services.readers() as session:
            found = rows.plan_rows(session, admin, Filters())
        read = time.perf_counter()
        build_report(found, settings=settings, now=NOW, scope=service.scope_of(admin, Filters()))
        split["reading the rows"].append((read - started) * 1000)
        split["building the report"].append((time.perf_counter() - read) * 1000)
    return {"times": times, "cpu": cpu, "split": split, "cold_ms": cold_ms,
            "plans": first.company.plans, "flagged": len(first.flagged),
            "peak_mb": peakmem.own_peak_mb()}


# -- the run -------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def run_child(*arguments: object) -> str:
    done = subprocess.run([sys.executable, __file__, *map(str, arguments)], check=True,
                          capture_output=True, text=True, cwd=ROOT)
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--envelopes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=40,
                        help="requests of each kind per database, in all")
    parser.add_argument("--alternations", type=int, default=4)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--child", choices=["fill", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=11, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "fill":
        fill(args.url, args.envelopes)
        return
    if args.child == "measure":
        print(json.dumps(measure(args.url, args.rounds, args.seed)))
        return

    from testsupport.pgserver import PostgresServer

    work = Path(tempfile.mkdtemp(prefix="plansign-bench-cy-"))
    server = PostgresServer() if "postgresql" in args.databases else None
    results: dict = {}
    try:
        urls: dict[str, str] = {}
        if server:
            server.start()
        for database in args.databases:
            started = time.perf_counter()
            urls[database] = (f"sqlite:///{work / 'consistency.db'}" if database == "sqlite"
                              else server.url(server.create_database()))  # type: ignore[union-attr]
            filled = json.loads(run_child("--child", "fill", "--url", urls[database],
                                          "--envelopes", args.envelopes))
            print(f"{database}: {args.envelopes:,} envelopes and cases, "
                  f"{filled['checkins']:,} check-ins in {time.perf_counter() - started:.0f} s",
                  file=sys.stderr, flush=True)
        per_run = max(1, args.rounds // args.alternations)
        for turn in range(args.alternations):
            for database in (args.databases if turn % 2 == 0 else args.databases[::-1]):
                out = json.loads(run_child("--child", "measure", "--url", urls[database],
                                           "--rounds", per_run, "--seed", 11 + turn))
                slot = results.setdefault(database, {"times": {}, "cpu": {}, "split": {},
                                                     "cold_ms": [], "peak_mb": [],
                                                     "plans": out["plans"],
                                                     "flagged": out["flagged"]})
                for name in ("times", "cpu", "split"):
                    for kind, values in out[name].items():
                        slot[name].setdefault(kind, []).extend(values)
                slot["cold_ms"].append(out["cold_ms"])
                slot["peak_mb"].append(out["peak_mb"])
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results))
    report(results, args)


def report(results: dict, args: argparse.Namespace) -> None:
    load = os.getloadavg()
    databases = list(results)
    print(f"# {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
          f"{args.envelopes:,} envelopes with cases ({results[databases[0]]['plans']:,} in the "
          f"report, {results[databases[0]]['flagged']} groups flagged); {args.rounds} of each "
          f"per database in {args.alternations} alternating processes; milliseconds: "
          f"p50 / p95 of the request's time, and the median of its CPU time")
    print("| request | " + " | ".join(f"{d} p50 / p95 | {d} CPU" for d in databases) + " |")
    print("| --- |" + " --- | --- |" * len(databases))
    kinds = [*SERVICE_KINDS, *PAGE_KINDS, API_KIND]
    for kind in kinds:
        cells = []
        for database in databases:
            values = results[database]["times"][kind]
            cells.append(f"{statistics.median(values):.1f} / {p95(values):.1f} | "
                         f"{statistics.median(results[database]['cpu'][kind]):.1f}")
        print(f"| {kind} | " + " | ".join(cells) + " |")
    for step in ("reading the rows", "building the report"):
        print(f"| step: {step} (admin) | " + " | ".join(
            f"{statistics.median(results[d]['split'][step]):.1f} / "
            f"{p95(results[d]['split'][step]):.1f} | " for d in databases) + " |")
    print("| first report of a fresh process (schedules not yet derived) | " + " | ".join(
        f"{statistics.median(results[d]['cold_ms']):.1f} (median of "
        f"{len(results[d]['cold_ms'])}) | " for d in databases) + " |")
    for database in databases:
        peaks = results[database]["peak_mb"]
        print(f"# {database}: peak memory of a measuring process {min(peaks):.0f}-"
              f"{max(peaks):.0f} MB")


if __name__ == "__main__":
    main()

"""Benchmark: the console's plans list and its search with 10,000 envelopes, on SQLite
and PostgreSQL: p50 and p95 per request (issue 16's target: p95 under 100 ms).

It fills a SQLite file and a PostgreSQL database (a private server started for the run,
as the tests start one) through this tree's migrations with the same plans: 10,000
envelopes with three signers each (half archived, a quarter out for signature, some of
those past their deadline, the rest acknowledged, refused, expired or voided), names
built from 20 first names and 25 last names across accents, 12 departments, 40
managers, two years of start dates, and 200 console drafts awaiting approval. By default
every plan belongs to the HR team of the person signed in (``--team-share 1``: the list
counts, filters and sorts all 10,000); a smaller share puts the rest in other teams.
PostgreSQL's copy is analysed, as autovacuum would have it; SQLite's gets no ANALYZE,
as plansign never runs one.

Requests go through the app in-process, with Flask's test client: an HR person of the
team signs in through the sign-in form, then each request is a whole console request
(session check, the access rules, the list's queries, rendering the page) without
HTTP parsing or the network. That is what a person waits on per request, measured one
request at a time; ``plansign serve`` under load is bench_signing_service.py's subject,
and a real server would add its own fixed cost (about a millisecond on this machine)
the same to every kind. Each kind is timed beside the console's floor: a signed-in
page that reads nothing but its person (the account page), so the list's own cost
shows. (The drafts page was that floor while it was a placeholder; now it lists the
newest plans to start from, and is timed as "new plan page".)

The kinds are interleaved, in fresh processes that alternate between the two databases
(``--alternations``), so that the machine's noise falls on both. Each process reports
its peak memory (bench/peakmem.py, ``own_peak_mb``).

With ``--baseline DIR`` (a checkout of an earlier commit) each database is filled
twice, once through each tree's migrations, and the two trees' processes take turns.
``--language fr`` gives the person signed in a language of their own (issue 18), so
that the pages are rendered through that language's catalog and Babel locale.

Usage::

    .venv/bin/python bench/bench_console_plans.py [--envelopes 10000] [--rounds 100] \\
        [--alternations 4] [--databases sqlite postgresql] [--team-share 1.0] \\
        [--baseline DIR] [--language fr]
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
import uuid
from pathlib import Path

# The tree measured: this one, or a baseline checkout's (``--baseline``), which the run
# gives its child processes.
ROOT = Path(os.environ.get("PLANSIGN_BENCH_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

FIRST = ["Léa", "Jürg", "Sofía", "Ángel", "Zoë", "Ivan", "Mia", "Noah", "Aisha", "Chen",
         "Priya", "Olu", "Mateo", "Hana", "Lars", "Fatima", "Tomás", "Ewa", "Kenji", "Amara"]
LAST = ["Brändli", "Baumann", "Castellanos", "Núñez", "O'Neill", "Petrov", "Schulz", "Smith",
        "Khan", "Wang", "Patel", "Adeyemi", "García", "Sato", "Larsen", "Haddad", "Silva",
        "Kowalska", "Tanaka", "Okafor", "Müller", "Dubois", "Rossi", "Novak", "Jensen"]
DEPARTMENTS = ["Customer Care", "Sales", "Engineering", "Finance", "Marketing", "Legal",
               "Operations", "Logistics", "Support", "Research", "People", "Facilities"]
MANAGERS = [f"{FIRST[i % 20]} {LAST[(i * 7) % 25]}-Lead" for i in range(40)]
TEAM = "Bench HR"
PASSWORD = "bench horse battery staple"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
KINDS = {
    "list, first page": "/console/",
    "list refresh (the polled fragment)": "/console/plans/rows",
    "search part of a name": "/console/?q=brand",
    "search full name, accents dropped": "/console/?q=LEA+BRANDLI",
    "out for signature, by deadline": "/console/?state=out_for_signature&sort=deadline",
    "acknowledged (signer states)": "/console/?state=acknowledged",
    "department + manager": f"/console/?department=Sales&manager={MANAGERS[3]}",
    "started in one month": "/console/?from={month_start}&to={month_end}",
    "page 20, by employee name": "/console/?page=20&sort=employee",
    "new plan page (the newest 30 plans to start from)": "/console/drafts/",
    "floor: a signed-in page that reads only its person": "/console/account",
}
# (envelope state, share, employee's signer state, HR's signer state)
MIX = [("archived", .45, "acknowledged", "confirmed"), ("archived", .05, "refused", "confirmed"),
       ("sent", .25, "viewed", "waiting"), ("sealed", .05, "acknowledged", "confirmed"),
       ("completed", .05, "refused", "confirmed"), ("expired", .05, "notified", "waiting"),
       ("voided", .10, "viewed", "waiting")]


# -- filling -------------------------------------------------------------------------


def fill(url: str, count: int, team_share: float, seed: int = 7,
         language: str = "") -> None:
    """``count`` envelopes, their signers and 200 drafts, in bulk (Core inserts); the
    person signed in speaks ``language`` (issue 18; empty: none chosen)."""
    from sqlalchemy import text

    from docgen import sample_plan
    from signing.domain import people, signin
    from signing.domain.models import Document, DraftRow, EnvelopeRow, SignerRow
    from signing.domain.names import searchable
    from signing.services import Services
    from signing.web.app import create_app
    from signing.web.current import services_of

    app = create_app({"instance_path": tempfile.mkdtemp(prefix="plansign-bench-console-"),
                      "database_url": url, "secret_keys": "k" * 40})
    services: Services = services_of(app)
    rng = random.Random(seed)
    # Each envelope keeps its plan as JSON (a few kilobytes), as a real one does: rows
    # that size are what the list's queries must not read.
    plan = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    envelopes, signers, drafts = [], [], []
    states = [m for m in MIX for _ in range(int(m[1] * 100))]
    for index in range(count):
        state, _, employee_state, hr_state = states[index % len(states)]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        created = NOW - dt.timedelta(days=rng.uniform(0, 730) if state != "sent"
                                     else rng.uniform(0, 30))
        mine = rng.random() < team_share
        envelope_id = str(uuid.uuid4())
        envelopes.append({
            "id": envelope_id, "state": state,
            "plan_data": {**plan, "employee": {**plan["employee"], "name": name}},
            "template": "standard", "document_sha256": "0" * 64, "created_at": created,
            "created_by": "apikey:psk_bench", "owner": "apikey:psk_bench",
            "team": TEAM if mine else f"Team {index % 9}",
            "expires_at": created + dt.timedelta(days=14), "employee_name": name,
            "employee_search": searchable(name), "department": rng.choice(DEPARTMENTS),
            "manager_name": rng.choice(MANAGERS), "drafted_by": None})
        for order, (role, signer_state) in enumerate(
                (("manager", "confirmed"), ("employee", employee_state), ("hr", hr_state)), 1):
            signers.append({"id": str(uuid.uuid4()), "envelope_id": envelope_id, "role": role,
                            "name": name if role == "employee" else f"{role} of {name}",
                            "email": f"{role}{index}@example.com", "routing_order": order,
                            "state": signer_state, "nonce": None, "decided_at": None})
    for index in range(200):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        drafts.append({"id": str(uuid.uuid4()), "state": "submitted",
                       "owner": f"person:manager{index % 20}", "team": TEAM, "plan_data": {},
                       "template": None, "employee_name": name,
                       "employee_search": searchable(name), "department": "Sales",
                       "manager_name": MANAGERS[index % 40], "version": 1,
                       "created_at": NOW - dt.timedelta(days=index % 60),
                       "updated_at": NOW - dt.timedelta(days=index % 60)})
    with services.sessions.begin() as session:
        session.add(Document(sha256="0" * 64, content_type="application/pdf", size=4,
                             content=b"%PDF", created_at=NOW))
        session.flush()
        session.execute(EnvelopeRow.__table__.insert(), envelopes)
        session.execute(SignerRow.__table__.insert(), signers)
        session.execute(DraftRow.__table__.insert(), drafts)
        people.create_person(session, username="bench-hr", display_name="Bench HR Person",
                             email="bench-hr@example.com", role="hr", team=TEAM,
                             password_hash=signin.hash_password(PASSWORD), now=NOW,
                             created_by="cli:bench")
        if language:  # the column is older than the setting: a baseline tree ignores it
            session.execute(text("UPDATE people SET language = :language WHERE username = "
                                 "'bench-hr'"), {"language": language})
    if url.startswith("postgresql"):
        with services.engine.connect() as connection:
            connection.exec_driver_sql("COMMIT")
            connection.exec_driver_sql("ANALYZE")


# -- measuring (in a child process) ----------------------------------------------------


def measure(url: str, rounds: int, seed: int) -> dict:
    import re

    from bench import peakmem
    from signing.web.app import create_app

    app = create_app({"instance_path": tempfile.mkdtemp(prefix="plansign-bench-console-"),
                      "database_url": url, "secret_keys": "k" * 40})
    client = app.test_client()
    page = client.get("/console/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    signed = client.post("/console/signin", data={"csrf_token": token, "username": "bench-hr",
                                                  "password": PASSWORD})
    assert signed.status_code == 302, signed.get_data(as_text=True)[:500]
    month = (NOW - dt.timedelta(days=200)).date().replace(day=1)
    paths = {kind: path.format(month_start=month.isoformat(),
                               month_end=(month + dt.timedelta(days=30)).isoformat())
             for kind, path in KINDS.items()}
    for path in paths.values():  # warm: templates compiled, pools open, caches filled
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    times: dict[str, list[float]] = {kind: [] for kind in paths}
    cpu: dict[str, list[float]] = {kind: [] for kind in paths}
    rng = random.Random(seed)
    order = list(paths.items())
    for _ in range(rounds):
        rng.shuffle(order)
        for kind, path in order:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            response.get_data()
            times[kind].append((time.perf_counter() - started) * 1000)
            cpu[kind].append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200
    matches = {kind: _count(client.get(path).get_data(as_text=True))
               for kind, path in paths.items()}
    return {"times": times, "cpu": cpu, "matches": matches, "peak_mb": peakmem.own_peak_mb()}


def _count(page: str) -> str:
    import re

    found = re.search(r'class="plan-count">\s*([^<]*?)\s*</h2>', page)
    return " ".join(found.group(1).split()) if found else "-"


# -- the run -------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def run_child(tree: Path, *arguments: object) -> str:
    done = subprocess.run([sys.executable, __file__, *map(str, arguments)], check=True,
                          capture_output=True, text=True, cwd=tree,
                          env={**os.environ, "PLANSIGN_BENCH_TREE": str(tree)})
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envelopes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=100,
                        help="requests of each kind per database, in all")
    parser.add_argument("--alternations", type=int, default=4)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--team-share", type=float, default=1.0,
                        help="share of the plans in the signed-in person's HR team")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--language", default="",
                        help="the signed-in person's language (issue 18): fr, ar, ...; a "
                             "baseline tree older than the setting shows English")
    parser.add_argument("--baseline", type=Path, help="a checkout to measure beside this one")
    parser.add_argument("--child", choices=["fill", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=11, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "fill":
        fill(args.url, args.envelopes, args.team_share, language=args.language)
        return
    if args.child == "measure":
        print(json.dumps(measure(args.url, args.rounds, args.seed)))
        return

    from testsupport.pgserver import PostgresServer

    trees = {"this tree": Path(__file__).resolve().parent.parent}
    if args.baseline:
        trees = {"baseline": args.baseline.resolve(), **trees}
    work = Path(tempfile.mkdtemp(prefix="plansign-bench-console-"))
    server = PostgresServer() if "postgresql" in args.databases else None
    results: dict = {}
    try:
        urls: dict[tuple[str, str], str] = {}
        if server:
            server.start()
        for database in args.databases:
            for label, tree in trees.items():
                started = time.perf_counter()
                urls[database, label] = (
                    f"sqlite:///{work / f'plans-{len(urls)}.db'}" if database == "sqlite"
                    else server.url(server.create_database()))  # type: ignore[union-attr]
                run_child(tree, "--child", "fill", "--url", urls[database, label],
                          "--envelopes", args.envelopes, "--team-share", args.team_share,
                          "--language", args.language)
                print(f"{database}, {label}: {args.envelopes} envelopes in "
                      f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        per_run = max(1, args.rounds // args.alternations)
        turns = [(database, label) for database in args.databases for label in trees]
        for turn in range(args.alternations):
            for database, label in (turns if turn % 2 == 0 else list(reversed(turns))):
                out = json.loads(run_child(trees[label], "--child", "measure", "--url",
                                           urls[database, label], "--rounds", per_run,
                                           "--seed", 11 + turn))
                key = f"{database} ({label})" if len(trees) > 1 else database
                slot = results.setdefault(key, {"times": {}, "cpu": {}, "peak_mb": [],
                                                "matches": out["matches"]})
                for measure_name in ("times", "cpu"):
                    for kind, values in out.get(measure_name, {}).items():
                        slot[measure_name].setdefault(kind, []).extend(values)
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
    print(f"# {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}; {args.envelopes:,} envelopes ({args.team_share:.0%} in the "
          f"person's team); {args.rounds} requests of each kind per database in "
          f"{args.alternations} alternating processes; the person's language "
          f"{args.language or 'not chosen'}; milliseconds: p50 / p95 of the "
          f"request's time, and the median of its CPU time")
    databases = list(results)
    print("| request | plans found | " + " | ".join(
        f"{d} p50 / p95 | {d} CPU" for d in databases) + " |")
    print("| --- | --- |" + " --- | --- |" * len(databases))
    every: dict[str, list[float]] = {d: [] for d in databases}
    every_cpu: dict[str, list[float]] = {d: [] for d in databases}
    for kind in KINDS:
        cells = []
        for database in databases:
            values = results[database]["times"][kind]
            cpu = results[database]["cpu"].get(kind) or [float("nan")]
            if not kind.startswith("floor"):
                every[database].extend(values)
                every_cpu[database].extend(cpu)
            cells.append(f"{statistics.median(values):.1f} / {p95(values):.1f} | "
                         f"{statistics.median(cpu):.1f}")
        found = results[databases[0]]["matches"].get(kind, "-")
        print(f"| {kind} | {found} | " + " | ".join(cells) + " |")
    print("| **every list request** | | " + " | ".join(
        f"**{statistics.median(every[d]):.1f} / {p95(every[d]):.1f}** | "
        f"**{statistics.median(every_cpu[d]):.1f}**" for d in databases) + " |")
    for database in databases:
        peaks = results[database]["peak_mb"]
        print(f"# {database}: peak memory of a measuring process {min(peaks):.0f}-"
              f"{max(peaks):.0f} MB")


if __name__ == "__main__":
    main()

"""Benchmark: the CPU a signer's page costs, per request, in one thread, against a floor.

Each request goes through the WSGI app in-process (no server, no socket, no other
thread), built as ``plansign serve`` builds it (``create_app(Services(settings))``, the
default settings on a fresh SQLite instance, rate limits as configured by default:
every request comes from its own client address, as many signers' would, so none is
refused). The CPU time of this process (``time.process_time``) over ``--requests``
requests of each kind, divided by their number:

- ``exchange``: ``GET /s/<token>``, the link's token exchanged for a session (303);
- ``page``: ``GET /sign`` with a session, the plan already viewed (its first view, which
  writes ``signer.viewed``, is done untimed), the first showing in the signer's state:
  rendered (200);
- ``page_again``: the same page shown again, nothing changed (a reload, as a load test
  of one page sees it): kept rendered since the issue 15 work;
- ``acknowledge``: ``POST /sign/acknowledge`` with the page's CSRF token (state, audit
  records and outbox rows in one transaction, then 303), one signer each.

each for the example plan (``examples/support-agent-30d.yaml``, three goals) and for the
same plan with 30 goals, in a fresh process per variant: this checkout, a baseline
checkout (``--baseline``, e.g. a worktree of main) and the floor app
(``floor_app.py``: session cookie, CSRF token, one primary-key SELECT through SQLAlchemy
Core, a small Jinja template). Variants alternate, round after round, in a rotating
order; the report gives medians over the rounds, ratios to the floor and to the
baseline, and each process's peak memory (``peakmem.own_peak_mb``).

Usage::

    .venv/bin/python bench/bench_sign_page_cpu.py --baseline /work/wt-page-base \\
        [--rounds 5] [--requests 300] [--database-url postgresql+psycopg://...]
    .venv/bin/python bench/bench_sign_page_cpu.py --profile page   # cProfile, this checkout
    .venv/bin/python bench/bench_sign_page_cpu.py --db postgresql --profile acknowledge
    .venv/bin/python bench/bench_sign_page_cpu.py --db postgresql --trips  # [--root DIR]
    .venv/bin/python bench/bench_sign_page_cpu.py --db postgresql --only acknowledge \\
        [--wall] [--root DIR]   # one kind of request, CPU (or wall time) per request

``--trips`` counts the statements PostgreSQL receives per request of each kind (its
``log_statement = all``: one line per simple query or extended-protocol execute, so one
per round trip), the rate limiter's and the pool's included, and shows one request's.

Both variants run with the interpreter that runs this script (one virtual environment),
each with its own checkout first on ``sys.path``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OPERATIONS = ("exchange", "page", "page_again", "acknowledge")
PLANS = ("example", "goals30")
EXAMPLE_PLAN = "examples/support-agent-30d.yaml"
WARM_UP = 10


# -- driving a WSGI app without a server ------------------------------------------------


class Wsgi:
    """Requests straight into ``app``; each from its own client address (so the rate
    limits, kept as configured, never refuse one), with the cookie it is given."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.address = 0

    def environ(self, method: str, path: str, cookie: str = "",
                form: dict[str, str] | None = None) -> dict[str, Any]:
        self.address += 1
        body = urlencode(form).encode() if form is not None else b""
        environ = {
            "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path,
            "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1:8000",
            "REMOTE_ADDR": f"10.{self.address >> 16 & 255}.{self.address >> 8 & 255}."
                           f"{self.address & 255}",
            "HTTP_USER_AGENT": "Mozilla/5.0 (bench) Firefox/130.0",
            "HTTP_ACCEPT": "text/html", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(body), "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
        }
        if cookie:
            environ["HTTP_COOKIE"] = cookie
        if form is not None:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["CONTENT_LENGTH"] = str(len(body))
        return environ

    def call(self, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], _exc: Any = None) -> None:
            answer["status"], answer["headers"] = int(status[:3]), dict(headers)

        chunks = self.app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return answer["status"], answer["headers"], body


def cookie_of(headers: dict[str, str]) -> str:
    return headers["Set-Cookie"].split(";", 1)[0]


# What ``timed`` reads: this process's CPU, or with ``--only ... --wall`` the wall clock (a
# request's whole time in one thread, its waits for the database's answers included).
CLOCK = [time.process_time]


def timed(wsgi: Wsgi, environs: list[dict[str, Any]], expect: int) -> float:
    """CPU seconds per request over ``environs`` (built beforehand, so only the app's
    work is counted)."""
    clock = CLOCK[0]
    start = clock()
    for environ in environs:
        status, _, _ = wsgi.call(environ)
        if status != expect:
            raise SystemExit(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}: "
                             f"{status}, expected {expect}")
    return (clock() - start) / len(environs)


# -- one variant, in its own process ----------------------------------------------------


def plan_data(goals: int) -> dict[str, Any]:
    from docgen import load_plan_data

    data: dict[str, Any] = load_plan_data(ROOT / EXAMPLE_PLAN)
    given = data["goals"]
    data["goals"] = [{**given[i % len(given)],
                      "statement": f"{given[i % len(given)]['statement']} ({i + 1})"}
                     for i in range(goals)] if goals else given
    return data


def plansign_app(database_url: str, instance: Path) -> tuple[Any, Any]:
    """The app as ``plansign serve`` builds it, and its services."""
    from config import load_settings
    from signing.services import Services
    from signing.web.app import create_app

    env = {"PLANSIGN_INSTANCE_PATH": str(instance), "PLANSIGN_SECRET_KEYS": "k" * 40}
    if database_url:
        env["PLANSIGN_DATABASE_URL"] = database_url
    services = Services(load_settings(env))
    return create_app(services), services


def sent_employees(services: Any, data: dict[str, Any], count: int) -> list[str]:
    """``count`` envelopes of the plan, sent with the default routing and confirmed by
    the manager: each employee's link token."""
    import datetime as dt

    from docgen import plan_from_data
    from signing.domain import envelopes as svc
    from signing.domain.sending import signer_specs
    from signing.domain.wording import consent_for, statement_for

    plan = plan_from_data(data)
    now, hr, tokens = dt.datetime.now(dt.UTC), svc.Actor("hr:bench"), []
    with services.sessions.begin() as session:
        for _ in range(count):
            envelope_id = svc.create_envelope(
                session, plan_data=data, template="standard", pdf=b"%PDF-1.7 bench",
                signers=signer_specs(plan), actor=hr, now=now)
            svc.perform(session, envelope_id, "send", actor=hr, now=now,
                        expires_in=dt.timedelta(days=14))
            signers = {s.role: s for s in svc.load(session, envelope_id).signers}
            manager = signers["manager"]
            svc.perform(session, envelope_id, "confirm", signer_id=manager.id,
                        typed_name=plan.manager.name, consent=True,
                        statement=statement_for("manager"), consent_text=consent_for("manager"),
                        actor=svc.Actor(f"signer:{manager.id}"), now=now)
            employee = svc.load(session, envelope_id).signers
            employee_row = next(s for s in employee if s.role == "employee")
            tokens.append(services.links.sign(employee_row.id, employee_row.nonce))
    return tokens


def csrf_of(page: bytes) -> str:
    import re

    found = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1).decode()


def measure_plansign(requests: int, database_url: str, plans: Iterable[str],
                     profile: str | None = None,
                     operations: Iterable[str] = OPERATIONS,
                     statements: Callable[[], list[str]] | None = None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-page-") as folder:
        app, services = plansign_app(database_url, Path(folder))
        wsgi, results = Wsgi(app), {}
        for plan in plans:
            data = plan_data(30 if plan == "goals30" else 0)
            # WARM_UP more signers than measured: their requests go first, untimed, so
            # every statement is compiled and every template loaded before timing.
            tokens = sent_employees(services, data, requests + WARM_UP)
            # Each signer's session, its first view (signer.viewed) done, untimed.
            exchanges = [wsgi.environ("GET", f"/s/{token}") for token in tokens]
            cookies = []
            for environ in exchanges:
                status, headers, _ = wsgi.call(environ)
                assert status == 303, status
                cookies.append(cookie_of(headers))
            forms = []
            for index, cookie in enumerate(cookies):
                status, headers, body = wsgi.call(wsgi.environ("GET", "/sign", cookie))
                assert status == 200, status
                cookies[index] = cookie_of(headers) if "Set-Cookie" in headers else cookie
                forms.append({"csrf_token": csrf_of(body), "typed_name": data["employee"]["name"],
                              "consent": "on", "timezone": "Europe/Paris"})
            def runs(first: int, last: int, tokens: list[str] = tokens,
                     cookies: list[str] = cookies, forms: list[dict[str, str]] = forms
                     ) -> dict[str, Callable[[], float]]:
                return {
                    "exchange": lambda: timed(wsgi, [wsgi.environ("GET", f"/s/{t}")
                                                     for t in tokens[first:last]], 303),
                    "page": lambda: timed(wsgi, [wsgi.environ("GET", "/sign", c)
                                                 for c in cookies[first:last]], 200),
                    "page_again": lambda: timed(wsgi, [wsgi.environ("GET", "/sign", c)
                                                       for c in cookies[first:last]], 200),
                    "acknowledge": lambda: timed(wsgi, [
                        wsgi.environ("POST", "/sign/acknowledge", c, f)
                        for c, f in zip(cookies[first:last], forms[first:last],
                                        strict=True)], 303),
                }
            for operation in OPERATIONS:
                runs(0, WARM_UP)[operation]()
            measured = runs(WARM_UP, WARM_UP + requests)
            if profile:  # what comes before it first, as in a measured run
                for operation in OPERATIONS[:OPERATIONS.index(profile)]:
                    measured[operation]()
                return {"profiled": run_profiled(measured[profile], plan, profile)}
            if statements is not None:
                return count_trips(measured, statements, requests)
            for operation in operations:
                results[f"{plan}.{operation}"] = measured[operation]()
        services.close()
    return results


def measure_floor(requests: int) -> dict[str, float]:
    sys.path.insert(0, str(HERE))
    from floor_app import ROWS, create_floor_app

    with tempfile.TemporaryDirectory(prefix="bench-floor-") as folder:
        app = create_floor_app(f"sqlite:///{folder}/floor.db")
        wsgi = Wsgi(app)
        people = [i % ROWS for i in range(requests)]
        cookies, forms = [], []
        for person in people:
            _, headers, _ = wsgi.call(wsgi.environ("GET", f"/enter/{person}"))
            cookies.append(cookie_of(headers))
        for index, cookie in enumerate(cookies):  # the first view puts the CSRF token in it
            _, headers, body = wsgi.call(wsgi.environ("GET", "/", cookie))
            cookies[index] = cookie_of(headers) if "Set-Cookie" in headers else cookie
            forms.append({"csrf_token": csrf_of(body), "typed_name": "Person"})
        return {
            "exchange": timed(wsgi, [wsgi.environ("GET", f"/enter/{p}") for p in people], 303),
            "page": timed(wsgi, [wsgi.environ("GET", "/", c) for c in cookies], 200),
            "page_again": timed(wsgi, [wsgi.environ("GET", "/", c) for c in cookies], 200),
            "acknowledge": timed(wsgi, [wsgi.environ("POST", "/", c, f)
                                        for c, f in zip(cookies, forms, strict=True)], 303),
        }


# Where a request's time goes, by the entry points of its parts (cumulative times, none
# inside another); the rest is Flask, Werkzeug and the WSGI round trip.
PARTS = (
    ("session cookie (read, and written when due)",
     [("sessioncookie.py", "open_session"), ("sessions.py", "save_session")]),
    ("rate limits (Flask-Limiter)", [("_extension.py", "_check_request_limit")]),
    ("CSRF check of a posted form", [("csrf.py", "protect")]),
    ("link token check", [("links.py", "unsign")]),
    ("database reads (connection, statements)",
     [("webdb.py", "reading"), ("pagedata.py", "envelope_of_signer"),
      ("pagedata.py", "own_words"), ("pagedata.py", "nonce_of"), ("pagedata.py", "plan_data"),
      ("webdb.py", "session"), ("pages.py", "_signer"), ("pages.py", "_my_record")]),
    ("write transaction (envelopes.perform, commit)",
     [("webdb.py", "transaction"), ("envelopes.py", "perform")]),
    ("plan parsed, summary rendered (cache misses)",
     [("pages.py", "_plan_of")]),
    ("page cache: key, fill (CSRF token, submission id)",
     [("pagecache.py", "key_of"), ("pagecache.py", "fill")]),
    ("template rendering (Jinja)", [("templating.py", "render_template")]),
    ("response headers (security, cookie)", [("app.py", "_security_headers")]),
)


def run_profiled(run: Callable[[], float], plan: str, operation: str) -> float:
    """``run`` under cProfile (CPU time); prints where the time went, by part of the
    request, then the functions by cumulative time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)  # CPU, not waits for other threads
    profiler.enable()
    seconds = run()
    profiler.disable()
    stats = pstats.Stats(profiler)
    table = stats.stats  # type: ignore[attr-defined]
    [(_, _, _, total, _)] = [row for (path, _, name), row in table.items()
                             if name == "timed" and path.endswith("bench_sign_page_cpu.py")]
    print(f"cProfile of {operation}, {plan} plan: {seconds * 1000:.2f} ms/request under the "
          f"profiler (which inflates call-heavy code); share of the request:", file=sys.stderr)
    counted = 0.0
    for label, entries in PARTS:
        cumulative = sum(row[3] for (path, _, name), row in table.items()
                         if (Path(path).name, name) in entries)
        counted += cumulative
        if cumulative:
            print(f"  {label:<52} {cumulative / total:6.1%}", file=sys.stderr)
    print(f"  {'Flask, Werkzeug, WSGI and the rest':<52} {1 - counted / total:6.1%}",
          file=sys.stderr)
    stats.sort_stats("cumulative").print_stats(40)
    return seconds


def count_trips(measured: dict[str, Callable[[], float]], statements: Callable[[], list[str]],
                requests: int) -> dict[str, float]:
    """Runs each request kind in turn (as a measured run does), and prints the statements
    the server logged per request, and the last request's."""
    results = {}
    for operation in OPERATIONS:
        statements()  # what came before
        measured[operation]()
        logged = statements()
        results[operation] = len(logged) / requests
        print(f"{operation}: {len(logged) / requests:.2f} statements (round trips) per "
              f"request; the last request's:", file=sys.stderr)
        for line in logged[-round(len(logged) / requests):]:
            print(f"    {line[:150]}", file=sys.stderr)
    return results


def logged_statements(log: Path) -> Callable[[], list[str]]:
    """The statements PostgreSQL has logged since the last call (log_statement = all)."""
    import re

    where = {"offset": log.stat().st_size}
    pattern = re.compile(r"LOG:  ((?:statement|execute [^:]*): .*)")

    def since() -> list[str]:
        time.sleep(0.2)  # the server writes its log as it goes
        with log.open("rb") as file:
            file.seek(where["offset"])
            text = file.read()
        where["offset"] += len(text)
        return [m.group(1) for m in pattern.finditer(text.decode(errors="replace"))]

    return since


def child(args: argparse.Namespace) -> None:
    sys.path.insert(0, args.root)
    sys.path.insert(1, str(ROOT))  # bench's own helpers (peakmem)
    from bench.peakmem import own_peak_mb

    if args.child == "floor":
        results = measure_floor(args.requests)
    else:
        import signing

        assert Path(signing.__file__).resolve().is_relative_to(Path(args.root).resolve()), \
            f"signing comes from {signing.__file__}, not {args.root}"
        results = measure_plansign(args.requests, args.database_url, args.plans.split(","))
    results["peak_mb"] = own_peak_mb()
    print(json.dumps(results))


# -- the driver -------------------------------------------------------------------------


def run_child(name: str, root: Path, args: argparse.Namespace,
              plans: list[str]) -> dict[str, float]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name,
               "--root", str(root), "--requests", str(args.requests),
               "--plans", ",".join(plans)]
    database_url = args.new_database() if name != "floor" else ""
    if database_url:
        command += ["--database-url", database_url]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANSIGN_")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-4000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(runs: dict[str, list[dict[str, float]]], has_baseline: bool) -> None:
    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    floor = {op: median("floor", op) for op in OPERATIONS}
    print(f"\nCPU per request, median of {len(runs['floor'])} rounds (ms); nproc "
          f"{os.cpu_count()}")
    head = "| request | plan | floor | " + ("main | " if has_baseline else "") + \
        "this | this/floor | " + ("main/floor | this/main |" if has_baseline else "")
    print(head)
    print("|" + " --- |" * (head.count("|") - 1))
    for plan in PLANS:
        for op in OPERATIONS:
            key = f"{plan}.{op}"
            this = median("this", key)
            row = f"| {op} | {plan} | {floor[op] * 1000:.3f} | "
            if has_baseline:
                base = median("main", key)
                row += f"{base * 1000:.3f} | {this * 1000:.3f} | {this / floor[op]:.2f}x | " \
                       f"{base / floor[op]:.2f}x | {this / base:.2f} |"
            else:
                row += f"{this * 1000:.3f} | {this / floor[op]:.2f}x |"
            print(row)
    print("\npeak memory (MB, median): " + ", ".join(
        f"{name} {median(name, 'peak_mb'):.0f}" for name in runs))
    print("\nspread (min-max ms per round), page, example plan: " + ", ".join(
        f"{name} {min(r[k] for r in runs[name]) * 1000:.3f}-"
        f"{max(r[k] for r in runs[name]) * 1000:.3f}"
        for name in runs if name != "floor" for k in ["example.page"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="a checkout to compare with (main)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default="",
                        help="a database for plansign (default: SQLite in the instance)")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite",
                        help="postgresql: start a private PostgreSQL server (fsync on) and "
                             "give each run of plansign a fresh database on it")
    parser.add_argument("--profile", choices=OPERATIONS,
                        help="profile one request kind of this checkout, example plan")
    parser.add_argument("--plan", choices=PLANS, default="example", help="with --profile")
    parser.add_argument("--trips", action="store_true",
                        help="with --db postgresql: statements (round trips) per request of "
                             "each kind, example plan, this checkout (or --root)")
    parser.add_argument("--only", choices=OPERATIONS,
                        help="measure one request kind of this checkout, example plan, "
                             "--rounds times in this process (no profiler): a quick check")
    parser.add_argument("--wall", action="store_true",
                        help="with --only: wall time per request (waits for the database "
                             "included), not CPU")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--plans", default=",".join(PLANS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if args.db == "postgresql" and not args.database_url:
        sys.path.insert(0, str(ROOT))
        from testsupport.pgserver import PostgresServer

        settings = {"fsync": "on", "synchronous_commit": "on"}
        if args.trips:
            settings["log_statement"] = "all"
        with PostgresServer(settings=settings) as server:
            args.new_database = lambda: server.url(server.create_database())
            if args.trips:
                assert server.directory is not None
                sys.path.insert(0, args.root or str(ROOT))
                measure_plansign(args.requests, args.new_database(), ["example"],
                                 statements=logged_statements(server.directory / "server.log"))
                return
            drive(args)
        return
    args.new_database = lambda: args.database_url
    drive(args)


def drive(args: argparse.Namespace) -> None:
    if args.only:  # with --root, another checkout's (e.g. the baseline's)
        sys.path.insert(0, args.root or str(ROOT))
        if args.wall:
            CLOCK[0] = time.perf_counter
        seconds = [measure_plansign(args.requests, args.new_database(), [args.plan],
                                    operations=[args.only])[f"{args.plan}.{args.only}"]
                   for _ in range(args.rounds)]
        print(f"{args.only}: " + ", ".join(f"{s * 1000:.3f}" for s in seconds)
              + f" ms of {'wall time' if args.wall else 'CPU'} per request; median "
              f"{statistics.median(seconds) * 1000:.3f}")
        return
    if args.profile:
        sys.path.insert(0, str(ROOT))
        measure_plansign(args.requests, args.new_database(), [args.plan], profile=args.profile)
        return
    variants: dict[str, Path] = {"floor": ROOT, "this": ROOT}
    if args.baseline:
        variants["main"] = args.baseline.resolve()
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    names = list(variants)
    for round_ in range(args.rounds):
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in order:
            # Each plan first in every other round: a process's later work finds more
            # garbage to collect and fuller caches.
            plans = list(PLANS) if round_ % 2 == 0 else list(reversed(PLANS))
            runs[name].append(run_child(name, variants[name], args, plans))
        pages = {name: runs[name][-1]["example.page" if name != "floor" else "page"]
                 for name in names}
        print(f"round {round_ + 1}, page ms: " + ", ".join(
            f"{name} {ms * 1000:.3f}" for name, ms in pages.items()), file=sys.stderr, flush=True)
    report(runs, "main" in runs)


if __name__ == "__main__":
    main()

"""Where the signer's page's tail comes from: `plansign serve` and the floor app, each
run under bench/tailtrace.py (every request's time split into the server's queue, the
session, the database, the render, GIL waits and garbage collection), driven by wrk as
bench_signing_service.py does (50 connections, PostgreSQL by default), alternating.

It prints wrk's p50/p99 beside the server's own, the split of the median request and
of the slowest 1% (by time in the server), and the garbage collections seen.

Usage: ``.venv/bin/python bench/bench_page_tail.py [--db postgresql|sqlite] [--rounds 2]
[--seconds 5] [--workers 2] [--threads 4] [--apps page,base,floor] [--baseline DIR]
[--env NAME=VALUE ...]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_signing_service import (  # noqa: E402
    FLOOR_ROWS,
    LIMITS,
    database,
    fetch,
    make_signers,
    run_wrk,
    signer_session,
    started,
    wrk_script,
)
from bench.webapps import make_floor_rows  # noqa: E402
from testsupport.net import free_port  # noqa: E402

PARTS = ["read", "queue", "pre", "open", "before", "view", "db_connect", "db_exec", "render",
         "after", "write", "rl_wait", "rl_hold", "gil_or_wait", "finish", "gc"]


def split(record: dict[str, float], pauses: list[tuple[float, float, int]]) -> dict[str, float]:
    """One request's parts, in ms (see bench/tailtrace.py)."""
    ms = 1000.0

    def span(a: str, b: str) -> float:
        return (record[b] - record[a]) * ms if a in record and b in record else 0.0
    app = span("app0", "app1")
    cpu = (record.get("cpu1", 0) - record.get("cpu0", 0)) * ms
    db = record.get("db_exec", 0.0) * ms + record.get("db_connect", 0.0) * ms
    start, end = record["wake"], record["finish"]
    gc_ms = sum(max(0.0, min(e, end) - max(s, start)) for s, e, _ in pauses) * ms
    return {
        "total": (end - start) * ms,
        "server": span("wake", "end"),
        "read": span("wake", "submit"), "queue": span("submit", "start"),
        "pre": span("start", "app0"), "open": span("app0", "opened"),
        "before": span("before0", "before1"), "view": span("view0", "view1"),
        "db_connect": record.get("db_connect", 0.0) * ms,
        "db_exec": record.get("db_exec", 0.0) * ms,
        "render": span("render0", "render1"),
        "after": span("view1", "app1"), "write": span("app1", "end"),
        "finish": span("end", "finish"), "cpu": cpu,
        "rl_wait": record.get("rl_wait", 0.0) * ms, "rl_hold": record.get("rl_hold", 0.0) * ms,
        "gil_or_wait": max(0.0, app - cpu - db), "gc": gc_ms,
    }


def load(folder: Path, since: float,
         path: str) -> tuple[list[dict[str, float]], list[tuple[float, float, int]]]:
    """The requests for ``path`` from ``since`` on (perf_counter: one clock for every
    process), and the collections from then on."""
    rows, gcs = [], []
    for trace in folder.glob("*.jsonl"):
        lines = [json.loads(line) for line in trace.read_text().splitlines()]
        pauses = [tuple(p) for p in lines[-1]["gc"]] if lines and "gc" in lines[-1] else []
        gcs += [p for p in pauses if p[0] >= since]
        rows += [split(r, pauses) for r in lines
                 if "finish" in r and r["wake"] >= since and r.get("path") == path]
    return rows, gcs


def describe(name: str, rows: list[dict[str, float]], gcs: list[tuple[float, float, int]],
             wrk: list[dict[str, float]]) -> None:
    rows.sort(key=lambda r: r["total"])
    tail = rows[int(len(rows) * 0.99):]
    middle = rows[len(rows) // 2]

    def q(key: str, fraction: float) -> float:
        values = sorted(r[key] for r in rows)
        return values[min(len(values) - 1, int(len(values) * fraction))]
    print(f"\n## {name}: {len(rows)} requests traced; wrk p50 "
          f"{statistics.median(w['p50'] for w in wrk):.0f} ms, p99 "
          + ", ".join(f"{w['p99']:.0f}" for w in wrk) + " ms, "
          + ", ".join(f"{w['rps']:.0f}" for w in wrk) + " req/s; in the server p50 "
          f"{q('total', 0.5):.1f} ms, p99 {q('total', 0.99):.1f} ms")
    print("| part | median request | p99 of the part | mean over the slowest 1% |")
    print("| --- | --- | --- | --- |")
    for part in ["total", *PARTS, "cpu"]:
        print(f"| {part} | {middle[part]:.2f} | {q(part, 0.99):.2f} | "
              f"{statistics.mean(r[part] for r in tail):.2f} |")
    by_gen: dict[int, list[float]] = {}
    for s, e, generation in gcs:
        by_gen.setdefault(generation, []).append((e - s) * 1000)
    print("garbage collections: " + "; ".join(
        f"generation {g}: {len(v)}, median {statistics.median(v):.2f} ms, max {max(v):.2f} ms"
        for g, v in sorted(by_gen.items())))
    print(f"slowest 1% with any GC pause: {sum(1 for r in tail if r['gc'] > 0)} of {len(tail)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--apps", default="page,floor",
                        help="page (this checkout's), base (--baseline's page), floor")
    parser.add_argument("--baseline", type=Path, help="another checkout (main)")
    parser.add_argument("--env", action="append", default=[],
                        help="NAME=VALUE for both servers (e.g. PLANSIGN_SERVE_GC_FREEZE=false)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plansign-bench-tail-"))
    (work / "instance").mkdir()
    apps = args.apps.split(",")
    with database(args.db, work) as url:
        env = {"PLANSIGN_INSTANCE_PATH": str(work / "instance"),
               "PLANSIGN_SECRET_KEYS": "k" * 40, "PLANSIGN_DATABASE_URL": url, **LIMITS}
        tokens = make_signers(env, args.sessions)
        make_floor_rows(url, FLOOR_ROWS)
        extra = dict(item.split("=", 1) for item in args.env)
        results: dict[str, list[dict[str, float]]] = {app: [] for app in apps}
        with contextlib.ExitStack() as stack:
            targets: dict[str, tuple[int, int, Path]] = {}
            for app in apps:
                port, traces = free_port(), work / f"trace-{app}"
                traces.mkdir()
                tree = args.baseline.resolve() if app == "base" else ROOT
                child_env = {**os.environ, **env, **extra, "PYTHONPATH": str(tree),
                             "TAILTRACE_DIR": str(traces), "TAILTRACE_ROOT": str(tree)}
                what = "floor" if app == "floor" else "serve"
                command = [sys.executable, str(ROOT / "bench" / "tailtrace.py"), what,
                           "--port", str(port), "--workers", str(args.workers),
                           "--threads", str(args.threads)]
                if app == "floor":
                    command += ["--server", "gunicorn", "--database-url", url]
                    if extra.get("PLANSIGN_SERVE_GC_FREEZE") == "false":
                        command.append("--no-gc-freeze")
                    if extra.get("PLANSIGN_SERVE_SWITCH_INTERVAL_US"):
                        command += ["--switch-interval-us",
                                    extra["PLANSIGN_SERVE_SWITCH_INTERVAL_US"]]
                process = stack.enter_context(started(command, child_env, port,
                                                      work / f"{app}.log", tree))
                with ThreadPoolExecutor(8) as pool:
                    if app != "floor":
                        cookies = list(pool.map(lambda t, p=port: signer_session(p, t)[0],
                                                tokens))
                        script = wrk_script(work, app, [("GET", "/sign", c, "")
                                                        for c in cookies])
                    else:
                        cookies = list(pool.map(
                            lambda i, p=port: fetch(p, "GET", f"/floor/start/{i}")[2],
                            range(args.sessions)))
                        script = wrk_script(work, app, [("GET", "/floor", c, "")
                                                        for c in cookies])
                run_wrk(port, script, args.clients, 2, process.pid)  # warm up (traced too)
                targets[app] = (port, process.pid, script)
            measured_from = time.perf_counter()  # the warm-up and sessions' first views left out
            for round_number in range(args.rounds):
                order = apps if round_number % 2 == 0 else list(reversed(apps))
                for app in order:
                    port, pid, script = targets[app]
                    results[app].append(run_wrk(port, script, args.clients, args.seconds, pid))
                print(f"# round {round_number + 1}: " + ", ".join(
                    f"{a} {r[-1]['rps']:.0f}/s p99 {r[-1]['p99']:.0f} ms"
                    for a, r in results.items()) + f"; load {os.getloadavg()[0]:.1f}",
                    file=sys.stderr, flush=True)
        # The servers have stopped: each worker wrote its trace as it exited.
        print(f"# {os.cpu_count()} CPUs, {args.db}, {args.workers}x{args.threads}, wrk "
              f"{args.clients} connections, {args.rounds} rounds of {args.seconds:g} s "
              f"(plus a 2 s warm-up, traced too); extra settings {extra or 'none'}; load "
              f"average at the end {os.getloadavg()[0]:.1f}")
        for app in apps:
            rows, gcs = load(work / f"trace-{app}", measured_from,
                             "/floor" if app == "floor" else "/sign")
            describe(app, rows, gcs, results[app])


if __name__ == "__main__":
    main()

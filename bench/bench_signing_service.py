"""Benchmark: the signer's page, the token exchange and the acknowledge POST under load,
side by side with a floor app and a hello app on the same server, processes and threads.

In one run, in alternating rounds, driven by wrk (``apt-get install wrk``; C, so the
client is not the bottleneck) with ``--clients`` connections on 127.0.0.1:

- hello: ``GET /`` of a Flask app that returns "hello" (bench/webapps.py);
- floor: ``GET /floor`` of a Flask app with the same session cookie, a CSRF token, one
  primary-key SELECT through SQLAlchemy Core and a small Jinja template (bench/webapps.py);
- page: ``GET /sign`` with each signer's session (after their first view);
- token exchange: ``GET /s/<token>`` (token checked, nonce read, session started, 303);
- acknowledge: ``POST /sign/acknowledge`` with each signer's session and CSRF token,
  every signer once.

It reports requests/s, p50 and p99 latency, the server's CPU per request (its whole
process tree, from /proc) and the peak memory of `plansign serve`'s process tree
(bench/peakmem.py). The rate limits are on, at limits no run reaches, so their cost is
counted.

``--root DIR`` serves plansign from another checkout (the baseline): if it has no
``signing/web/server.py`` it is served the way that version did (waitress, one
process, 8 threads), and so are the floor and hello apps.

``--baseline DIR`` serves plansign from DIR (main) beside this checkout, each on its own
database with the same workers and threads, and drives them in turn in every round
(``--ops page,token,ack``, and ``floor``: the floor app served beside them, first or
last in each round): their ratios (to each other, and to the floor app's requests/s in
the same round) and CPU per request. ``--configs`` serves the
signer's page and the floor app under several serving configurations (workers x
threads, switch interval, gc.freeze, connection balancing), alternating per round, and
reports p99 by round and how wrk's connections were shared out between the processes.

Usage: ``.venv/bin/python bench/bench_signing_service.py [--db sqlite|postgresql]
[--rounds 3] [--seconds 8] [--root DIR | --baseline DIR | --configs 2x4,2x8,...]
[--ops hello,floor,page,token,ack]``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import inspect
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peakmem import TreePeak, tree  # noqa: E402
from bench.webapps import make_floor_rows  # noqa: E402
from config import load_settings  # noqa: E402
from docgen import sample_plan  # noqa: E402
from signing.domain import envelopes as svc  # noqa: E402
from signing.domain import workflow as wf  # noqa: E402
from signing.services import Services  # noqa: E402
from testsupport.net import free_port  # noqa: E402
from testsupport.pgserver import PostgresServer  # noqa: E402

DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
# Counted on every request as in production, never reached.
LIMITS = {f"PLANSIGN_RATE_LIMIT_{name}": "100000000 per minute"
          for name in ("SIGNER", "SIGNER_STRICT", "API", "REFUSED")}
FLOOR_ROWS = 1000


def make_signers(env: dict[str, str], count: int) -> list[str]:
    """``count`` sent single-signer envelopes; returns each signer's link token."""
    services = Services(load_settings(env))
    sessions, links = services.sessions, services.links
    plan = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    now, tokens = dt.datetime.now(dt.UTC), []
    with sessions.begin() as session:
        for i in range(count):
            envelope_id = svc.create_envelope(
                session, plan_data=plan, template="standard", pdf=b"%PDF-1.7 bench",
                signers=[svc.SignerSpec(wf.Role.EMPLOYEE, f"Signer {i}", f"s{i}@example.com",
                                        1)], actor=svc.Actor("bench"), now=now)
            svc.perform(session, envelope_id, "send", actor=svc.Actor("bench"), now=now,
                        expires_in=dt.timedelta(days=14))
            signer = svc.load(session, envelope_id).signers[0]
            tokens.append(links.sign(signer.id, signer.nonce))
    services.close()
    return tokens


def make_signers_in(root: Path, env: dict[str, str], count: int) -> list[str]:
    """:func:`make_signers` run by ``root``'s code, so that the database has the schema
    (migrations) of the tree that serves it."""
    if root.resolve() == ROOT.resolve():
        return make_signers(env, count)
    code = ("import sys, json, datetime as dt\nsys.path.insert(0, sys.argv[1])\n"
            "from config import load_settings\nfrom docgen import sample_plan\n"
            "from signing.domain import envelopes as svc\n"
            "from signing.domain import workflow as wf\n"
            "from signing.services import Services\n" + inspect.getsource(make_signers)
            + "\nprint(json.dumps(make_signers(json.loads(sys.argv[2]), int(sys.argv[3]))))")
    done = subprocess.run([sys.executable, "-c", code, str(root), json.dumps(env), str(count)],
                          capture_output=True, text=True, check=True, cwd=root)
    tokens: list[str] = json.loads(done.stdout.splitlines()[-1])
    return tokens


def wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server exited:\n{log.read_text()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port}:\n{log.read_text()}")


def fetch(port: int, method: str, path: str, cookie: str = "",
          body: str | None = None) -> tuple[int, str, str]:
    """One request on a new connection: status, body, the session cookie it set (or
    ``cookie``)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    set_cookie = response.getheader("Set-Cookie")
    connection.close()
    return response.status, text, set_cookie.split(";", 1)[0] if set_cookie else cookie


def signer_session(port: int, token: str) -> tuple[str, str]:
    """Open a signer's link and their page once (the first view, which writes): their
    session cookie and the page's CSRF token."""
    status, _, cookie = fetch(port, "GET", f"/s/{token}")
    assert status == 303, status
    status, page, cookie = fetch(port, "GET", "/sign", cookie)
    assert status == 200, status
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return cookie, match.group(1)


# -- wrk ------------------------------------------------------------------------------------


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_script(folder: Path, name: str, requests: list[tuple[str, str, str, str]]) -> Path:
    """A wrk script sending ``requests`` (method, path, cookie, body) in turn, each of
    wrk's threads its own share of them, and counting answers other than 2xx and 303."""
    rows = ",\n".join("{" + ", ".join(lua_string(v) for v in request) + "}"
                      for request in requests)
    script = folder / f"{name}.lua"
    script.write_text(f"""
local all = {{
{rows}
}}
local counter = 0
local threads = {{}}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
local mine, next_one = {{}}, 1
unexpected, reused = 0, 0
function init(args)
  for i = 1 + id, #all, {WRK_THREADS} do table.insert(mine, all[i]) end
  if #mine == 0 then mine = all end
end
function request()
  if next_one > #mine then next_one = 1; reused = reused + 1 end
  local r = mine[next_one]
  next_one = next_one + 1
  local headers = {{}}
  if r[3] ~= "" then headers["Cookie"] = r[3] end
  if r[4] ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  return wrk.format(r[1], r[2], headers, r[4] ~= "" and r[4] or nil)
end
function response(status, headers, body)
  if status ~= 200 and status ~= 303 then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local bad, wrapped = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    wrapped = wrapped + thread:get("reused")
  end
  io.write(string.format("UNEXPECTED %d\\nREUSED %d\\n", bad, wrapped))
end
""", encoding="utf-8")
    return script


WRK_THREADS = 2


def run_wrk(port: int, script: Path, clients: int, seconds: float,
            server_pid: int) -> dict[str, float]:
    before, each_before = tree_cpu(server_pid), member_cpu(server_pid)
    idle_sockets = member_sockets(server_pid)
    wrk = subprocess.Popen(
        ["wrk", f"-t{WRK_THREADS}", f"-c{clients}", f"-d{seconds:g}s", "--latency",
         "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}/"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # How wrk's connections were shared out between the processes, a moment in (they
    # are kept alive: each stays with the process that accepted it).
    time.sleep(min(1.0, seconds / 2))
    held = {pid: max(0, count - idle_sockets.get(pid, 0))
            for pid, count in member_sockets(server_pid).items()}
    out_text, err_text = wrk.communicate()
    if wrk.returncode != 0:
        raise SystemExit(f"wrk failed: {err_text}")
    done = subprocess.CompletedProcess(wrk.args, wrk.returncode, out_text, err_text)
    cpu = tree_cpu(server_pid) - before
    each = {pid: used - each_before.get(pid, 0.0)
            for pid, used in member_cpu(server_pid).items()}
    out = done.stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": latency_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "unexpected": int(re.search(r"UNEXPECTED (\d+)", out).group(1)),
        "reused": int(re.search(r"REUSED (\d+)", out).group(1)),
        "errors": sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)",
                                                 out.split("Socket errors:")[1]
                                                 .splitlines()[0]))
        if "Socket errors:" in out else 0,
        "cpu_ms": cpu / max(total, 1) * 1000,
        # How evenly the work was spread: the busiest process's share of the CPU.
        "busiest": max(each.values()) / cpu if cpu > 0 else 1.0,
        # The most connections one process held, against an even share.
        "conn_skew": max(held.values()) / (sum(held.values()) / len([v for v in held.values()
                                                                      if v] or [1]))
        if sum(held.values()) else 1.0,
        "conns": sorted((v for v in held.values() if v), reverse=True),
    }
    return result


def member_sockets(pid: int) -> dict[int, int]:
    """Open sockets of ``pid`` and each process below it."""
    counts = {}
    for member in tree(pid):
        try:
            fds = os.listdir(f"/proc/{member}/fd")
        except OSError:
            continue
        count = 0
        for fd in fds:
            try:
                count += os.readlink(f"/proc/{member}/fd/{fd}").startswith("socket:")
            except OSError:
                continue
        counts[member] = count
    return counts


def latency_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def member_cpu(pid: int) -> dict[int, float]:
    """CPU seconds used so far by ``pid`` and each process below it."""
    used = {}
    for member in tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[member] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and the processes below it."""
    return sum(member_cpu(pid).values())


def tree_pss_mb(pid: int) -> float:
    """The proportional set size of ``pid``'s process tree: pages shared by several of
    its processes (a forked worker shares the master's) counted once in all."""
    total = 0
    for member in tree(pid):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


# -- the servers ----------------------------------------------------------------------------


@contextmanager
def started(command: list[str], env: dict[str, str], port: int, log: Path,
            cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=output,
                                   stderr=subprocess.STDOUT)
    try:
        wait_for(port, process, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def database(kind: str, work: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{work / 'instance' / 'plansign.db'}"
        return
    with PostgresServer(settings=DURABLE) as server:
        yield server.url(server.create_database())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate-limit-storage", default="",
                        help="plansign's rate_limit_storage (default: the product's, the "
                             "counts file; database: the table)")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--ack-seconds", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=300,
                        help="signers whose sessions the page and token runs cycle through")
    parser.add_argument("--acks", type=int, default=1500,
                        help="signers acknowledging per round (each once)")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the plansign checkout to serve (default: this one)")
    parser.add_argument("--workers", type=int, default=0,
                        help="worker processes (default: serve's own: one per CPU)")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per worker (default: serve's own)")
    parser.add_argument("--baseline", type=Path,
                        help="another checkout (main) served beside this one, each on its "
                             "own database, alternating in each round: --ops page,token,ack "
                             "(and floor: the floor app beside them, with ratios to it)")
    parser.add_argument("--ops", default="hello,floor,page,token,ack",
                        help="which of hello, floor, page, token, ack to run")
    parser.add_argument("--configs", default="",
                        help="serving configurations to compare, alternating in each round "
                             "(the signer's page and the floor app, each served so): e.g. "
                             "'2x4,2x8,2x4:si=1000,2x4:nofreeze', WORKERSxTHREADS with "
                             "si=SWITCH_INTERVAL_US, nofreeze (serve_gc_freeze off), "
                             "nobalance (serve_balance_connections off)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    root = args.root.resolve()
    multiprocess = (root / "signing" / "web" / "server.py").exists()
    server = "gunicorn" if multiprocess else "waitress"
    workers = args.workers or (os.cpu_count() or 1 if multiprocess else 1)
    threads = args.threads or (4 if multiprocess else 8)
    work = Path(tempfile.mkdtemp(prefix="plansign-bench-web-"))
    (work / "instance").mkdir()
    if args.baseline:
        with (PostgresServer(settings=DURABLE) if args.db == "postgresql"
              else contextlib.nullcontext()) as pg:
            compare_with_baseline(
                args, work, workers, threads,
                lambda name: pg.url(pg.create_database()) if pg is not None
                else f"sqlite:///{work / f'instance-{name}' / 'plansign.db'}")
        return
    with database(args.db, work) as url:
        env = {"PLANSIGN_INSTANCE_PATH": str(work / "instance"),
               "PLANSIGN_SECRET_KEYS": "k" * 40, "PLANSIGN_DATABASE_URL": url, **LIMITS,
               "PLANSIGN_RATE_LIMIT_STORAGE": args.rate_limit_storage}
        started_at = time.perf_counter()
        tokens = make_signers_in(args.root, env, args.sessions + args.rounds * args.acks)
        make_floor_rows(url, FLOOR_ROWS)
        print(f"# made {len(tokens)} signers in {time.perf_counter() - started_at:.0f} s",
              file=sys.stderr)
        if args.configs:
            compare_configs(args, work, env, url, tokens[:args.sessions])
            return
        ports = {name: free_port() for name in ("plansign", "floor", "hello")}
        serve_command = [sys.executable, "-c", "from signing.cli import main; main()",
                         "serve", "--port", str(ports["plansign"]), "--threads", str(threads)]
        if multiprocess:
            serve_command += ["--workers", str(workers)]
        child_env = {**os.environ, **env, "PYTHONPATH": str(root)}
        reference = [sys.executable, str(ROOT / "bench" / "webapps.py")]
        options = ["--server", server, "--workers", str(workers), "--threads", str(threads)]
        with started(serve_command, child_env, ports["plansign"], work / "serve.log",
                     root) as plansign, \
                started([*reference, "floor", "--port", str(ports["floor"]), *options,
                         "--database-url", url], child_env, ports["floor"],
                        work / "floor.log", ROOT) as floor, \
                started([*reference, "hello", "--port", str(ports["hello"]), *options],
                        child_env, ports["hello"], work / "hello.log", ROOT) as hello, \
                TreePeak(plansign.pid) as peak:
            results = measure(args, work, tokens, ports, plansign.pid, floor.pid, hello.pid)
            pss = tree_pss_mb(plansign.pid)
        report(args, results, server, workers, threads, root, peak, pss)


# -- this checkout beside a baseline ---------------------------------------------------------


def compare_with_baseline(args: argparse.Namespace, work: Path, workers: int, threads: int,
                          new_database: Callable[[str], str]) -> None:
    """plansign from ``--baseline`` and from ``--root``, each served (same workers and
    threads) on its own database, driven in turn in every round (the order alternating):
    what a loaded machine changes from one minute to the next hits both alike."""
    trees = {"base": args.baseline.resolve(), "head": args.root.resolve()}
    ops = [op for op in args.ops.split(",") if op in ("page", "token", "ack")]
    with contextlib.ExitStack() as stack:
        floor = (serve_floor(args, work, workers, threads, new_database("floor"), stack)
                 if "floor" in args.ops.split(",") else None)
        served: dict[str, dict[str, object]] = {}
        for name, tree_root in trees.items():
            instance = work / f"instance-{name}"
            instance.mkdir()
            env = {"PLANSIGN_INSTANCE_PATH": str(instance), "PLANSIGN_SECRET_KEYS": "k" * 40,
                   "PLANSIGN_DATABASE_URL": new_database(name), **LIMITS,
                   "PLANSIGN_RATE_LIMIT_STORAGE": args.rate_limit_storage}
            tokens = make_signers_in(tree_root, env, args.sessions + args.rounds * args.acks)
            port = free_port()
            process = stack.enter_context(started(
                [sys.executable, "-c", "from signing.cli import main; main()", "serve",
                 "--port", str(port), "--workers", str(workers), "--threads", str(threads)],
                {**os.environ, **env, "PYTHONPATH": str(tree_root)}, port,
                work / f"serve-{name}.log", tree_root))
            sessions = tokens[:args.sessions]
            with ThreadPoolExecutor(8) as pool:
                cookies = list(pool.map(lambda t, p=port: signer_session(p, t)[0], sessions))
            scripts = {"page": wrk_script(work, f"page-{name}",
                                          [("GET", "/sign", c, "") for c in cookies]),
                       "token": wrk_script(work, f"token-{name}",
                                           [("GET", f"/s/{t}", "", "") for t in sessions])}
            for op in ("page", "token"):  # warm every worker and thread
                run_wrk(port, scripts[op], args.clients, 2, process.pid)
            served[name] = {"port": port, "pid": process.pid, "scripts": scripts,
                            "acks": tokens[args.sessions:],
                            "peak": stack.enter_context(TreePeak(process.pid))}
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        for round_number in range(args.rounds):
            names = list(trees) if round_number % 2 == 0 else list(reversed(trees))
            # The reads (and the floor app) first, the acknowledgements of both trees last:
            # 400 commits leave PostgreSQL writing (WAL, checkpoint) for a while after,
            # and whichever run came next paid for it (in two runs, the page of the tree
            # whose page run followed an acknowledgement run was the slower in 5 rounds
            # of 6, whichever tree it was).
            steps = [(name, [op for op in ops if op != "ack"]) for name in names]
            steps = [(None, []), *steps] if round_number % 2 == 0 else [*steps, (None, [])]
            steps += [(name, ["ack"]) for name in names if "ack" in ops]
            for name, step_ops in steps:
                if name is None:  # the floor app, first or last (beside each in turn)
                    if floor is not None:
                        results.setdefault(("floor", "floor"), []).append(run_wrk(
                            floor["port"], floor["script"], args.clients, args.seconds,
                            floor["pid"]))
                    continue
                port, pid = int(served[name]["port"]), int(served[name]["pid"])  # type: ignore[call-overload]
                for op in step_ops:
                    if op == "ack":
                        acks = served[name]["acks"][round_number * args.acks:  # type: ignore[index]
                                                    (round_number + 1) * args.acks]
                        with ThreadPoolExecutor(8) as pool:
                            forms = list(pool.map(lambda t, p=port: signer_session(p, t),
                                                  acks))
                        script = wrk_script(work, f"ack-{name}-{round_number}", [
                            ("POST", "/sign/acknowledge", cookie,
                             f"csrf_token={csrf}&typed_name=Signer+"
                             f"{args.sessions + round_number * args.acks + i}&consent=on")
                            for i, (cookie, csrf) in enumerate(forms)])
                        seconds = args.ack_seconds
                    else:
                        script, seconds = served[name]["scripts"][op], args.seconds  # type: ignore[index]
                    results.setdefault((op, name), []).append(
                        run_wrk(port, script, args.clients, seconds, pid))
            print(f"# round {round_number + 1}: " + ", ".join(
                f"{op} {name} {runs[-1]['rps']:.0f}/s ({runs[-1]['cpu_ms']:.2f} ms CPU, "
                f"p99 {runs[-1]['p99']:.0f} ms)"
                for (op, name), runs in results.items()) + f"; load {os.getloadavg()[0]:.1f}",
                file=sys.stderr, flush=True)
        peaks = {name: served[name]["peak"] for name in trees}  # read before the stop
    print("# peak memory of plansign serve's processes (summed RSS, sampled): " + ", ".join(
        f"{name} {peak.peak_mb:.0f} MB" for name, peak in peaks.items()))  # type: ignore[attr-defined]
    print(f"# {os.cpu_count()} CPUs, {args.db}, {workers} processes x {threads} threads, wrk "
          f"{args.clients} connections, median of {args.rounds} rounds alternating base "
          f"({trees['base']}) and head ({trees['head']}); load average at the end "
          f"{os.getloadavg()[0]:.1f}")
    print("| operation | base req/s | head req/s | head/base | base CPU/req | head CPU/req | "
          "head/base CPU | base p99 | head p99 | rounds base; head (req/s) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for op in ops:
        base, head = results[(op, "base")], results[(op, "head")]

        def median(runs: list[dict[str, float]], key: str) -> float:
            return statistics.median(run[key] for run in runs)
        ratios = statistics.median(h["rps"] / b["rps"] for b, h in zip(base, head, strict=True))
        print(f"| {op} | {median(base, 'rps'):.0f} | {median(head, 'rps'):.0f} | "
              f"{ratios:.2f} | {median(base, 'cpu_ms'):.2f} ms | {median(head, 'cpu_ms'):.2f} ms"
              f" | {median(head, 'cpu_ms') / median(base, 'cpu_ms'):.2f} | "
              f"{median(base, 'p99'):.0f} ms | {median(head, 'p99'):.0f} ms | "
              + ", ".join(f"{r['rps']:.0f}" for r in base) + "; "
              + ", ".join(f"{r['rps']:.0f}" for r in head) + " |")
        floors = results.get(("floor", "floor"))
        if floors and op in ("page", "token"):
            print(f"| {op} / floor app | {paired(base, floors):.0%} | {paired(head, floors):.0%}"
                  f" | | floor {median(floors, 'rps'):.0f}/s, {median(floors, 'cpu_ms'):.2f} ms "
                  f"CPU, p99 {median(floors, 'p99'):.0f} ms | | | | | "
                  + ", ".join(f"{r['rps']:.0f}" for r in floors) + " |")
        for name, runs in (("base", base), ("head", head)):
            unexpected = sum(run["unexpected"] for run in runs)
            errors = sum(run["errors"] for run in runs)
            if unexpected or errors:
                print(f"**{op}, {name}: {unexpected} answers other than 200/303, {errors} "
                      "socket errors (connect, read, write, timeout)**")


def paired(runs: list[dict[str, float]], floors: list[dict[str, float]]) -> float:
    """The median over rounds of requests/s against the floor app's in the same round."""
    return statistics.median(run["rps"] / floor["rps"]
                             for run, floor in zip(runs, floors, strict=True))


def serve_floor(args: argparse.Namespace, work: Path, workers: int, threads: int, url: str,
                stack: contextlib.ExitStack) -> dict[str, Any]:
    """The floor app served (same server, workers and threads) on a database of its own,
    warmed up, with its wrk script."""
    (work / "instance-floor").mkdir(exist_ok=True)
    make_floor_rows(url, FLOOR_ROWS)
    port = free_port()
    process = stack.enter_context(started(
        [sys.executable, str(ROOT / "bench" / "webapps.py"), "floor", "--port", str(port),
         "--server", "gunicorn", "--workers", str(workers), "--threads", str(threads),
         "--database-url", url], {**os.environ, "PYTHONPATH": str(ROOT)}, port,
        work / "floor.log", ROOT))
    with ThreadPoolExecutor(8) as pool:
        cookies = list(pool.map(lambda i: fetch(port, "GET", f"/floor/start/{i}")[2],
                                range(args.sessions)))
    script = wrk_script(work, "floor", [("GET", "/floor", c, "") for c in cookies])
    run_wrk(port, script, args.clients, 2, process.pid)
    return {"port": port, "pid": process.pid, "script": script}


# -- serving configurations side by side ---------------------------------------------------


def parse_config(text: str) -> dict[str, object]:
    """'2x4:si=1000:nofreeze:nobalance' -> workers, threads, switch interval (µs), gc
    freeze, connections balanced."""
    head, *options = text.split(":")
    workers, threads = (int(n) for n in head.split("x"))
    config: dict[str, object] = {"name": text, "workers": workers, "threads": threads,
                                 "si": 0, "freeze": True, "balance": True}
    for option in options:
        if option.startswith("si="):
            config["si"] = int(option[3:])
        elif option == "nofreeze":
            config["freeze"] = False
        elif option == "nobalance":
            config["balance"] = False
        else:
            raise SystemExit(f"--configs: unknown option {option!r} in {text!r}")
    return config


def compare_configs(args: argparse.Namespace, work: Path, env: dict[str, str], url: str,
                    tokens: list[str]) -> None:
    """The signer's page and the floor app under each configuration, alternating."""
    configs = [parse_config(text) for text in args.configs.split(",")]
    with contextlib.ExitStack() as stack:
        servers = []
        for index, config in enumerate(configs):
            port, floor_port = free_port(), free_port()
            serve_env = {**os.environ, **env, "PYTHONPATH": str(args.root.resolve()),
                         "PLANSIGN_SERVE_SWITCH_INTERVAL_US": str(config["si"]),
                         "PLANSIGN_SERVE_GC_FREEZE": "true" if config["freeze"] else "false",
                         "PLANSIGN_SERVE_BALANCE_CONNECTIONS":
                             "true" if config["balance"] else "false"}
            plansign = stack.enter_context(started(
                [sys.executable, "-c", "from signing.cli import main; main()", "serve",
                 "--port", str(port), "--workers", str(config["workers"]),
                 "--threads", str(config["threads"])],
                serve_env, port, work / f"serve{index}.log", args.root.resolve()))
            floor = stack.enter_context(started(
                [sys.executable, str(ROOT / "bench" / "webapps.py"), "floor", "--port",
                 str(floor_port), "--server", "gunicorn", "--workers", str(config["workers"]),
                 "--threads", str(config["threads"]), "--database-url", url,
                 "--switch-interval-us", str(config["si"]),
                 *([] if config["freeze"] else ["--no-gc-freeze"]),
                 *([] if config["balance"] else ["--no-balance"])],
                serve_env, floor_port, work / f"floor{index}.log", ROOT))
            with ThreadPoolExecutor(8) as pool:
                cookies = list(pool.map(lambda t, p=port: signer_session(p, t)[0], tokens))
                floor_cookies = list(pool.map(
                    lambda i, p=floor_port: fetch(p, "GET", f"/floor/start/{i}")[2],
                    range(len(tokens))))
            scripts = {"page": wrk_script(work, f"page{index}",
                                          [("GET", "/sign", c, "") for c in cookies]),
                       "floor": wrk_script(work, f"floor{index}",
                                           [("GET", "/floor", c, "") for c in floor_cookies])}
            targets = {"page": (port, plansign.pid), "floor": (floor_port, floor.pid)}
            for name, (target_port, pid) in targets.items():  # warm every worker and thread
                run_wrk(target_port, scripts[name], args.clients, 2, pid)
            servers.append((config, scripts, targets))
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        for round_number in range(args.rounds):
            shift = round_number % len(servers)
            for config, scripts, targets in servers[shift:] + servers[:shift]:
                order = ["page", "floor"] if round_number % 2 == 0 else ["floor", "page"]
                for name in order:
                    port, pid = targets[name]
                    results.setdefault((str(config["name"]), name), []).append(
                        run_wrk(port, scripts[name], args.clients, args.seconds, pid))
            print(f"# round {round_number + 1}: " + ", ".join(
                f"{c}/{n} {runs[-1]['rps']:.0f}/s p99 {runs[-1]['p99']:.0f} ms"
                for (c, n), runs in results.items()) + f"; load {os.getloadavg()[0]:.1f}",
                file=sys.stderr, flush=True)
    print(f"# {os.cpu_count()} CPUs, {args.db}, wrk {args.clients} connections, "
          f"{args.seconds:g} s per run, median of {args.rounds} rounds, alternating; load "
          f"average at the end {os.getloadavg()[0]:.1f}")
    print("| configuration | app | requests/s | p50 | p99 | p99 rounds | server CPU/request | "
          "busiest process's CPU | connections per process |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for (config_name, name), runs in results.items():
        def median(key: str, runs: list[dict[str, float]] = runs) -> float:
            return statistics.median(run[key] for run in runs)
        conns = " / ".join("-".join(str(n) for n in run["conns"]) for run in runs)
        p99s = ", ".join(f"{run['p99']:.0f}" for run in runs)
        print(f"| {config_name} | {name} | {median('rps'):.0f} | {median('p50'):.0f} ms | "
              f"{median('p99'):.0f} ms | {p99s} | "
              f"{median('cpu_ms'):.2f} ms | {median('busiest'):.0%} | {conns} |")


def measure(args: argparse.Namespace, work: Path, tokens: list[str],
            ports: dict[str, int], plansign: int, floor: int,
            hello: int) -> dict[str, list[dict[str, float]]]:
    sessions, acks = tokens[:args.sessions], tokens[args.sessions:]
    with ThreadPoolExecutor(8) as pool:
        cookies = list(pool.map(lambda t: signer_session(ports["plansign"], t)[0], sessions))
        floor_cookies = list(pool.map(
            lambda i: fetch(ports["floor"], "GET", f"/floor/start/{i}")[2],
            range(args.sessions)))
    scripts = {
        "hello": wrk_script(work, "hello", [("GET", "/", "", "")]),
        "floor": wrk_script(work, "floor", [("GET", "/floor", c, "") for c in floor_cookies]),
        "page": wrk_script(work, "page", [("GET", "/sign", c, "") for c in cookies]),
        "token": wrk_script(work, "token", [("GET", f"/s/{t}", "", "") for t in sessions]),
    }
    targets = {"hello": (ports["hello"], hello), "floor": (ports["floor"], floor),
               "page": (ports["plansign"], plansign), "token": (ports["plansign"], plansign)}
    ops = args.ops.split(",")
    targets = {name: target for name, target in targets.items() if name in ops}
    for name, (port, pid) in targets.items():  # warm every worker and thread
        run_wrk(port, scripts[name], args.clients, 2, pid)
    results: dict[str, list[dict[str, float]]] = {
        name: [] for name in [*targets, *(["ack"] if "ack" in ops else [])]}
    for round_number in range(args.rounds):
        order = list(targets) if round_number % 2 == 0 else list(reversed(targets))
        for name in order:
            port, pid = targets[name]
            results[name].append(run_wrk(port, scripts[name], args.clients, args.seconds, pid))
        if "ack" not in ops:
            continue
        mine = acks[round_number * args.acks:(round_number + 1) * args.acks]
        with ThreadPoolExecutor(8) as pool:
            forms = list(pool.map(lambda t: signer_session(ports["plansign"], t), mine))
        ack = wrk_script(work, f"ack{round_number}", [
            ("POST", "/sign/acknowledge", cookie,
             f"csrf_token={csrf}&typed_name=Signer+{args.sessions + round_number * args.acks + i}"
             "&consent=on")
            for i, (cookie, csrf) in enumerate(forms)])
        results["ack"].append(run_wrk(ports["plansign"], ack, args.clients, args.ack_seconds,
                                      plansign))
        print(f"# round {round_number + 1}: " + ", ".join(
            f"{name} {runs[-1]['rps']:.0f}/s (busiest process {runs[-1]['busiest']:.0%} "
            "of the CPU)" for name, runs in results.items()), file=sys.stderr)
    return results


def report(args: argparse.Namespace, results: dict[str, list[dict[str, float]]], server: str,
           workers: int, threads: int, root: Path, peak: TreePeak, pss: float) -> None:
    def median(name: str, key: str) -> float:
        return statistics.median(run[key] for run in results[name])

    hello = median("hello", "rps") if results.get("hello") else float("nan")
    floor = median("floor", "rps") if results.get("floor") else float("nan")
    labels = {"hello": "hello (`GET /`)", "floor": "floor app (`GET /floor`)",
              "page": "signer's page (`GET /sign`)", "token": "token exchange (`GET /s/<token>`)",
              "ack": "acknowledge (`POST /sign/acknowledge`)"}
    print(f"# {os.cpu_count()} CPUs, {args.db}, {server}: {workers} process(es) x {threads} "
          f"threads, wrk {args.clients} connections, {args.seconds:g} s per run "
          f"({args.ack_seconds:g} s for acknowledge), median of {args.rounds} rounds; "
          f"plansign from {root}")
    print("| operation | requests/s | vs floor | vs hello | p50 | p99 | "
          "server CPU/request | rounds (req/s) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, label in labels.items():
        if not results.get(name):
            continue
        rps = median(name, "rps")
        rounds = ", ".join(f"{run['rps']:.0f}" for run in results[name])
        trouble = sum(run["unexpected"] + run["errors"] for run in results[name])
        print(f"| {label} | {rps:.0f} | {rps / floor:.0%} | {rps / hello:.0%} | "
              f"{median(name, 'p50'):.0f} ms | {median(name, 'p99'):.0f} ms | "
              f"{median(name, 'cpu_ms'):.2f} ms | {rounds} |"
              + (f" **{trouble} unexpected answers or socket errors**" if trouble else ""))
    reused = sum(run["reused"] for run in results.get("ack", []))
    if reused:
        print(f"(acknowledge ran out of signers {reused} times: raise --acks)")
    print(f"peak memory of plansign serve's processes: {peak.peak_mb:.0f} MB "
          f"(sum of each process's own peak: {peak.hwm_sum_mb:.0f} MB); after the load, "
          f"counting pages the processes share once (PSS): {pss:.0f} MB")


if __name__ == "__main__":
    main()

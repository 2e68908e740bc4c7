"""Benchmark: the signing pages under load, against a minimal Flask app on the same server.

Both run under waitress (what ``plansign serve`` uses) with the same thread count, in
the same run, driven by the same bounded Python load client on 127.0.0.1:

- hello: ``GET /`` of a Flask app that returns "hello" (the ceiling);
- open link: ``GET /s/<token>`` (token exchange, 303) then ``GET /sign`` (the page),
  each signer's own link, timed as one operation;
- acknowledge: ``POST /sign/acknowledge`` with the CSRF token from the page.

Besides rates and latencies it reports the CPU time the server process used per HTTP
request (Linux only).

Usage: ``.venv/bin/python bench/bench_signing_service.py [--clients 50] [--signers 600]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import load_settings  # noqa: E402
from docgen import sample_plan  # noqa: E402
from signing.domain import envelopes as svc  # noqa: E402
from signing.domain import workflow as wf  # noqa: E402
from signing.services import Services  # noqa: E402
from testsupport.net import free_port  # noqa: E402

HELLO_APP = (
    "import sys, waitress\nfrom flask import Flask\napp = Flask('hello')\n"
    "@app.get('/')\ndef hello():\n    return 'hello'\n"
    "waitress.serve(app, host='127.0.0.1', port=int(sys.argv[1]), threads=int(sys.argv[2]))\n"
)


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port}")


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
    return tokens


class Browser:
    """One signer's browser: its cookie. Requests go over the calling load thread's own
    keep-alive connection, so the server sees ``--clients`` connections, as it would
    from that many people (one connection each per signer would hit waitress's
    connection limit and measure the wait for idle ones to time out)."""

    connections = threading.local()

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        mine = self.connections.__dict__.setdefault("by_port", {})
        if self.port not in mine:
            mine[self.port] = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn = mine[self.port]
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, text


def run_load(clients: int, operations: list[Callable[[], None]]) -> tuple[float, list[float]]:
    """Run the operations on ``clients`` threads; returns (seconds, latencies in ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(reversed(operations))

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                operation = queue.pop()
            start = time.perf_counter()
            operation()
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, latencies


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far (Linux), else NaN."""
    try:
        # Fields after "pid (command)": state is the 3rd of stat(5), utime the 14th.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_measured(pid: int, clients: int,
                 operations: list[Callable[[], None]]) -> tuple[float, list[float], float]:
    """:func:`run_load`, and the CPU seconds the server process ``pid`` used meanwhile."""
    before = cpu_seconds(pid)
    seconds, latencies = run_load(clients, operations)
    return seconds, latencies, cpu_seconds(pid) - before


def p99(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, round(0.99 * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--signers", type=int, default=600)
    parser.add_argument("--hello-requests", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8,
                        help="waitress threads, both apps (plansign serve's default)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plansign-bench-web-"))
    env = {"PLANSIGN_INSTANCE_PATH": str(work), "PLANSIGN_SECRET_KEYS": "k" * 40}
    tokens = make_signers(env, args.signers)
    plansign_port, hello_port = free_port(), free_port()
    servers = [
        subprocess.Popen([sys.executable, "-c", "from signing.cli import main; main()",
                          "serve", "--port", str(plansign_port), "--threads",
                          str(args.threads)], env={**os.environ, **env},
                         stdout=subprocess.DEVNULL, stderr=(work / "serve.log").open("wb")),
        subprocess.Popen([sys.executable, "-c", HELLO_APP, str(hello_port), str(args.threads)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    try:
        try:
            wait_for(plansign_port)
        except SystemExit:
            print((work / "serve.log").read_text(), file=sys.stderr)
            raise
        wait_for(hello_port)
        report(args, tokens, (plansign_port, servers[0].pid), (hello_port, servers[1].pid))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def report(args: argparse.Namespace, tokens: list[str], plansign: tuple[int, int],
           hello_server: tuple[int, int]) -> None:
    """Run the three loads; ``plansign`` and ``hello_server`` are (port, process id)."""
    (plansign_port, plansign_pid), (hello_port, hello_pid) = plansign, hello_server
    visitor = Browser(hello_port)

    def hello() -> None:
        status, _ = visitor.request("GET", "/")
        assert status == 200

    users = [Browser(plansign_port) for _ in tokens]
    pages: dict[int, str] = {}

    def opener(i: int) -> Callable[[], None]:
        def open_link() -> None:
            status, _ = users[i].request("GET", f"/s/{tokens[i]}")
            assert status == 303, status
            status, page = users[i].request("GET", "/sign")
            assert status == 200, status
            pages[i] = page
        return open_link

    def acknowledger(i: int) -> Callable[[], None]:
        def acknowledge() -> None:
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', pages[i]).group(1)
            body = f"csrf_token={csrf}&typed_name=Signer+{i}&consent=on"
            status, _ = users[i].request("POST", "/sign/acknowledge", body)
            assert status == 303, status
        return acknowledge

    run_load(args.clients, [hello] * 200)  # warm both servers' threads
    # name -> (HTTP requests per operation, (seconds, latencies, server CPU seconds))
    results = {
        "hello (GET /)": (1, run_measured(hello_pid, args.clients,
                                          [hello] * args.hello_requests)),
        "open link (GET /s/<token> + GET /sign)": (2, run_measured(
            plansign_pid, args.clients, [opener(i) for i in range(len(tokens))])),
        "acknowledge (POST)": (1, run_measured(
            plansign_pid, args.clients, [acknowledger(i) for i in range(len(tokens))])),
    }
    ceiling = args.hello_requests / results["hello (GET /)"][1][0]
    print(f"# {os.cpu_count()} CPUs, {args.clients} concurrent clients, waitress "
          f"{args.threads} threads, {len(tokens)} signers")
    print("| operation | operations/s | requests/s | vs hello | p50 | p99 | server CPU/request |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, (per_op, (seconds, latencies, cpu)) in results.items():
        rate, requests = len(latencies) / seconds, len(latencies) * per_op
        print(f"| {name} | {rate:.0f} | {rate * per_op:.0f} | {rate * per_op / ceiling:.0%} | "
              f"{statistics.median(latencies):.0f} ms | {p99(latencies):.0f} ms | "
              f"{cpu / requests * 1000:.2f} ms |")


if __name__ == "__main__":
    main()

"""Benchmark: the plan editor's lint round trip (issue 16), p50 and p95 per request.

What a browser does while someone types in the editor: htmx posts the whole form to
``POST /console/drafts/lint`` (CSRF header, session cookie) and gets back the findings
fragment, one out-of-band ``<div>`` per field. Measured over real HTTP against a real
``plansign serve`` (gunicorn, one worker process, 4 threads; SQLite in a temporary
instance folder), one client on one keep-alive connection, each request timed from the
first byte sent to the last byte read; for two plans:

- ``example``: ``examples/support-agent-30d.yaml`` (3 goals, 157 fields);
- ``goals30``: the same plan with 30 goals, each with its 4 milestones (about 1,000
  fields), the editor's largest realistic form;

each with one vague goal (its metric emptied), so the fragment carries a finding. Beside
each, in this process, the floor: docgen's ``lint_data`` on the same data alone, which
every round trip must pay (the rest is parsing the form, placing the findings and
rendering the fragment, and HTTP). Plans alternate, round after round; the report gives
p50 and p95 over every request of all rounds, the per-round medians' spread, the
server's peak memory (``peakmem.TreePeak``) and the CPU count. Target: p95 under 50 ms.

Usage::

    .venv/bin/python bench/bench_console_lint.py [--rounds 5] [--requests 200]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import html
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from peakmem import TreePeak  # noqa: E402

from testsupport.net import free_port  # noqa: E402

EXAMPLE_PLAN = ROOT / "examples" / "support-agent-30d.yaml"
PASSWORD = "bench password for the console"


def plans() -> dict[str, dict[str, Any]]:
    from docgen.loading import load_plan_data

    example = load_plan_data(EXAMPLE_PLAN)
    example["goals"][0].pop("metric")
    big = copy.deepcopy(example)
    first = big["goals"][1]
    big["goals"] = [copy.deepcopy(example["goals"][0])] + [
        {**copy.deepcopy(first), "statement": f"{first['statement']} (part {n})"}
        for n in range(29)]
    return {"example": example, "goals30": big}


def form_fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The editor's fields for ``data``, as the browser posts them."""
    from flask import Flask
    from flask_babel import Babel

    from signing.web.console import draftform

    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        nodes = draftform.form_tree(data)

        def walk(items: list[draftform.Node]) -> list[tuple[str, str]]:
            out: list[tuple[str, str]] = []
            for node in items:
                if node.kind == "field":
                    out.append((node.path, node.value))
                out += walk(node.children)
            return out
        return walk(nodes)


def start_server(folder: Path, tree: Path | None = None
                 ) -> tuple[subprocess.Popen[bytes], int]:
    from config import load_settings
    from signing.domain import people, signin
    from signing.services import Services

    database_url = f"sqlite:///{folder / 'plansign.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANSIGN_")}
    env.update(PLANSIGN_DATABASE_URL=database_url, PLANSIGN_INSTANCE_PATH=str(folder),
               PLANSIGN_SECRET_KEYS="b" * 40, PLANSIGN_BASE_URL="http://127.0.0.1")
    if tree is not None:  # a baseline checkout's code, served by this interpreter
        env["PYTHONPATH"] = str(tree)
    services = Services(load_settings(env))
    from signing.migrations import upgrade
    upgrade(services.engine)
    with services.sessions.begin() as session:
        people.create_person(session, username="bench", display_name="Bench Manager",
                             email="bench@example.com", role="manager", team="Bench HR",
                             password_hash=signin.hash_password(PASSWORD),
                             now=dt.datetime.now(dt.UTC), created_by="cli:bench")
    services.close()
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("plansign")), "serve", "--port", str(port),
         "--workers", "1", "--threads", "4"], env=env, cwd=folder,
        stdout=subprocess.DEVNULL, stderr=(folder / "serve.log").open("wb"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/console/signin")
            connection.getresponse().read()
            return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit((folder / "serve.log").read_text())


class Client:
    """One browser: a keep-alive connection, the console's cookies and CSRF token."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.connection.connect()
        # Headers and body leave in one write, but no waiting on delayed ACKs either way.
        self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, dict(response.headers)

    def sign_in(self) -> str:
        _, page, _ = self.request("GET", "/console/signin")
        token = _token(page)
        status, _, _ = self.request("POST", "/console/signin", urlencode(
            {"csrf_token": token, "username": "bench", "password": PASSWORD}))
        assert status == 302, status
        _, page, _ = self.request("GET", "/console/drafts/")
        return _token(page)


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return html.unescape(found.group(1))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a checkout of an earlier commit, served beside this one")
    args = parser.parse_args()

    from docgen import lint_data

    data = plans()
    bodies = {name: form_fields(plan) for name, plan in data.items()}
    trees: dict[str, Path | None] = {"this": None}
    if args.baseline is not None:
        trees["baseline"] = args.baseline.resolve()
    encoded = {name: urlencode(fields) for name, fields in bodies.items()}
    kinds = [f"{tree}/{plan}" for plan in data for tree in trees]
    times: dict[str, list[float]] = {key: [] for key in [*kinds, *(
        f"floor/{plan}" for plan in data)]}
    medians: dict[str, list[float]] = {key: [] for key in times}
    sizes: dict[str, tuple[int, int]] = {}
    peaks: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-console-lint-") as tmp:
        servers, clients, headers, tree_peaks = {}, {}, {}, {}
        try:
            for tree, path in trees.items():
                folder = Path(tmp) / tree
                folder.mkdir()
                servers[tree], port = start_server(folder, path)
                tree_peaks[tree] = TreePeak(servers[tree].pid).__enter__()
                clients[tree] = Client(port)
                headers[tree] = {"HX-Request": "true", "X-CSRF-Token": clients[tree].sign_in()}
                for name in data:  # warm up, and check the answer carries the finding
                    for _ in range(10):
                        status, text, _ = clients[tree].request(
                            "POST", "/console/drafts/lint", encoded[name], headers[tree])
                    assert status == 200 and "the goal has no metric" in text, (status,
                                                                                 text[:300])
            for round_ in range(args.rounds):
                order = kinds if round_ % 2 == 0 else list(reversed(kinds))
                for kind in order:
                    tree, name = kind.split("/")
                    trip: list[float] = []
                    for _ in range(args.requests):
                        started = time.perf_counter()
                        _, text, _ = clients[tree].request(
                            "POST", "/console/drafts/lint", encoded[name], headers[tree])
                        trip.append((time.perf_counter() - started) * 1000)
                    sizes[kind] = (len(encoded[name]), len(text))
                    times[kind] += trip
                    medians[kind].append(statistics.median(trip))
                for name in data:
                    floor: list[float] = []
                    for _ in range(max(20, args.requests // 4)):
                        started = time.perf_counter()
                        lint_data(copy.deepcopy(data[name]))
                        floor.append((time.perf_counter() - started) * 1000)
                    times[f"floor/{name}"] += floor
                    medians[f"floor/{name}"].append(statistics.median(floor))
        finally:
            for tree, server in servers.items():
                if tree in tree_peaks:
                    tree_peaks[tree].__exit__(None, None, None)
                    peaks[tree] = tree_peaks[tree].peak_mb
                server.terminate()
                server.wait(30)
    print(f"CPUs: {os.cpu_count()}; rounds {args.rounds}, {args.requests} requests each; "
          "floor: docgen's lint_data alone, in this process")
    print(f"{'':22} {'p50 ms':>8} {'p95 ms':>8} {'round medians (min-max)':>26}")
    for key, values in times.items():
        spread = f"{min(medians[key]):.1f}-{max(medians[key]):.1f}"
        print(f"{key:22} {percentile(values, 50):8.1f} {percentile(values, 95):8.1f} "
              f"{spread:>26}")
    if "baseline" in trees:
        for name in data:
            ratio = (statistics.median(medians[f"this/{name}"])
                     / statistics.median(medians[f"baseline/{name}"]))
            print(f"{name}: this / baseline, median of round medians: {ratio:.2f}")
    for kind, (sent, got) in sizes.items():
        print(f"{kind}: form {sent / 1024:.1f} KiB posted, fragment {got / 1024:.1f} KiB back")
    for tree, mb in peaks.items():
        print(f"{tree}: server peak memory (gunicorn master and worker) {mb:.0f} MB")


if __name__ == "__main__":
    main()

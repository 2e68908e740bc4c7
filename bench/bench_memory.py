"""Benchmark: what each part of plansign costs in memory, and what an idle pool gives back.

One instance folder (SQLite, the file outbox), real processes as in production:

1. ``plansign serve`` started, nothing sent yet: its resident memory (no LibreOffice);
2. under load: ``--plans`` plans sent through the HR API, two at a time (so its pool
   starts two LibreOffice instances), while ``--readers`` threads read envelopes' status
   through the API; the peak of serve's process tree, and of serve's own process;
3. the pool warm, just after: the tree, and each LibreOffice instance (its worker and
   soffice.bin);
4. the pool after ``converter_idle_timeout`` (``--idle`` seconds): once the instances are
   stopped (or, for a checkout that never stops them, after twice that time), the tree;
   then the time of one send that has to start LibreOffice again, beside a warm one;
5. ``plansign worker`` mailing the invitations (peak), then idle.

``--checkout DIR`` runs the processes from another checkout of plansign (e.g. the
baseline, on this virtual environment), to put both side by side. Usage:
``.venv/bin/python bench/bench_memory.py [--plans 8] [--readers 8] [--idle 5]
[--checkout DIR]``
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peakmem import TreePeak, tree  # noqa: E402
from testsupport.cluster import plan_for, wait_for_http  # noqa: E402
from testsupport.net import free_port  # noqa: E402

PLANSIGN = [sys.executable, "-c", "from signing.cli import main; main()"]


def status_mb(pid: int, field: str) -> float:
    """``VmRSS`` or ``VmHWM`` of one process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree_mb(pid: int) -> float:
    """The summed resident memory of ``pid`` and its descendants now."""
    now = TreePeak(pid)
    now.sample()
    return now.peak_mb


def settle_mb(pid: int, seconds: float = 2.0) -> float:
    """The tree's resident memory, the median of samples over ``seconds``."""
    samples = []
    for _ in range(int(seconds / 0.1)):
        samples.append(tree_mb(pid))
        time.sleep(0.1)
    return sorted(samples)[len(samples) // 2]


class Api:
    def __init__(self, port: int, key: str) -> None:
        self.base, self.key = f"http://127.0.0.1:{port}/api/v1", key

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            self.base + path, method=method,
            data=None if body is None else json.dumps(body, default=str).encode(),
            headers={"Authorization": f"Bearer {self.key}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.loads(response.read())

    def send(self, n: int) -> str:
        return self.call("POST", "/envelopes", {"plan": plan_for(n),
                                                "template": "standard"})["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=8)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--idle", type=float, default=5.0,
                        help="converter_idle_timeout for serve, in seconds")
    parser.add_argument("--checkout", type=Path, default=ROOT)
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    results: dict[str, object] = {"cpus": os.cpu_count(), "checkout": str(checkout),
                                  "plans": args.plans, "idle_timeout_s": args.idle}
    with tempfile.TemporaryDirectory(prefix="plansign-bench-memory-") as tmp:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("PLANSIGN_")},
               "PYTHONPATH": str(checkout), "PLANSIGN_INSTANCE_PATH": str(Path(tmp) / "i"),
               "PLANSIGN_SECRET_KEYS": "bench-memory-" + "k" * 40,
               "PLANSIGN_CONVERTER_IDLE_TIMEOUT": str(args.idle),
               "PLANSIGN_RATE_LIMIT_API": "", "PLANSIGN_CONVERTER_POOL_SIZE": "2"}

        def plansign(*argv: str, **kw: object) -> subprocess.Popen[bytes]:
            return subprocess.Popen([*PLANSIGN, *argv], env=env, cwd=checkout,
                                    **kw)  # type: ignore[call-overload]

        key = subprocess.run([*PLANSIGN, "keys", "create", "--role", "hr", "--name", "bench"],
                             env=env, cwd=checkout, check=True, capture_output=True,
                             text=True).stdout.strip()
        port = free_port()
        log = open(Path(tmp) / "serve.log", "wb")  # noqa: SIM115
        serve = plansign("serve", "--port", str(port), stdout=log, stderr=subprocess.STDOUT)
        worker = None
        try:
            wait_for_http(port)
            api = Api(port, key)
            results["serve idle, nothing sent (MB)"] = round(settle_mb(serve.pid))

            stop = threading.Event()
            ids: list[str] = [api.send(10_000)]  # one envelope for the readers to read

            def read() -> int:
                reads = 0
                while not stop.is_set():
                    api.call("GET", f"/envelopes/{ids[0]}")
                    reads += 1
                return reads

            with TreePeak(serve.pid) as loaded, \
                    concurrent.futures.ThreadPoolExecutor(args.readers + 2) as clients:
                readers = [clients.submit(read) for _ in range(args.readers)]
                started = time.monotonic()
                sends = [clients.submit(api.send, n) for n in range(args.plans)]
                sent = [future.result() for future in sends]
                seconds = time.monotonic() - started
                stop.set()
                reads = sum(future.result() for future in readers)
            ids.extend(sent)
            results["under load"] = {
                "sends_per_s": round(args.plans / seconds, 2),
                "reads_per_s": round(reads / seconds),
                "serve tree peak (MB)": round(loaded.peak_mb),
                "serve process alone, peak (MB)": round(status_mb(serve.pid, "VmHWM")),
            }
            instances = [pid for pid in tree(serve.pid) if pid != serve.pid
                         and Path(f"/proc/{pid}/cmdline").read_bytes().find(b"_uno_worker") >= 0]
            results["pool warm: serve tree (MB)"] = round(settle_mb(serve.pid))
            results["one LibreOffice instance, worker + soffice.bin (MB)"] = [
                round(tree_mb(pid)) for pid in instances]
            results["serve process alone, pool warm (MB)"] = round(status_mb(serve.pid, "VmRSS"))

            quiet = time.monotonic()
            while len(tree(serve.pid)) > 1 and time.monotonic() - quiet < 2 * args.idle + 30:
                time.sleep(0.2)
            results["pool after idle: serve tree (MB)"] = round(settle_mb(serve.pid))
            results["pool after idle: LibreOffice processes left"] = len(tree(serve.pid)) - 1
            results["pool after idle: waited (s)"] = round(time.monotonic() - quiet, 1)

            started = time.monotonic()
            api.send(20_000)
            cold = time.monotonic() - started
            started = time.monotonic()
            api.send(20_001)
            warm = time.monotonic() - started
            results["send after idle (s)"] = round(cold, 2)
            results["send just after (s)"] = round(warm, 2)

            mail = Path(tmp) / "i" / "mail"
            wanted = len(ids) + 2
            worker_log = open(Path(tmp) / "worker.log", "wb")  # noqa: SIM115
            worker = plansign("worker", "--interval", "0.5", stdout=worker_log,
                              stderr=subprocess.STDOUT)
            with TreePeak(worker.pid) as mailing:
                deadline = time.monotonic() + 300
                while len(list(mail.glob("*.eml"))) < wanted and time.monotonic() < deadline:
                    time.sleep(0.1)
            results["worker mailing invitations, peak (MB)"] = round(mailing.peak_mb)
            results["worker mailed"] = len(list(mail.glob("*.eml")))
            results["worker idle after (MB)"] = round(settle_mb(worker.pid))
        finally:
            for process in (serve, worker):
                if process is not None and process.poll() is None:
                    process.terminate()
                    process.wait(60)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

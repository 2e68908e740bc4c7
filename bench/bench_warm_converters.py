"""Benchmark: where a warm converter's time goes, plansign's pool against unoserver.

One rendered 6-page plan is converted to PDF, one document at a time, by:

- plansign's pool (one instance), with LibreOffice's own load and export times;
- unoserver's Python client (XML-RPC to a running ``unoserver``), bytes in and out;
- unoserver's converter called in-process (no XML-RPC), to separate its RPC cost;
- bare UNO calls on the same LibreOffice, loading into a visible frame as unoserver does
  (``_default``, no ``Hidden``) and into a hidden one as plansign does.

unoserver is installed by this script into ``bench/.unoserver-venv`` (a venv of
``/usr/bin/python3`` with system site packages, which has LibreOffice's ``uno``).

Peak memory beside the times: plansign's instance (its worker and soffice.bin) and
unoserver (its server and LibreOffice), each process tree sampled through the rounds.

Usage: ``.venv/bin/python bench/bench_warm_converters.py [--runs 15]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peakmem import TreePeak  # noqa: E402
from docgen import ConverterPool, load_plan, render_plan, resolve_template  # noqa: E402
from testsupport.net import free_port  # noqa: E402

VENV = ROOT / "bench" / ".unoserver-venv"

# Runs under the unoserver venv's Python; prints one JSON object.
UNO_SIDE = textwrap.dedent("""
    import json, sys, time, uno
    from com.sun.star.beans import PropertyValue
    from unoserver.client import UnoClient
    from unoserver.converter import UnoConverter

    docx, rpc_port, uno_port, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    data = open(docx, "rb").read()

    def times_ms(call):
        call()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        return times

    client = UnoClient(port=rpc_port)
    local = UnoConverter(interface="127.0.0.1", port=uno_port)
    url, out = uno.systemPathToFileUrl(docx), uno.systemPathToFileUrl(docx + ".pdf")
    pdf = (PropertyValue(Name="FilterName", Value="writer_pdf_Export"),)
    read_only = PropertyValue(Name="ReadOnly", Value=True)
    hidden = PropertyValue(Name="Hidden", Value=True)

    def bare(frame, props):
        def call():
            document = local.desktop.loadComponentFromURL(url, frame, 0, props)
            document.storeToURL(out, pdf)
            document.close(True)
        return call

    print(json.dumps({
        "unoserver client (XML-RPC, bytes)": times_ms(
            lambda: client.convert(indata=data, convert_to="pdf")),
        "unoserver converter in-process": times_ms(
            lambda: local.convert(inpath=docx, outpath=docx + ".pdf")),
        "unoserver converter in-process, update_index=False": times_ms(
            lambda: local.convert(inpath=docx, outpath=docx + ".pdf", update_index=False)),
        "bare UNO, visible frame (_default, ReadOnly)": times_ms(
            bare("_default", (read_only,))),
        "bare UNO, hidden frame (_blank, ReadOnly, Hidden)": times_ms(
            bare("_blank", (read_only, hidden))),
    }))
""")


def ensure_unoserver() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(VENV)],
                       check=True)
    probe = subprocess.run([str(python), "-c", "import uno, unoserver"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "unoserver"], check=True)
    return python


def wait_for_port(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"unoserver did not listen on port {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="conversions per way and round")
    parser.add_argument("--rounds", type=int, default=4,
                        help="rounds alternating the ways, so that noise hits all alike")
    args = parser.parse_args()
    python = ensure_unoserver()
    work = Path(tempfile.mkdtemp(prefix="plansign-bench-warm-"))
    try:
        plan = load_plan(ROOT / "examples" / "engineer-90d.yaml")
        docx = work / "plan.docx"
        docx.write_bytes(render_plan(plan, resolve_template("standard"), company_name="Bench"))
        results = measure_side_by_side(python, docx, work, args.runs, args.rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"# warm single-document conversion of a 6-page plan, {os.cpu_count()} CPUs, "
          f"median of {args.runs * args.rounds} in {args.rounds} alternating rounds")
    print("| converter | p50 |\n| --- | --- |")
    for name, value in results.items():
        print(f"| {name} | {value:.0f} ms |")


def measure_side_by_side(python: Path, docx: Path, work: Path, runs: int,
                         rounds: int) -> dict[str, float]:
    """Both converters stay up; each round measures every way in turn."""
    samples: dict[str, list[float]] = {}
    data = docx.read_bytes()
    with ConverterPool(1) as pool, unoserver_running(python, work) as (ports, server):
        pool.start()
        pool.convert(data)
        with TreePeak(pool.stats[0].pid or 0) as ours, TreePeak(server) as theirs:
            measure_rounds(pool, python, docx, ports, data, runs, rounds, samples)
        stats = pool.stats[0]
        print(f"plansign, last document: LibreOffice load {stats.last_load_ms:.0f} ms, "
              f"export {stats.last_export_ms:.0f} ms")
        print(f"peak memory: plansign's instance (worker + soffice.bin) {ours.peak_mb:.0f} MB; "
              f"unoserver (server + LibreOffice) {theirs.peak_mb:.0f} MB")
    return {name: statistics.median(values) for name, values in samples.items()}


def measure_rounds(pool: ConverterPool, python: Path, docx: Path, ports: tuple[int, int],
                   data: bytes, runs: int, rounds: int,
                   samples: dict[str, list[float]]) -> None:
    for _ in range(rounds):
        for _ in range(runs):
            start = time.perf_counter()
            pool.convert(data)
            samples.setdefault("plansign pool (1 instance)", []).append(
                (time.perf_counter() - start) * 1000)
        out = subprocess.run([str(python), "-c", UNO_SIDE, str(docx), *map(str, ports),
                              str(runs)], capture_output=True, text=True, check=True).stdout
        for name, values in json.loads(out.strip().splitlines()[-1]).items():
            samples.setdefault(name, []).extend(values)


@contextlib.contextmanager
def unoserver_running(python: Path, work: Path) -> Iterator[tuple[tuple[int, int], int]]:
    """unoserver up: its XML-RPC and UNO ports, and its process id."""
    rpc_port, uno_port = free_port(), free_port()
    server = subprocess.Popen(
        [str(python.with_name("unoserver")), "--port", str(rpc_port), "--uno-port",
         str(uno_port), "--user-installation", str(work / "profile")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(rpc_port, time.monotonic() + 60)
        yield (rpc_port, uno_port), server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        # unoserver starts LibreOffice through oosplash, which leaves the process group.
        subprocess.run(["pkill", "-KILL", "-f", str(work / "profile")], check=False)


if __name__ == "__main__":
    main()

"""Benchmark: what the worker spends making the employee's copy of one check-in record
(issue 19): drawing it with the case file's check-in page and attaching its data
(``build``), then sealing it (``seal``: PAdES B-B with a self-signed EC key, as the
instance's default), one record after another in one process.

The record is the sample case's check-in 2 (held, every goal with a value and a note, the
employee's acknowledgement and a comment), the plan being ``docgen/sample-plan.yaml``.
The first run (fonts found, pyHanko imported) is reported apart and not counted.

Usage: ``.venv/bin/python bench/bench_checkin_record.py [--runs 30]``. Prints the median
and p95 of each step and of the whole, the PDF's size, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peakmem import own_peak_mb  # noqa: E402
from docgen import sample_plan  # noqa: E402
from docgen.casefile.checkin_record import (  # noqa: E402
    CheckinRecordDocument,
    build_checkin_record,
)
from docgen.seal import create_self_signed, seal  # noqa: E402
from testsupport.casekit import sample_case  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    plan = sample_plan()
    assert plan.checkins is not None
    case = sample_case(plan, b"%PDF-1.7 stand-in", meetings=5)
    page = next(c for c in case.checkins if c.answer.comments)
    now = dt.datetime.now(dt.UTC)
    doc = CheckinRecordDocument(
        envelope_id="0b6f3c2e-1d2a-4c1e-9d7e-3f1f5a2b7c01",
        checkin_id="5a0e7c1d-8b2f-4e3a-9c6d-1f2e3d4c5b6a", plan_id=plan.plan_id or "",
        company="Sample Company Ltd", employee=plan.employee.name,
        zone=plan.checkins.timezone, scheduled=9, page=page, version=1, made_at=now)
    with tempfile.TemporaryDirectory() as folder:
        key = create_self_signed(Path(folder) / "key", "Sample Company Ltd", now=now)
        build_ms, seal_ms = [], []
        first = 0.0
        size = 0
        for run in range(args.runs + 1):
            started = time.perf_counter()
            pdf = build_checkin_record(doc)
            built = time.perf_counter()
            sealed = seal(pdf, key, reason="Check-in record", now=now, level="B-B")
            done = time.perf_counter()
            if run == 0:
                first = (done - started) * 1000
                continue
            build_ms.append((built - started) * 1000)
            seal_ms.append((done - built) * 1000)
            size = len(sealed)
    whole = [b + s for b, s in zip(build_ms, seal_ms, strict=True)]
    print(f"one check-in record (meeting {page.meeting}, {len(page.goals)} goal(s), "
          f"{len(page.answer.comments)} comment(s)), {args.runs} runs, "
          f"{os.cpu_count()} CPUs; first run {first:.0f} ms (not counted)")
    for name, values in (("build", build_ms), ("seal", seal_ms), ("whole", whole)):
        print(f"{name:<6} p50 {statistics.median(values):7.1f} ms   p95 {p95(values):7.1f} ms")
    print(f"sealed PDF {size / 1000:.0f} kB; peak memory {own_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()

"""Benchmark: from the last signer's action to the archived, sealed PDF.

For a 6-page plan (examples/support-agent-30d.yaml), over 50 envelopes, each sent and
acknowledged with a comment, it times plansign's finalize step as the worker runs it
(the outbox handler: stamp, seal, stage, archive), split by step, and side by side in the
same run a naive rebuild: re-render the plan and re-convert it to PDF with a warm
LibreOffice (which would still have to add the signatures and the seal on top).

Peak memory beside the times: this process's own peak (it finalizes in-process, as the
worker does, after sending), the peak of its process tree (with the one LibreOffice
instance the rebuild uses) while the envelopes are finalized and rebuilt, and that
instance's own resident memory at the end.

Usage: ``.venv/bin/python bench/bench_finalize.py [--envelopes 50] [--language ar]``
(``--language``: the plan's language, so its record is drawn in it; the instance's
default, English, without it). Beside the wall times, each step's CPU time (this
process's, ``time.process_time``): on a shared machine it moves less than the wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from archive import FolderStore  # noqa: E402
from bench.peakmem import TreePeak, own_peak_mb  # noqa: E402
from database import make_engine, make_session_factory  # noqa: E402
from docgen import ConverterPool, Job, build, plan_from_data, resolve_template  # noqa: E402
from docgen.seal import create_self_signed  # noqa: E402
from signing.domain import envelopes as svc  # noqa: E402
from signing.domain.finalize import Finalizer  # noqa: E402
from signing.domain.outbox import OutboxJob  # noqa: E402
from signing.domain.sending import SendOptions, send_plan  # noqa: E402
from signing.domain.wording import STATEMENT  # noqa: E402
from signing.migrations import upgrade  # noqa: E402

PLAN = ROOT / "examples" / "support-agent-30d.yaml"
STEPS = ("stamp", "seal", "stage", "archive")


class TimedFinalizer(Finalizer):
    """plansign's finalizer, timing each of its steps."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "times", defaultdict(list))
        object.__setattr__(self, "cpu", defaultdict(list))

    def _timed(self, step, call, *args):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = call(*args)
        self.times[step].append((time.perf_counter() - start) * 1000)
        self.cpu[step].append((time.process_time() - start_cpu) * 1000)
        return result

    def stamped(self, *args):
        return self._timed("stamp", super().stamped, *args)

    def sealed(self, *args):
        return self._timed("seal", super().sealed, *args)

    def _stage(self, *args):
        return self._timed("stage", super()._stage, *args)

    def _archive(self, *args):
        return self._timed("archive", super()._archive, *args)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envelopes", type=int, default=50)
    parser.add_argument("--language", help="the plan's language (en, es, fr, de, ar)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plansign-bench-finalize-"))
    engine = make_engine(f"sqlite:///{work / 'plansign.db'}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    readers = make_session_factory(engine, read_only=True)  # what the worker hands handlers
    now = dt.datetime.now(dt.UTC)
    key = create_self_signed(work / "seal", "Alpenglühn Mobile AG", now=now)
    finalizer = TimedFinalizer(sessions, FolderStore(work / "archive"), sealing_key=lambda: key,
                               company_name="Bench Co")
    data = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    # The employee alone, as the recorded results were measured (one signature line).
    data["routing"] = {"manager": "none", "hr": "none"}
    if args.language:
        data["language"] = args.language
    template = resolve_template("standard")
    with ConverterPool(1, timeout=60) as pool:
        pool.start()
        ids = []
        for _ in range(args.envelopes + 1):
            envelope_id = send_plan(sessions, data, options=SendOptions(
                template=template, company_name="Bench Co", expires_in=dt.timedelta(days=14)),
                converter=pool, actor=svc.Actor("bench"), now=now)
            with sessions.begin() as session:
                signer = svc.load(session, envelope_id).signers[0]
                svc.perform(session, envelope_id, "acknowledge", signer_id=signer.id,
                            typed_name=signer.name, consent=True, statement=STATEMENT,
                            comment="I have read the plan. " * 20,
                            actor=svc.Actor(f"signer:{signer.id}", "198.51.100.7", "Bench/1.0"),
                            now=now)
            ids.append(envelope_id)
        plan = plan_from_data(data)
        totals, totals_cpu, naive = [], [], []
        sent_peak = own_peak_mb()
        with TreePeak(os.getpid()) as tree:
            for index, envelope_id in enumerate(ids):
                job = OutboxJob(0, "bench", "finalize", "finalize", envelope_id, None, {}, 1, now)
                start, start_cpu = time.perf_counter(), time.process_time()
                with readers() as session:
                    finalizer(session, job, now)
                totals.append((time.perf_counter() - start) * 1000)
                totals_cpu.append((time.process_time() - start_cpu) * 1000)
                start = time.perf_counter()
                build(Job("bench", plan, template, None), formats=["pdf"], company_name="Bench Co",
                      converter=pool, generated_on=now.date())
                naive.append((time.perf_counter() - start) * 1000)
                if index == 0:  # the first of each warms caches (fonts, key); not counted
                    totals.clear(), totals_cpu.clear(), naive.clear()
                    for step in STEPS:
                        finalizer.times[step].clear()
                        finalizer.cpu[step].clear()
        instance = TreePeak(pool.stats[0].pid or 0)
        instance.sample()
    print(f"# {os.cpu_count()} CPUs, {len(totals)} envelopes, 6-page plan, SQLite, folder "
          f"store, language {args.language or 'default'}, load {os.getloadavg()[0]:.1f}")
    print("| step | p50 | p95 | CPU p50 |")
    print("| --- | --- | --- | --- |")
    for step in STEPS:
        values = finalizer.times[step]
        print(f"| {step} | {statistics.median(values):.1f} ms | {percentile(values, .95):.1f} ms "
              f"| {statistics.median(finalizer.cpu[step]):.1f} ms |")
    print(f"| **finalize, all steps** | **{statistics.median(totals):.1f} ms** | "
          f"**{percentile(totals, .95):.1f} ms** | **{statistics.median(totals_cpu):.1f} ms** |")
    print(f"| naive rebuild: re-render + re-convert (warm LibreOffice) | "
          f"{statistics.median(naive):.1f} ms | {percentile(naive, .95):.1f} ms | |")
    print(f"\nnaive rebuild / finalize (medians): "
          f"{statistics.median(naive) / statistics.median(totals):.1f}x")
    print(f"peak memory: this process {own_peak_mb():.0f} MB (after sending, before "
          f"finalizing: {sent_peak:.0f} MB); while finalizing and rebuilding, with the "
          f"LibreOffice instance: {tree.peak_mb:.0f} MB; the instance at the end "
          f"(worker and soffice.bin): {instance.peak_mb:.0f} MB")


if __name__ == "__main__":
    main()

"""Benchmark: building and sealing the case file of a closed 90-day plan.

The case file of ``examples/engineer-90d.yaml`` with 13 weekly check-ins (one missed,
one with an Arabic comment, one unanswered), an extension with an amended plan and an
outcome letter: the plan's record (stamped and sealed), the amended plan and the letter
are real documents, made once with LibreOffice before timing. Then, per round, timed by
step:

- **charts**: each goal's series and chart model (``progress_charts``);
- **pages**: reading the included PDFs, drawing the cover, the check-in, extension,
  charts and certificate pages (fonts cut to the case's text);
- **merge**: the drawn and included pages into one PDF, with the outline, the attached
  documents and ``case-file.json``;
- **seal**: the organisation's seal (PAdES B-B, the instance's self-signed EC key, as
  ``seal_level`` auto gives without a timestamp authority);
- **write**: the file written under a temporary name, flushed and renamed.

Each round's CPU time (this process's, ``time.process_time``) is reported beside its wall
time: the work is single-threaded, so on a quiet machine the two agree, and on a shared
one the CPU time is the steadier figure. The first round warms the process (fonts
parsed, the key's signer built) and is not counted. The issue's target is the whole
path from the outcome letter's last acknowledgement to the archived case file at a p50
under 1 s; this measures the part these builders own, so the figure to read is their
share of that second.

Usage: ``.venv/bin/python bench/bench_case_file.py [--rounds 30]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peakmem import own_peak_mb  # noqa: E402
from docgen import (  # noqa: E402
    SIGNATURE_ANCHORS,
    Amendment,
    ConverterPool,
    load_plan,
    render_plan,
    resolve_template,
)
from docgen.casefile import build_case_file  # noqa: E402
from docgen.letters import Decision, GoalResult, letter_context, render_letter  # noqa: E402
from docgen.seal import create_self_signed, seal  # noqa: E402
from docgen.stamp import Completion, SignerEvent, SignerOutcome, stamp  # noqa: E402
from signing.domain.cases.casefile import seal_case_file, write_case_file  # noqa: E402
from signing.domain.cases.charts import progress_charts  # noqa: E402
from testsupport.casekit import domain_checkins, sample_case  # noqa: E402

PLAN = ROOT / "examples" / "engineer-90d.yaml"
STEPS = ("charts", "pages", "merge", "seal", "write")
MEETINGS, DAYS = 13, 90


def documents(plan, key, now):  # type: ignore[no-untyped-def]
    """The plan's sealed record, an amended plan and a not-met letter, each sealed."""
    with ConverterPool(1, timeout=120) as pool:
        pool.start()
        original = pool.convert(render_plan(plan, resolve_template("standard"),
                                            company_name="Acme"))
        amended = pool.convert(render_plan(plan, resolve_template("standard"),
                                           company_name="Acme",
                                           amendment=Amendment(1, plan.timeline.start)))
        results = [GoalResult(n, "not met", "below target", "Final review figures.")
                   for n in range(1, len(plan.goals) + 1)]
        letter = pool.convert(render_letter(letter_context(
            plan, kind="not_met", date=now.date(), results=results,
            decision=Decision(plan.manager.name, now.date(), plan.hr.name, now.date()),
            checkins_held=12,
            checkins_scheduled=13)))
    signers = tuple(
        SignerOutcome(role=role, name=person.name, email=person.email,
                      anchor=SIGNATURE_ANCHORS[role], decision=decision, decided_at=now,
                      typed_name=person.name, statement="I have received this plan.",
                      events=(SignerEvent("sent", now), SignerEvent(decision, now)))
        for role, person, decision in (("employee", plan.employee, "acknowledged"),
                                       ("manager", plan.manager, "confirmed"),
                                       ("hr", plan.hr, "confirmed")))
    completion = Completion(
        envelope_id="env_bench", plan_id=plan.plan_id or "", title="Performance "
        f"Improvement Plan for {plan.employee.name}", company="Acme", outcome="completed",
        original_sha256=hashlib.sha256(original).hexdigest(), completed_at=now,
        consent_text="I agree to sign electronically.", audit_head_hash="0" * 64,
        signers=signers, comments=())
    record = seal(stamp(original, completion).pdf, key, reason="Sealed record", now=now)
    return (record, seal(amended, key, reason="Amendment", now=now),
            seal(letter, key, reason="Outcome letter", now=now))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    plan = load_plan(PLAN)
    assert plan.checkins is not None
    now = dt.datetime.now(dt.UTC)
    folder = Path(tempfile.mkdtemp(prefix="bench-case-file-"))
    key = create_self_signed(folder / "key", "Acme", now=now)
    record, amended, letter = documents(plan, key, now)
    case = sample_case(plan, record, meetings=MEETINGS, days=DAYS, amendment_pdf=amended,
                       letter_pdf=letter)
    zone = ZoneInfo(plan.checkins.timezone)
    checkins = domain_checkins(plan, plan.timeline.start, MEETINGS, zone)
    times: dict[str, list[float]] = {step: [] for step in (*STEPS, "total", "total, CPU")}
    pages = size = 0
    for round_ in range(args.rounds + 1):
        started, cpu = time.perf_counter(), time.process_time()
        charts = progress_charts(plan.goals, checkins, zone, (case.start, case.end))
        charted = time.perf_counter()
        timings: dict[str, float] = {}
        built = build_case_file(dataclasses.replace(case, charts=charts), timings)
        sealed_at = time.perf_counter()
        sealed = seal_case_file(built.pdf, key, now=now)
        written_at = time.perf_counter()
        write_case_file(folder / "case-file.pdf", sealed)
        done, cpu = time.perf_counter(), time.process_time() - cpu
        if round_ == 0:
            continue  # warm-up
        for step, seconds in (("charts", charted - started), ("pages", timings["pages"]),
                              ("merge", timings["merge"]), ("seal", written_at - sealed_at),
                              ("write", done - written_at), ("total", done - started),
                              ("total, CPU", cpu)):
            times[step].append(seconds)
        pages, size = built.pages, len(sealed)
    print(f"case file: {pages} pages, {size / 1024:.0f} KiB, {MEETINGS} check-ins, "
          f"{len(case.charts)} charts; {args.rounds} rounds after a warm-up")
    print("| step | p50 | p95 |\n| --- | --- | --- |")
    for step in (*STEPS, "total", "total, CPU"):
        values = [v * 1000 for v in times[step]]
        label = f"**{step}**" if step.startswith("total") else step
        print(f"| {label} | {statistics.median(values):.1f} ms | "
              f"{percentile(values, 0.95):.1f} ms |")
    total = statistics.median(times["total"])
    print(f"share of the 1 s budget (p50): {total * 100:.0f}%; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"peak memory of this process: {own_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()

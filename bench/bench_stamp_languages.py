"""Stamping a plan's final record in each language (issue 18), beside a baseline tree.

    .venv/bin/python bench/bench_stamp_languages.py [--before ../plansign-base]
        [--before-languages en,ar] [--stamps 20] [--rounds 3]

The example plan (examples/support-agent-30d.yaml, 6 to 7 pages) is rendered from each
language's template and converted once by LibreOffice; then, round by round, a fresh
interpreter stamps it ``--stamps`` times (three signers acknowledged, the employee in
their own zone, one comment, a dozen events: what the worker's stamp step does,
without the seal): ``--before`` (an earlier checkout, run with this virtual environment)
in English, then this tree in English and in every language, alternating, so that each
ratio compares runs made side by side. Medians per stamp, wall and CPU (the process's
own: on a shared machine it moves less than the wall time), and each process's peak
memory (``own_peak_mb``). The first stamp of a process (font parsing) is not counted.
``--before-languages`` (English alone by default) are the languages the ``--before``
tree stamps too, each just before this tree's, with their ratios round by round.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "es", "fr", "de", "ar")
PLAN = ROOT / "examples" / "support-agent-30d.yaml"

_STAMP = r"""
import dataclasses, datetime as dt, hashlib, json, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[1] + "/bench")
from docgen.doclang import signature_anchors
from docgen.stamp import Comment, Completion, SignerEvent, SignerOutcome, stamp
from peakmem import own_peak_mb
language, pdf_path, count = sys.argv[2], sys.argv[3], int(sys.argv[4])
original = open(pdf_path, "rb").read()
UTC = dt.UTC
def at(day, hour, minute=0):
    return dt.datetime(2027, 1, day, hour, minute, tzinfo=UTC)
anchors = signature_anchors(language)
def signer(role, name, day, zone=None):
    events = (SignerEvent("sent", at(11, 8)), SignerEvent("email delivered", at(11, 8, 1)),
              SignerEvent("viewed", at(day, 8, 40), "203.0.113.7", "Mozilla/5.0 Chrome/131"),
              SignerEvent("acknowledged", at(day, 9, 14), "203.0.113.7",
                          "Mozilla/5.0 Chrome/131"))
    return SignerOutcome(role=role, name=name, email=f"{role}@example.com",
                         anchor=anchors[role], decision="acknowledged",
                         decided_at=at(day, 9, 14), typed_name=name,
                         statement="I confirm that I have received this plan.",
                         events=events, timezone=zone, consent="I agree to sign electronically.")
fields = {"language": language} if language != "en" else {}
completion = Completion(
    envelope_id="env_bench", plan_id="PIP-2027-0111-CS",
    title="Performance Improvement Plan for Léa Brändli", company="Alpenglühn Mobile AG",
    outcome="completed", original_sha256=hashlib.sha256(original).hexdigest(),
    completed_at=at(14, 10), consent_text="I agree.", audit_head_hash="ab" * 32,
    signers=(signer("employee", "Léa Brändli", 12, "Europe/Zurich"),
             signer("manager", "Jürg Baumann", 13), signer("hr", "Sofía Castellanos", 14)),
    comments=(Comment("Léa Brändli", "employee", at(12, 9, 10),
                      "I accept the goals, but Tier 2 must answer within a day."),),
    **fields)
notes = stamp(original, completion).notes  # warm: fonts parsed once per process
times, cpu = [], []
for _ in range(count):
    start, start_cpu = time.perf_counter(), time.process_time()
    stamp(original, completion)
    times.append(time.perf_counter() - start)
    cpu.append(time.process_time() - start_cpu)
print(json.dumps({"times": times, "cpu": cpu, "peak_mb": own_peak_mb(),
                  "notes": list(notes)}))
"""


def plan_pdfs(folder: Path) -> dict[str, Path]:
    """The example plan in each language, as LibreOffice makes it (this tree's templates)."""
    sys.path.insert(0, str(ROOT))
    from docgen import load_plan, render_plan, resolve_template
    from docgen.convert import ConverterPool

    plan = load_plan(PLAN)
    paths = {}
    with ConverterPool(1, timeout=120) as pool:
        pool.start()
        for language in LANGUAGES:
            docx = render_plan(plan.model_copy(update={"language": language}),
                               resolve_template("standard"), company_name="Ignored Co",
                               generated_on=dt.date(2026, 11, 22))
            paths[language] = folder / f"plan.{language}.pdf"
            paths[language].write_bytes(pool.convert(docx))
    return paths


def stamp_round(tree: Path, language: str, pdf: Path, count: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", _STAMP, str(tree), language, str(pdf),
                          str(count)], capture_output=True, text=True, check=True, cwd=tree,
                         env=env)
    return json.loads(out.stdout)


def ms(values: list[float], q: float = 0.5) -> str:
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path)
    parser.add_argument("--before-languages", default="en")
    parser.add_argument("--stamps", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}, load: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-stamp-") as folder:
        pdfs = plan_pdfs(Path(folder))
        runs: dict[str, list[dict]] = {}
        before = args.before_languages.split(",") if args.before else []
        ratios: dict[str, list[float]] = {language: [] for language in before}
        cpu_ratios: dict[str, list[float]] = {language: [] for language in before}
        for _ in range(args.rounds):
            for language in LANGUAGES:
                if language in before:
                    runs.setdefault(f"before {language}", []).append(
                        stamp_round(args.before, language, pdfs[language], args.stamps))
                runs.setdefault(language, []).append(
                    stamp_round(ROOT, language, pdfs[language], args.stamps))
                if language in before:
                    now, then = runs[language][-1], runs[f"before {language}"][-1]
                    ratios[language].append(statistics.median(now["times"])
                                            / statistics.median(then["times"]))
                    cpu_ratios[language].append(statistics.median(now["cpu"])
                                                / statistics.median(then["cpu"]))
    print("stamp, the example plan's record, per stamp:")
    for name, rounds in runs.items():
        times = [t for r in rounds for t in r["times"]]
        cpu = [t for r in rounds for t in r["cpu"]]
        peak = max(r["peak_mb"] for r in rounds)
        notes = {n for r in rounds for n in r["notes"]}
        print(f"  {name:10} p50 {ms(times)}  p95 {ms(times, 0.95)}  CPU p50 {ms(cpu)}"
              f"  peak {peak:.0f} MB" + (f"  notes: {sorted(notes)}" if notes else ""))
    for language in before:
        for label, values in (("wall", ratios[language]), ("CPU", cpu_ratios[language])):
            print(f"  {language} / before {language} ({label}), per round: "
                  + ", ".join(f"{r:.2f}" for r in values)
                  + f" (median {statistics.median(values):.2f})")
    print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

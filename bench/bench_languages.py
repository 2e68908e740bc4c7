"""Rendering and converting a plan in each language (issue 18), beside a baseline tree.

    .venv/bin/python bench/bench_languages.py [--before ../plansign-base] [--renders 200]
        [--rounds 5] [--conversions 12]

- **render**: one plan (the sample) rendered to .docx in process, ``--renders`` times per
  round, in a fresh interpreter per round; this tree in English and in every language,
  and ``--before`` (an earlier checkout, run with this virtual environment) in English,
  alternating round by round so that each ratio compares runs made side by side.
  Medians per document, and each process's peak memory (``own_peak_mb``).
- **convert**: the same plan converted by a warm one-instance LibreOffice pool,
  ``--conversions`` times per language, alternating languages (this tree only: the
  baseline has no other language), medians per document.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "es", "fr", "de", "ar")

_RENDER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[1] + "/bench")
from docgen import render_plan, resolve_template, sample_plan
from peakmem import own_peak_mb
language, count = sys.argv[2], int(sys.argv[3])
plan = sample_plan()
if language == "en":
    template = resolve_template("standard")
    render = lambda: render_plan(plan, template, company_name="Acme Ltd")
else:
    from docgen.context import plan_context
    from docgen.render import render_docx
    template = resolve_template("standard", language=language)
    render = lambda: render_docx(template, plan_context(plan, company_name="Acme Ltd",
                                                         language=language))
render()  # warm: templates parsed and compiled once, as in a long-lived process
times = []
for _ in range(count):
    start = time.perf_counter()
    render()
    times.append(time.perf_counter() - start)
print(json.dumps({"times": times, "peak_mb": own_peak_mb()}))
"""


def render_round(tree: Path, language: str, count: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", _RENDER, str(tree), language, str(count)],
                         capture_output=True, text=True, check=True, cwd=tree, env=env)
    return json.loads(out.stdout)


def convert(conversions: int) -> dict[str, list[float]]:
    sys.path.insert(0, str(ROOT))
    from docgen import sample_plan
    from docgen.context import plan_context
    from docgen.convert import ConverterPool
    from docgen.render import render_docx, resolve_template

    plan = sample_plan()
    docs = {language: render_docx(resolve_template("standard", language=language),
                                  plan_context(plan, company_name="Acme Ltd",
                                               language=language))
            for language in LANGUAGES}
    times: dict[str, list[float]] = {language: [] for language in LANGUAGES}
    with ConverterPool(1, timeout=120) as pool:
        pool.start()
        pool.convert(docs["en"])  # warm
        for _ in range(conversions):
            for language in LANGUAGES:
                start = time.perf_counter()
                pool.convert(docs[language])
                times[language].append(time.perf_counter() - start)
    return times


def ms(values: list[float], q: float = 0.5) -> str:
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path)
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--conversions", type=int, default=12)
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}, load: {os.getloadavg()[0]:.1f}")
    runs: dict[str, list[dict]] = {}
    ratios = []
    for _ in range(args.rounds):
        if args.before:
            runs.setdefault("before en", []).append(
                render_round(args.before, "en", args.renders))
        for language in LANGUAGES:
            runs.setdefault(language, []).append(render_round(ROOT, language, args.renders))
        if args.before:
            ratios.append(statistics.median(runs["en"][-1]["times"])
                          / statistics.median(runs["before en"][-1]["times"]))
    print("render, one plan (standard), per document:")
    for name, rounds in runs.items():
        times = [t for r in rounds for t in r["times"]]
        peak = max(r["peak_mb"] for r in rounds)
        print(f"  {name:10} p50 {ms(times)}  p95 {ms(times, 0.95)}  peak {peak:.0f} MB")
    if ratios:
        print("  en / before, per round: " + ", ".join(f"{r:.2f}" for r in ratios)
              + f" (median {statistics.median(ratios):.2f})")
    if args.conversions:
        print("warm conversion (one instance), per document:")
        for language, times in convert(args.conversions).items():
            print(f"  {language}  p50 {ms(times)}  p95 {ms(times, 0.95)}")
    print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

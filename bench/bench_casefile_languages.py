"""The case file drawn in a language (issue 18, the case file's pages): the median of 5
builds of a 9-meeting case file (build_case_file, unsealed), wall and CPU time (the
process's own, which a shared machine's load moves less), and the process's peak memory.

usage: python bench/bench_casefile_languages.py REPO_ROOT LANGUAGE
  REPO_ROOT: the checkout to measure (a baseline worktree or this one; run from inside it)
  LANGUAGE: en, es, fr, de, ar; "base" for a checkout whose CaseFile has no language
Alternate baseline and product runs on a shared machine and compare their ratios.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(sys.argv[1]).resolve()
LANGUAGE = sys.argv[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from peakmem import own_peak_mb  # noqa: E402

from docgen import load_plan  # noqa: E402
from docgen.casefile import build_case_file  # noqa: E402
from tests.docgen.seal.sealkit import make_pdf  # noqa: E402
from testsupport.casekit import sample_case  # noqa: E402


def main() -> None:
    plan = load_plan(ROOT / "examples" / "support-agent-30d.yaml")
    case = sample_case(plan, make_pdf(3), meetings=9, amendment_pdf=make_pdf(2),
                       letter_pdf=make_pdf(1))
    if LANGUAGE != "base":
        case = dataclasses.replace(case, language=LANGUAGE)
    build_case_file(case)  # warm: fonts, catalogs
    times, cpu = [], []
    for _ in range(5):
        started, started_cpu = time.perf_counter(), time.process_time()
        build_case_file(case)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    print(f"{ROOT.name} {LANGUAGE}: {statistics.median(times) * 1000:.0f} ms, "
          f"CPU {statistics.median(cpu) * 1000:.0f} ms, peak {own_peak_mb():.0f} MB")


main()

"""Benchmark: 100 plans to PDF with plansign, against LibreOffice used the usual ways.

Runs, in one process and one sitting so the figures compare:

- plansign: ``plansign generate`` on 100 plans (render + warm pool conversion), the
  whole CLI run from start to exit, LibreOffice start-up included;
- baseline (a): one ``soffice --convert-to pdf`` process per pre-rendered .docx;
- baseline (b): one ``soffice --convert-to pdf`` process converting all 100 .docx;
- per-document render time, and warm single-document conversion latency (p50, p95).

Usage: ``.venv/bin/python bench/bench_generate.py [--plans 100] [--rounds 3]
[--per-process-sample 100]``. Results print as Markdown and are saved under
``bench/results/``. The machine is shared: compare medians and ratios, not seconds.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen import ConverterPool, load_plan, render_plan, resolve_template  # noqa: E402

PLANSIGN = Path(sys.executable).with_name("plansign")
SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
FIRST_NAMES = ["Jordan", "Priya", "Mateo", "Aiko", "Chinedu", "Sofia", "Lars", "Fatima",
               "Wei", "Olga"]


def make_plans(count: int, folder: Path) -> list[Path]:
    """``count`` plans cycling through the examples, each with its own employee."""
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    paths = []
    for i in range(count):
        data = yaml.safe_load(examples[i % len(examples)].read_text(encoding="utf-8"))
        data = copy.deepcopy(data)
        data["employee"]["name"] = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} Bench-{i:03d}"
        data["employee"]["employee_id"] = f"B-{i:05d}"
        path = folder / f"plan-{i:03d}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        paths.append(path)
    return paths


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed(command: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   **kwargs)
    return time.perf_counter() - start


# The same PDF plansign makes (tagged, see docgen/convert/_uno_worker.py), so that the
# baselines do the same work.
TAGGED_PDF = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'


def soffice_command(profile: Path, outdir: Path, files: list[Path]) -> list[str]:
    return [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
            "--convert-to", TAGGED_PDF, "--outdir", str(outdir), *map(str, files)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of plansign and of baseline (b); medians are reported")
    parser.add_argument("--per-process-sample", type=int, default=None,
                        help="documents for baseline (a) (default: all); the per-document "
                             "time is scaled to --plans")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plansign-bench-"))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    n = args.plans
    plans = make_plans(n, work)
    print(f"# {n} plans, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}", flush=True)

    # Pre-rendered .docx for the baselines, timing the rendering as we go.
    docx_dir = work / "docx"
    docx_dir.mkdir()
    render_ms, docx_files = [], []
    for path in plans:
        plan = load_plan(path)
        template = resolve_template(plan.template or "standard")
        start = time.perf_counter()
        data = render_plan(plan, template, company_name="Bench Co",
                           generated_on=dt.date(2026, 11, 21))
        render_ms.append((time.perf_counter() - start) * 1000)
        out = docx_dir / f"{path.stem}.docx"
        out.write_bytes(data)
        docx_files.append(out)

    # LibreOffice creates its profile on first start; do that outside every timing.
    profile = work / "profile"
    timed(soffice_command(profile, work / "warmup", docx_files[:1]))

    plansign_s, batch_s = [], []
    for r in range(args.rounds):
        out = work / f"plansign-{r}"
        plansign_s.append(timed([str(PLANSIGN), "generate", *map(str, plans), "--out", str(out),
                                 "--format", "pdf"]))
        assert len(list(out.glob("*.pdf"))) == n, "plansign did not write every PDF"
        out = work / f"batch-{r}"
        batch_s.append(timed(soffice_command(profile, out, docx_files)))
        assert len(list(out.glob("*.pdf"))) == n, "soffice batch did not write every PDF"
        print(f"round {r + 1}: plansign {plansign_s[-1]:.2f} s, one soffice batch "
              f"{batch_s[-1]:.2f} s", flush=True)

    sample = docx_files[: args.per_process_sample or n]
    per_process = [timed(soffice_command(profile, work / "per-process", [f])) for f in sample]
    per_process_total = statistics.fmean(per_process) * n

    # Warm single-document latency: one pool, one document at a time.
    with ConverterPool(1) as pool:
        pool.start()
        docs = [f.read_bytes() for f in docx_files[:10]]
        pool.convert(docs[0])
        latency_ms = []
        for i in range(40):
            start = time.perf_counter()
            pool.convert(docs[i % len(docs)])
            latency_ms.append((time.perf_counter() - start) * 1000)

    plansign_med, batch_med = statistics.median(plansign_s), statistics.median(batch_s)
    results = {
        "date": dt.date.today().isoformat(), "cpus": os.cpu_count(), "plans": n,
        "plansign_s": plansign_s, "batch_s": batch_s,
        "per_process_mean_s": statistics.fmean(per_process), "per_process_sample": len(sample),
        "render_ms_p50": statistics.median(render_ms), "render_ms_p95": percentile(render_ms, 95),
        "warm_latency_ms_p50": statistics.median(latency_ms),
        "warm_latency_ms_p95": percentile(latency_ms, 95),
    }
    print()
    print(f"| way | {n} plans to PDF (median of {args.rounds}) | per document | vs plansign |")
    print("| --- | --- | --- | --- |")
    print(f"| plansign generate (render + warm pool, CLI start to exit) | {plansign_med:.2f} s | "
          f"{plansign_med / n * 1000:.0f} ms | 1.0x |")
    print(f"| (a) one soffice process per document (pre-rendered .docx) | "
          f"{per_process_total:.2f} s{'' if len(sample) == n else ' (scaled)'} | "
          f"{per_process_total / n * 1000:.0f} ms | "
          f"{per_process_total / plansign_med:.1f}x slower |")
    print(f"| (b) one soffice converting all (pre-rendered .docx) | {batch_med:.2f} s | "
          f"{batch_med / n * 1000:.0f} ms | {batch_med / plansign_med:.2f}x |")
    print()
    print(f"render per document: p50 {results['render_ms_p50']:.1f} ms, "
          f"p95 {results['render_ms_p95']:.1f} ms")
    print(f"warm single-document conversion: p50 {results['warm_latency_ms_p50']:.0f} ms, "
          f"p95 {results['warm_latency_ms_p95']:.0f} ms")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"generate-{dt.datetime.now():%Y%m%d-%H%M%S}.json").write_text(
        json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

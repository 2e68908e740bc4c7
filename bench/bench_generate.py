"""Benchmark: 100 plans to PDF with plansign, against LibreOffice used the usual ways.

Runs, in one process and one sitting so the figures compare, round after round:

- plansign: ``plansign generate`` on 100 plans (render + warm pool conversion), the
  whole CLI run from start to exit, LibreOffice start-up included, with the peak
  resident memory of its process tree (the CLI and its LibreOffice instances);
- baseline (a): one ``soffice --convert-to pdf`` process per pre-rendered .docx; each
  round converts its share of the documents, so that over the rounds every document is
  converted once and each round's ratio compares runs made minutes apart at most;
- baseline (b): one ``soffice --convert-to pdf`` process converting all 100 .docx;
- optionally ``--before DIR``: ``plansign generate`` from another checkout (an earlier
  commit, in a git worktree), run with this virtual environment, in every round too;
- per-document render time, and warm single-document conversion latency (p50, p95).

Usage: ``.venv/bin/python bench/bench_generate.py [--plans 100] [--rounds 3]
[--before ../plansign-base]``. Results print as Markdown and are saved under
``bench/results/``. The machine is shared: compare medians and ratios, not seconds.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import resource
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

from bench.peakmem import TreePeak  # noqa: E402
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


def children_cpu() -> float:
    """CPU seconds (user and system) of every child process that has ended, and of their
    own children (soffice.bin is reaped by its worker, the worker by plansign)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], **kwargs) -> tuple[float, float]:
    """Seconds from start to exit, and the CPU seconds the command's processes used."""
    cpu, start = children_cpu(), time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   **kwargs)
    return time.perf_counter() - start, children_cpu() - cpu


def timed_with_peak(command: list[str], **kwargs) -> tuple[float, float, float]:
    """Seconds from start to exit, CPU seconds, and the peak resident MB of the process
    tree."""
    cpu, start = children_cpu(), time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          **kwargs) as proc, TreePeak(proc.pid) as peak:
        _, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"{command[0]} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return seconds, children_cpu() - cpu, peak.peak_mb


def plansign_command(checkout: Path | None) -> tuple[list[str], dict[str, str] | None]:
    """``plansign``, from this checkout or from another one (with this environment)."""
    if checkout is None:
        return [str(PLANSIGN)], None
    return ([sys.executable, "-c", "import sys; sys.argv[0] = 'plansign'; "
             "from signing.cli import main; main()"],
            {**os.environ, "PYTHONPATH": str(checkout.resolve())})


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
                        help="documents for baseline (a) (default: all), shared out over "
                             "the rounds; the per-document time is scaled to --plans")
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout whose plansign to time in every round too")
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

    now_cmd, now_env = plansign_command(None)
    before_cmd, before_env = (plansign_command(args.before) if args.before
                              else (None, None))
    sample = docx_files[: args.per_process_sample or n]
    shares = [sample[r::args.rounds] for r in range(args.rounds)]
    plansign_s, plansign_mb, before_s, before_mb, batch_s = [], [], [], [], []
    plansign_cpu, before_cpu, batch_cpu = [], [], []
    per_process: list[float] = []
    per_process_cpu: list[float] = []
    ratios: list[float] = []  # (a) over plansign, round by round
    before_ratios: list[float] = []  # (a) over --before, round by round

    def generate(command: list[str], env: dict[str, str] | None, out: Path) -> tuple[float, ...]:
        measured = timed_with_peak([*command, "generate", *map(str, plans), "--out", str(out),
                                    "--format", "pdf"], env=env, cwd=work)
        assert len(list(out.glob("*.pdf"))) == n, f"{command} did not write every PDF"
        return measured

    for r in range(args.rounds):
        # plansign, half of this round's share of (a), --before, the other half, (b):
        # each plansign run has (a) right beside it.
        seconds, cpu, mb = generate(now_cmd, now_env, work / f"plansign-{r}")
        plansign_s.append(seconds)
        plansign_cpu.append(cpu)
        plansign_mb.append(mb)
        half = len(shares[r]) // 2 if before_cmd is not None else len(shares[r])
        share = [timed(soffice_command(profile, work / "per-process", [f]))
                 for f in shares[r][:half]]
        line = f"round {r + 1}: plansign {seconds:.2f} s ({cpu:.1f} CPU s, {mb:.0f} MB)"
        if before_cmd is not None:
            seconds, cpu, mb = generate(before_cmd, before_env, work / f"before-{r}")
            before_s.append(seconds)
            before_cpu.append(cpu)
            before_mb.append(mb)
            share += [timed(soffice_command(profile, work / "per-process", [f]))
                      for f in shares[r][half:]]
            mean = statistics.fmean(s for s, _ in share)
            before_ratios.append(mean * n / seconds)
            line += (f", before {seconds:.2f} s ({cpu:.1f} CPU s, {mb:.0f} MB, "
                     f"{before_ratios[-1]:.2f}x)")
        mean = statistics.fmean(s for s, _ in share)
        ratios.append(mean * n / plansign_s[-1])
        per_process.extend(s for s, _ in share)
        per_process_cpu.extend(c for _, c in share)
        line += f", one soffice per document {mean * 1000:.0f} ms x {n} ({ratios[-1]:.2f}x)"
        out = work / f"batch-{r}"
        seconds, cpu = timed(soffice_command(profile, out, docx_files))
        batch_s.append(seconds)
        batch_cpu.append(cpu)
        assert len(list(out.glob("*.pdf"))) == n, "soffice batch did not write every PDF"
        print(f"{line}, one soffice batch {seconds:.2f} s", flush=True)
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
        "plansign_s": plansign_s, "plansign_peak_mb": plansign_mb, "batch_s": batch_s,
        "per_process_ratio_by_round": ratios,
        "before_per_process_ratio_by_round": before_ratios,
        "before": str(args.before) if args.before else None,
        "before_s": before_s, "before_peak_mb": before_mb,
        "per_process_mean_s": statistics.fmean(per_process), "per_process_sample": len(sample),
        "plansign_cpu_s": plansign_cpu, "before_cpu_s": before_cpu, "batch_cpu_s": batch_cpu,
        "per_process_mean_cpu_s": statistics.fmean(per_process_cpu),
        "render_ms_p50": statistics.median(render_ms), "render_ms_p95": percentile(render_ms, 95),
        "warm_latency_ms_p50": statistics.median(latency_ms),
        "warm_latency_ms_p95": percentile(latency_ms, 95),
    }
    print()
    print(f"| way | {n} plans to PDF (median of {args.rounds}) | per document | vs plansign |")
    print("| --- | --- | --- | --- |")
    print(f"| plansign generate (render + warm pool, CLI start to exit) | {plansign_med:.2f} s | "
          f"{plansign_med / n * 1000:.0f} ms | 1.0x |")
    if before_s:
        before_med = statistics.median(before_s)
        print(f"| plansign generate, --before checkout | {before_med:.2f} s | "
              f"{before_med / n * 1000:.0f} ms | {before_med / plansign_med:.2f}x |")
    print(f"| (a) one soffice process per document (pre-rendered .docx) | "
          f"{per_process_total:.2f} s{'' if len(sample) == n else ' (scaled)'} | "
          f"{per_process_total / n * 1000:.0f} ms | "
          f"{per_process_total / plansign_med:.1f}x slower |")
    print(f"| (b) one soffice converting all (pre-rendered .docx) | {batch_med:.2f} s | "
          f"{batch_med / n * 1000:.0f} ms | {batch_med / plansign_med:.2f}x |")
    print()
    print("(a) over plansign, round by round: "
          + ", ".join(f"{ratio:.2f}x" for ratio in ratios)
          + f"; median {statistics.median(ratios):.2f}x"
          + (" (--before: " + ", ".join(f"{ratio:.2f}x" for ratio in before_ratios)
             + f"; median {statistics.median(before_ratios):.2f}x)" if before_ratios else ""))
    print(f"peak memory, CLI and its LibreOffice instances: median "
          f"{statistics.median(plansign_mb):.0f} MB (rounds: "
          + ", ".join(f"{mb:.0f}" for mb in plansign_mb) + ")"
          + (f"; --before {statistics.median(before_mb):.0f} MB" if before_mb else ""))
    cpu_a = statistics.fmean(per_process_cpu) * n
    print(f"CPU seconds for {n} plans (medians): plansign {statistics.median(plansign_cpu):.1f}"
          + (f", --before {statistics.median(before_cpu):.1f}" if before_cpu else "")
          + f", (a) {cpu_a:.1f} ({cpu_a / statistics.median(plansign_cpu):.1f}x plansign's), "
          f"(b) {statistics.median(batch_cpu):.1f}")
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

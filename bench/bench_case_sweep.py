"""The worker's case sweep (issue 17): how long one pass takes over N open cases.

The sweep reads every open case each time it runs (every 5 minutes in a worker): it makes
the cases of newly sent plans, reminds and alerts about unrecorded check-ins, and notes
unanswered records. This times, on SQLite in a temporary folder (or PostgreSQL with
``--database-url``), N plans sent 20 days ago with no check-in recorded:

- the first passes (each opens up to 200 cases): they open the N cases and record the
  reminders and alerts of the meetings past their grace period (each case its own
  transaction), until a pass finds nothing to do;
- a quiet pass (the steady state: everything due was already sent), median of
  ``--repeat``, which is what a worker pays every 5 minutes: as the worker runs it
  (``quiet_until``: each case skipped until it may next need something) beside one that
  reads every open case, alternated in the same run.

Peak memory of this process is printed beside the times. There is no baseline: before
issue 17 there was no sweep; the quiet pass's time is the cost it adds to a worker.

    .venv/bin/python bench/bench_case_sweep.py --cases 200 1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.peakmem import own_peak_mb
from database import make_engine, make_session_factory
from docgen import sample_plan
from signing.domain import case_service
from signing.domain import envelopes as svc
from signing.domain.sending import signer_specs
from signing.migrations import upgrade


def make_plans(sessions, count: int, now: dt.datetime) -> None:
    data = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["timeline"]["start"] = (now.date() - dt.timedelta(days=20)).isoformat()
    plan = sample_plan().model_validate(data)
    sent = now - dt.timedelta(days=22)
    actor = svc.Actor("apikey:psk_bench")
    for _ in range(count):
        with sessions.begin() as session:
            envelope_id = svc.create_envelope(
                session, plan_data=data, template="standard",
                pdf=f"%PDF-1.7 {uuid.uuid4()}".encode(), signers=signer_specs(plan),
                actor=actor, now=sent)
            svc.perform(session, envelope_id, "send", actor=actor, now=sent,
                        expires_in=dt.timedelta(days=60))


def run(count: int, repeat: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(url or f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        sessions = make_session_factory(engine)
        now = dt.datetime.now(dt.UTC)
        make_plans(sessions, count, now)
        settings = case_service.CaseSettings()
        # The first passes: each opens up to SWEEP_BATCH cases, then chases them.
        started = time.perf_counter()
        opened = reminded = alerted = passes = 0
        while True:
            first = case_service.sweep(sessions, now=now, settings=settings)
            passes += 1
            opened, reminded = opened + len(first.opened), reminded + len(first.reminded)
            alerted += len(first.alerted)
            if not first.busy:
                break
        first_s = time.perf_counter() - started
        # A quiet pass as the worker runs it (remembering when each case may next need
        # anything) beside one that reads every case, alternated; wall and CPU time.
        remembered: case_service.QuietUntil = {}
        case_service.sweep(sessions, now=now, settings=settings, quiet_until=remembered)
        times: dict[str, list[tuple[float, float]]] = {"every case": [], "remembered": []}
        for _ in range(repeat):
            for name, memory in (("every case", None), ("remembered", remembered)):
                wall, cpu = time.perf_counter(), time.process_time()
                result = case_service.sweep(sessions, now=now, settings=settings,
                                            quiet_until=memory)
                times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
                assert not result.busy, "a quiet pass found work: not idempotent"
        print(f"{count:>6} open cases ({engine.dialect.name}): first {passes} passes "
              f"{first_s:.2f} s ({opened} opened, {reminded} reminders, {alerted} alerts); "
              f"peak memory {own_peak_mb():.0f} MB")
        for name, runs in times.items():
            wall = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            print(f"        quiet pass, {name:>10}: median {wall * 1000:7.1f} ms wall, "
                  f"{cpu * 1000:7.1f} ms CPU ({cpu / count * 1000:.3f} ms CPU a case)")
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None,
                        help="an empty PostgreSQL database (default: SQLite in a temp folder)")
    args = parser.parse_args()
    for count in args.cases:
        run(count, args.repeat, args.database_url)


if __name__ == "__main__":
    main()

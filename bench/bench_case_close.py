"""Benchmark: a case's close, from the outcome letter's last acknowledgement to the
archived case file (issue 17), split by step.

Each round makes a closed-to-be case on a real database: ``examples/engineer-90d.yaml``
with weekly check-ins (13 meetings over its 90 days; the third missed, the second
commented on in Arabic, the fourth unanswered), sent to the employee alone and
acknowledged, its record finalized into the archive; the outcome (not met) proposed with
evidence per goal and approved, so the letter is rendered and converted by LibreOffice
and sent; the employee acknowledges the letter. None of that is timed. Then, timed, what
the worker does from there, through the outbox as it runs it:

- **letter**: finalizing the letter's envelope (stamp, seal, archive), which closes the
  case in the same transaction and queues the case file's row;
- **gather**: the case file's data read from the database and the archive (the plan's
  sealed record, check-ins and answers, the letter's record, events);
- **pages**, **merge**, **seal**: building and sealing the case file
  (:func:`signing.domain.cases.casefile.make_case_file`; ``pages`` includes the charts);
- **archive**: the blob written, the record updated, the event and the employee's email
  queued, in one transaction;
- **total**: the two outbox passes end to end (claims and bookkeeping included).

CPU time of this process is reported beside wall time (the work is single-threaded);
peak memory is this process's. A converter that remembers each .docx it has converted
keeps the untimed set-up short (the plan and letter are the same every round).

Usage: ``.venv/bin/python bench/bench_case_close.py [--rounds 15] [--postgresql]
[--extended]`` (``--postgresql``: on a private server started for the run,
testsupport/pgserver.py; ``--extended``: the case is extended by 14 days with goal 1
adjusted before its outcome, untimed, its amended plan acknowledged and archived, so the
case file also gathers and includes the extension and the amendment).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from archive import FolderStore  # noqa: E402
from bench.peakmem import own_peak_mb  # noqa: E402
from database import make_engine, make_session_factory  # noqa: E402
from docgen import ConverterPool, load_plan, resolve_template, schedule_for  # noqa: E402
from docgen.seal import create_self_signed  # noqa: E402
from signing.domain import case_close, case_service, outbox  # noqa: E402
from signing.domain import envelopes as svc  # noqa: E402
from signing.domain.case_file_task import CaseFileMaker  # noqa: E402
from signing.domain.cases import CheckinForm  # noqa: E402
from signing.domain.cases.outcome import OutcomeForm  # noqa: E402
from signing.domain.finalize import Finalizer  # noqa: E402
from signing.domain.sending import SendOptions, send_plan  # noqa: E402
from signing.domain.wording import CONSENT, STATEMENT  # noqa: E402
from signing.migrations import upgrade  # noqa: E402
from testsupport.casekit import ARABIC_COMMENT  # noqa: E402

PLAN = ROOT / "examples" / "engineer-90d.yaml"
STEPS = ("letter", "gather", "pages", "merge", "seal", "archive", "total")
HR = svc.Actor("person:hr")
MANAGER = svc.Actor("person:manager")


class RememberingConverter:
    """LibreOffice, converting each distinct .docx once (the untimed set-up only)."""

    def __init__(self, pool: ConverterPool) -> None:
        self.pool, self.done = pool, {}  # type: ignore[var-annotated]

    def convert(self, docx: bytes) -> bytes:
        key = hashlib.sha256(docx).hexdigest()
        if key not in self.done:
            self.done[key] = self.pool.convert(docx)
        return self.done[key]  # type: ignore[no-any-return]


def acknowledge(sessions, envelope_id, at):  # type: ignore[no-untyped-def]
    with sessions.begin() as session:
        signer = next(s for s in svc.load(session, envelope_id).signers
                      if s.role == "employee")
        svc.perform(session, envelope_id, "acknowledge", signer_id=signer.id,
                    typed_name=signer.name, consent=True, statement=STATEMENT,
                    consent_text=CONSENT, actor=svc.Actor(f"signer:{signer.id}"), now=at)


def closing_case(sessions, converter, finalizer, data, plan,  # type: ignore[no-untyped-def]
                 extended=False):
    """A case whose outcome letter the employee has just acknowledged (extended first,
    with its amendment archived, when ``extended``); returns the moment of that
    acknowledgement."""
    sent = dt.datetime.combine(plan.timeline.start, dt.time(8), tzinfo=dt.UTC) \
        - dt.timedelta(days=3)
    envelope_id = send_plan(sessions, data, options=SendOptions(
        template=resolve_template("standard"), company_name="Acme",
        expires_in=dt.timedelta(days=14)), converter=converter, actor=HR, now=sent)
    acknowledge(sessions, envelope_id, sent + dt.timedelta(hours=1))
    outbox.run_once(sessions, {"finalize": finalizer}, now=sent + dt.timedelta(hours=2))
    meetings = schedule_for(plan).checkins
    goals = len(plan.goals)
    for meeting in meetings:
        n = meeting.number
        at = meeting.ends.astimezone(dt.UTC) + dt.timedelta(hours=2)
        if n == 3:
            form = CheckinForm(meeting="3", missed_reason="The manager was off sick.")
        else:
            form = CheckinForm(
                meeting=str(n), held_at=meeting.starts.strftime("%Y-%m-%dT%H:%M"),
                attendees=[plan.manager.name, plan.employee.name],
                goals={str(g): {"status": "at_risk", "value": str(20 - n + g)}
                       for g in range(1, goals + 1)},
                notes=f"Week {n}: reviewed the figures.", support_given="Pairing.",
                next_steps="Keep going.")
        with sessions.begin() as session:
            record = case_service.record_checkin(session, envelope_id, form, actor=MANAGER,
                                                 recorder=plan.manager.name, now=at)
        employee = svc.Actor("signer:employee")
        if n == 2:
            with sessions.begin() as session:
                case_service.comment_on_checkin(session, record.id, ARABIC_COMMENT,
                                                actor=employee, now=at)
        if n != 4:
            with sessions.begin() as session:
                case_service.acknowledge_checkin(session, record.id, actor=employee,
                                                 now=at + dt.timedelta(hours=1))
    end = dt.datetime.combine(schedule_for(plan).end, dt.time(15), tzinfo=dt.UTC)
    if extended:
        from signing.domain import case_extension
        from signing.domain.cases.extension import ExtensionForm

        extension = case_extension.extend_case(
            sessions, envelope_id, ExtensionForm(14, "Progress; two weeks more.", "", [
                {"goal": 1, "target": "the adjusted target"}]), actor=HR,
            extender=plan.hr.name, now=end - dt.timedelta(hours=3),
            options=case_extension.ExtensionOptions(
                converter, dt.timedelta(days=14), "Acme", max_days=30))
        acknowledge(sessions, extension.amendment_envelope_id, end - dt.timedelta(hours=2))
        outbox.run_once(sessions, {"finalize": finalizer}, now=end - dt.timedelta(hours=1))
        end += dt.timedelta(days=14)
    case_service.sweep(sessions, now=end)
    with sessions.begin() as session:
        case_close.propose_outcome(session, envelope_id, OutcomeForm("not_met", "Below.", {
            str(g): {"assessment": "not met", "result": "below target",
                     "evidence": "The final review's figures."}
            for g in range(1, goals + 1)}), actor=MANAGER, proposer=plan.manager.name,
            now=end)
    letter_id = case_close.approve_outcome(
        sessions, envelope_id, actor=HR, approver=plan.hr.name,
        options=case_close.LetterOptions(converter, dt.timedelta(days=14), "Acme"),
        now=end + dt.timedelta(hours=1))
    acknowledged = end + dt.timedelta(days=1)
    acknowledge(sessions, letter_id, acknowledged)
    return acknowledged


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--extended", action="store_true",
                        help="Extend each case (14 days, goal 1 adjusted) before its outcome.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-case-close-"))
    server = None
    if args.postgresql:
        from testsupport.pgserver import PostgresServer

        server = PostgresServer()
        server.start()
        url = server.url(server.create_database())
    else:
        url = f"sqlite:///{folder / 'plansign.db'}"
    try:
        run(args, folder, url)
    finally:
        if server is not None:
            server.stop()


def run(args: argparse.Namespace, folder: Path, url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    data = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    data["routing"] = {"manager": "none", "hr": "none"}
    data["checkins"]["cadence"] = "weekly"
    plan = load_plan(PLAN).model_validate(data)
    assert len(schedule_for(plan).checkins) == 13, len(schedule_for(plan).checkins)
    key = create_self_signed(folder / "key", "Acme", now=dt.datetime.now(dt.UTC)
                             - dt.timedelta(days=400))
    store = FolderStore(folder / "archive")
    finalizer = Finalizer(sessions, store, sealing_key=lambda: key, company_name="Acme")
    maker = CaseFileMaker(sessions, store, sealing_key=lambda: key, company_name="Acme")
    wall: dict[str, list[float]] = {s: [] for s in STEPS}
    cpu: list[float] = []
    with ConverterPool(1, timeout=120) as pool:
        pool.start()
        converter = RememberingConverter(pool)
        for round_ in range(args.rounds + 1):  # the first warms the process
            acknowledged = closing_case(sessions, converter, finalizer, data, plan,
                                        args.extended)
            at = acknowledged + dt.timedelta(minutes=1)
            cpu0, started = time.process_time(), time.perf_counter()
            assert outbox.run_once(sessions, {"finalize": finalizer}, now=at) == 1
            letter = time.perf_counter() - started
            assert outbox.run_once(sessions, {"case_file": maker}, now=at) == 1
            total = time.perf_counter() - started
            used = time.process_time() - cpu0
            if round_ == 0:
                continue
            wall["letter"].append(letter)
            for step in ("gather", "pages", "merge", "seal", "archive"):
                wall[step].append(maker.timings.get(step, 0.0))
            wall["total"].append(total)
            cpu.append(used)
    extended = ", extended by 14 days (amendment included)" if args.extended else ""
    print(f"case close, 90-day plan, 13 check-ins{extended}, {args.rounds} rounds, "
          f"{engine.dialect.name}, {os.cpu_count()} CPUs")
    print(f"{'step':<8} {'p50 ms':>8} {'p95 ms':>8}")
    for step in STEPS:
        print(f"{step:<8} {statistics.median(wall[step]) * 1000:8.0f} "
              f"{percentile(wall[step], 0.95) * 1000:8.0f}")
    print(f"CPU (total) p50 {statistics.median(cpu) * 1000:.0f} ms, "
          f"p95 {percentile(cpu, 0.95) * 1000:.0f} ms; peak memory {own_peak_mb():.0f} MB")
    engine.dispose()


if __name__ == "__main__":
    main()

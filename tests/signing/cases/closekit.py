"""A plan's case taken to its close on the database with real parts: the 30-day example
plan sent (real LibreOffice), acknowledged and finalized into the archive, its five
weekly check-ins recorded (the third missed, the second answered with a comment in
Arabic, the fourth unanswered), then the outcome proposed. For the case close's tests
and bench/bench_case_close.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.orm import Session, sessionmaker

from docgen import load_plan, resolve_template, schedule_for
from docgen.generate import PdfConverter
from docgen.model import Plan
from signing.domain import case_close, case_extension, case_service, outbox
from signing.domain import envelopes as svc
from signing.domain.case_service import CaseSettings
from signing.domain.cases import CheckinForm
from signing.domain.cases.extension import ExtensionForm
from signing.domain.cases.outcome import OutcomeForm
from signing.domain.finalize import Finalizer
from signing.domain.sending import SendOptions, send_plan
from signing.domain.wording import CONSENT, STATEMENT
from tests.conftest import EXAMPLE_PLANS
from testsupport.casekit import ARABIC_COMMENT

PLAN_PATH = EXAMPLE_PLANS / "support-agent-30d.yaml"
PLAN: Plan = load_plan(PLAN_PATH)
ZONE = ZoneInfo("Europe/Zurich")
SENT = dt.datetime(2027, 1, 8, 9, 0, tzinfo=dt.UTC)
HR = svc.Actor("person:sofia")
MANAGER = svc.Actor("person:juerg")
SETTINGS = CaseSettings(grace=dt.timedelta(days=2), alert=dt.timedelta(days=3),
                        answer=dt.timedelta(days=5))
# The plan ran Monday 11 January to 10 February 2027; the final review is that day.
END = schedule_for(PLAN).end
AT_END = dt.datetime.combine(END, dt.time(15, 0), tzinfo=dt.UTC)
EVIDENCE = {
    "1": {"assessment": "not met", "result": "84% in week 4, 86% in week 5",
          "evidence": "Zendesk first-response report of 9 February 2027."},
    "2": {"assessment": "partly met", "result": "2 h 10 min in week 5",
          "evidence": "Handling-time export of 9 February 2027, tickets #204311-#204377."},
    "3": {"assessment": "not met", "result": "3 pending tickets over 2 business days",
          "evidence": "Pending-queue check of 10 February 2027."},
}


@dataclass(frozen=True)
class Parts:
    sessions: sessionmaker[Session]
    converter: PdfConverter
    finalizer: Finalizer
    options: case_close.LetterOptions


def letter_options(converter: PdfConverter) -> case_close.LetterOptions:
    return case_close.LetterOptions(converter=converter, expires_in=dt.timedelta(days=14),
                                    company_name="Fallback Co")


def archived_plan(parts: Parts, language: str | None = None) -> str:
    """The example plan sent to the employee alone, acknowledged and archived (in
    ``language`` when given)."""
    data = yaml.safe_load(PLAN_PATH.read_text(encoding="utf-8"))
    data["routing"] = {"manager": "none", "hr": "none"}
    if language:
        data["language"] = language
    envelope_id = send_plan(parts.sessions, data, options=SendOptions(
        template=resolve_template("standard", language=language or "en"),
        company_name="Fallback Co",
        expires_in=dt.timedelta(days=14)), converter=parts.converter, actor=HR, now=SENT)
    acknowledge(parts.sessions, envelope_id, SENT + dt.timedelta(hours=3))
    finalize(parts, SENT + dt.timedelta(hours=4))
    return envelope_id


def acknowledge(sessions: sessionmaker[Session], envelope_id: str, at: dt.datetime) -> None:
    with sessions.begin() as session:
        signer = next(s for s in svc.load(session, envelope_id).signers
                      if s.role == "employee")
        svc.perform(session, envelope_id, "acknowledge", signer_id=signer.id,
                    typed_name=signer.name, consent=True, statement=STATEMENT,
                    consent_text=CONSENT, actor=svc.Actor(f"signer:{signer.id}"), now=at)


def finalize(parts: Parts, at: dt.datetime) -> None:
    outbox.run_once(parts.sessions, {"finalize": parts.finalizer}, now=at)


def checkin_form(number: int, *, weeks: int = 5) -> CheckinForm:
    meeting = schedule_for(PLAN).checkins[number - 1]
    if number == 3:
        return CheckinForm(meeting=str(number), missed_reason="The manager was off sick; "
                           "the meeting could not be moved within the week.")
    share = number / weeks
    goals = {"1": {"status": "at_risk", "value": str(round(62 + 24 * share, 1)),
                   "note": "Checked against the weekly Zendesk report."},
             "2": {"status": "on_track", "value": str(round(3.5 - 1.3 * share, 2))},
             "3": {"status": "off_track" if number < 4 else "at_risk",
                   "value": str(max(0, 9 - 2 * number))}}
    return CheckinForm(
        meeting=str(number), held_at=meeting.starts.strftime("%Y-%m-%dT%H:%M"),
        attendees=[PLAN.manager.name, PLAN.employee.name], goals=goals,
        notes=f"Week {number}: reviewed the queue figures together.",
        support_given="Coaching with the team lead on Tuesday.",
        next_steps="Keep the morning triage slot.",
        employee_view="The new queue filter helps." if number % 2 else "")


def record_checkins(sessions: sessionmaker[Session], envelope_id: str,
                    meetings: int = 5) -> None:
    """Every meeting recorded two hours after it ended; the employee acknowledges each
    the next day, comments on the second in Arabic, and leaves the fourth unanswered
    (the sweep records it so)."""
    schedule = schedule_for(PLAN).checkins
    for number in range(1, meetings + 1):
        at = schedule[number - 1].ends.astimezone(dt.UTC) + dt.timedelta(hours=2)
        with sessions.begin() as session:
            record = case_service.record_checkin(
                session, envelope_id, checkin_form(number, weeks=meetings), actor=MANAGER,
                recorder=PLAN.manager.name, now=at, settings=SETTINGS)
        employee = svc.Actor("signer:employee")
        if number == 2:
            with sessions.begin() as session:
                case_service.comment_on_checkin(session, record.id, ARABIC_COMMENT,
                                                actor=employee, now=at + dt.timedelta(days=1))
        if number != 4:
            with sessions.begin() as session:
                case_service.acknowledge_checkin(session, record.id, actor=employee,
                                                 now=at + dt.timedelta(days=1, hours=1))
    case_service.sweep(sessions, now=AT_END, settings=SETTINGS)


def propose(sessions: sessionmaker[Session], envelope_id: str, at: dt.datetime = AT_END,
            **changes: object) -> None:
    fields: dict[str, object] = {"outcome": "not_met", "goals": EVIDENCE,
                                 "summary": "Goals 1 and 3 stayed below their targets."}
    fields.update(changes)
    with sessions.begin() as session:
        case_close.propose_outcome(session, envelope_id, OutcomeForm(**fields),  # type: ignore[arg-type]
                                   actor=MANAGER, proposer=PLAN.manager.name, now=at)


# The extension the end-to-end test makes: a week more, goal 1's target adjusted.
EXTENSION_DAYS = 7
AMENDED_TARGET = "88% or more in each of weeks 5 and 6"


def extension_options(converter: PdfConverter, max_days: int = 30
                      ) -> case_extension.ExtensionOptions:
    return case_extension.ExtensionOptions(max_days=max_days, converter=converter,
                                           expires_in=dt.timedelta(days=14),
                                           company_name="Fallback Co")


def extend(parts: Parts, envelope_id: str, at: dt.datetime, *, days: int = EXTENSION_DAYS,
           reason: str = "Clear progress on goal 1; a week more to show it holds.",
           goals: object = ({"goal": 1, "target": AMENDED_TARGET},), cadence: str = "",
           max_days: int = 30) -> case_extension.ExtensionRecord:
    return case_extension.extend_case(
        parts.sessions, envelope_id, ExtensionForm(days, reason, cadence, goals),  # type: ignore[arg-type]
        actor=HR, extender=PLAN.hr.name, options=extension_options(parts.converter, max_days),
        now=at)


def approve(parts: Parts, envelope_id: str, at: dt.datetime = AT_END) -> str:
    return case_close.approve_outcome(parts.sessions, envelope_id, actor=HR,
                                      approver=PLAN.hr.name, options=parts.options,
                                      now=at + dt.timedelta(hours=1))

"""Extending a plan's case, at the edge: the pure rules of
:mod:`signing.domain.cases.extension` over the tables, the signing flow and the outbox.

:func:`extend_case`: HR (of the plan's team, or admins: the callers check) extend an
open case by some days, with a reason and, if need be, adjusted goals or a new cadence
from now on. Every extension, adjusted goals or not, makes an amended plan document
(the same template, the plan's language, each page marked "Amendment N of the plan of
<date>") that goes to the employee through the signing flow as an envelope of its own
(``document_kind = amendment``, ``case_id``, ``amendment_number``), as the outcome letter
does: the end date and the meetings the employee acknowledged have changed, so the
record keeps a document that states the new ones, acknowledged. The signed plan stays in
the record unchanged.

The amended plan is rendered and converted outside any transaction (LibreOffice is
slow); then, in one transaction with the plan's envelope locked, the rules run again
(two HR extending at once: the second is told), the extension's row is written, the
case moves to ``extended`` with its new end, the amendment's envelope is made and sent,
and ``case.extended`` goes on the plan's audit chain with the thin webhook and the
calendar emails (new meetings as ``METHOD:REQUEST``, cancelled ones as
``METHOD:CANCEL``) to the employee and the manager.

When the amendment's record is archived (the finalizer's transaction),
:func:`amendment_archived` records it on the case, as
:func:`signing.domain.case_close.letter_archived` does for the outcome letter.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from docgen import Amendment, Plan, plan_from_data
from docgen.generate import render_plan
from docgen.render import BUILTIN_TEMPLATES
from docgen.schedule import Meeting
from signing.domain import case_close, case_service, envelopes
from signing.domain import workflow as wf
from signing.domain.case_documents import CaseDocumentOptions
from signing.domain.cases import Case, CaseError, CaseState
from signing.domain.cases.extension import (
    ExtensionDecision,
    ExtensionForm,
    GoalChange,
    added,
    amended_plan_data,
    cancelled,
    decide,
    meetings,
)
from signing.domain.cases.outcome import ProposalState
from signing.domain.errors import Wording
from signing.domain.events import EventType
from signing.domain.models import AuditEventRow, CaseRow, EnvelopeRow, ExtensionRow
from signing.domain.wording import N_
from signing.domain.working_day import working_day

# The outbox's email of the meetings an extension adds and cancels (signing.domain.notify).
CALENDAR_EMAIL = "extension_calendar"


class ExtensionChanged(CaseError):
    """The case changed (another extension, a check-in that moved the schedule, its
    close) while the amended plan was being made."""

    def __init__(self) -> None:
        # No field of the form is wrong: the case itself moved on (the console shows it
        # above the form, the API names no field).
        super().__init__(Wording(N_("the case changed while the amended plan was being made "
                                    "(someone else extended or closed it); read it again, "
                                    "then extend it if it still needs it")), None)


@dataclass(frozen=True)
class ExtensionOptions(CaseDocumentOptions):
    """How an extension is checked and its amended plan made and sent: as the plan itself
    was (:class:`CaseDocumentOptions`), at most ``max_days`` at a time."""

    max_days: int = field(kw_only=True)

    @classmethod
    def own_settings(cls, settings: Mapping[str, Any]) -> dict[str, Any]:
        return {"max_days": int(settings["case_max_extension_days"])}


@dataclass(frozen=True)
class ExtensionRecord:
    """One extension as the console, the API and the CLI show it."""

    number: int
    days: int
    reason: str
    new_end: dt.date
    cadence: str | None
    goals: tuple[GoalChange, ...]
    by: str
    at: dt.datetime
    amendment_envelope_id: str | None
    amendment_state: str | None
    amendment_archived_at: dt.datetime | None

    @classmethod
    def of(cls, row: ExtensionRow, amendment_state: str | None) -> ExtensionRecord:
        return cls(row.number, row.days, row.reason, row.new_end, row.cadence,
                   tuple(GoalChange.of(g) for g in row.amended_goals), row.extended_by,
                   row.extended_at, row.amendment_envelope_id, amendment_state,
                   row.amendment_archived_at)


def extension_form(data: Any) -> ExtensionForm:
    """An extension as a body or file gives it: ``days``, ``reason``, optionally
    ``cadence`` and ``goals`` (a list of ``{goal, statement, metric, baseline,
    target}``), shape checked; the rules check the rest."""
    if not isinstance(data, Mapping):
        raise CaseError(Wording(N_("give the extension as a mapping: days, reason, and "
                                   "optionally goals and cadence")), None)
    known = {"days", "reason", "cadence", "goals"}
    for key in data:
        if key not in known:
            raise CaseError(Wording(N_("unknown field; the fields are %(fields)s"),
                                    fields=", ".join(sorted(known))), str(key)[:40])
    for name in ("reason", "cadence"):
        if data.get(name) is not None and not isinstance(data.get(name), str):
            raise CaseError(Wording(N_("give this as text")), name)
    days = data.get("days")
    if days is None:
        raise CaseError(Wording(N_("give the number of days to extend the plan by")), "days")
    goals = data.get("goals") or []
    return ExtensionForm(days if isinstance(days, int | str) else str(days),
                         str(data.get("reason") or ""), str(data.get("cadence") or ""), goals)


# -- reading -----------------------------------------------------------------------------


def read_extensions(session: Session, envelope_id: str) -> tuple[ExtensionRecord, ...]:
    rows = case_service.extension_rows(session, envelope_id)
    ids = [r.amendment_envelope_id for r in rows if r.amendment_envelope_id]
    states: dict[str, str] = {}
    if ids:
        states = {id_: state for id_, state in session.execute(
            select(EnvelopeRow.id, EnvelopeRow.state).where(EnvelopeRow.id.in_(ids)))}
    return tuple(ExtensionRecord.of(r, states.get(r.amendment_envelope_id or ""))
                 for r in rows)


# -- extending ---------------------------------------------------------------------------


def extend_case(sessions: sessionmaker[Session], envelope_id: str, form: ExtensionForm, *,
                actor: envelopes.Actor, extender: str, options: ExtensionOptions,
                now: dt.datetime) -> ExtensionRecord:
    """Extend the case of ``envelope_id`` (see the module's words). Raises
    :class:`CaseError` naming the field (``days``, ``reason``, ``goals[0]``),
    :class:`~signing.domain.cases.CaseClosed` or :class:`ExtensionChanged`, with nothing
    written."""
    with sessions() as session:
        envelope, plan, row, case = _read(session, envelope_id, now=now)
        decision = _decide(plan, row, case, form, options, now)
        amended = amended_plan_data(case_service.effective_plan_data(
            envelope.plan_data, case_service.extension_rows(session, envelope_id)),
                                    new_end=decision.new_end, cadence=decision.cadence,
                                    changes=decision.goals)
        template, plan_date = envelope.template, amended_plan_date(session, envelope_id, plan, now)
        employee = next(s for s in envelope.signers if s.role == wf.Role.EMPLOYEE)
        team, drafted_by = envelope.team, envelope.drafted_by
    pdf = amendment_pdf(amended, template, Amendment(decision.number, plan_date),
                        options=options, now=now, meetings=decision.after)
    with sessions.begin() as session:
        envelope, plan, row, case = _read(session, envelope_id, now=now, lock=True)
        if _decide(plan, row, case, form, options, now) != decision:
            raise ExtensionChanged()
        assert row is not None  # opened under the lock
        ext = ExtensionRow(
            id=str(uuid.uuid4()), envelope_id=envelope_id, number=decision.number,
            days=decision.days, reason=decision.reason, new_end=decision.new_end,
            cadence=str(decision.cadence) if decision.cadence else None,
            amended_goals=[g.data() for g in decision.goals], extended_by=extender,
            extended_at=now)
        session.add(ext)
        row.state, row.end = CaseState.EXTENDED, decision.new_end
        amendment_id = envelopes.create_envelope(
            session, plan_data=amended, template=template, pdf=pdf,
            signers=[envelopes.SignerSpec(wf.Role.EMPLOYEE, employee.name, employee.email, 1)],
            actor=actor, now=now, team=team, drafted_by=drafted_by)
        amendment = session.get_one(EnvelopeRow, amendment_id)
        amendment.document_kind, amendment.case_id = case_close.AMENDMENT, envelope_id
        amendment.amendment_number = decision.number
        envelopes.perform(session, amendment_id, wf.Action.SEND, actor=actor, now=now,
                          expires_in=options.expires_in,
                          working_day=working_day(plan, options.day_ends))
        ext.amendment_envelope_id = amendment_id
        session.flush()
        envelopes.record_events(session, envelope_id, [wf.Event(
            EventType.CASE_EXTENDED, data=_event_data(decision, extender, amendment_id))],
            _effects(decision, envelope), actor=actor, now=now)
    return ExtensionRecord.of(ext, wf.EnvelopeState.SENT)


def amendment_pdf(plan_data: dict[str, Any], template: str, amendment: Amendment, *,
                  options: ExtensionOptions, now: dt.datetime,
                  meetings: tuple[Meeting, ...] | None = None) -> bytes:
    """The amended plan's PDF: the plan's template in the plan's language, every page
    marked as this amendment of the plan, listing the case's ``meetings`` (those held
    stay as they were; a new cadence runs from the extension on)."""
    plan = plan_from_data(plan_data, stored=True)
    path = options.templates_dir / f"{template}.docx"
    if not path.exists():  # a template since removed: the standard one says the same
        path = BUILTIN_TEMPLATES / "standard.docx"
    docx = render_plan(plan, path, company_name=options.company_name,
                       generated_on=now.date(), amendment=amendment, logo=options.logo,
                       meetings=meetings)
    return options.converter.convert(docx)


def amendment_archived(session: Session, amendment: EnvelopeRow, *, now: dt.datetime) -> None:
    """The amended plan's record is archived (the finalizer's transaction, its row
    locked): the case records it (``case.amendment_archived`` on the plan's chain).
    Nothing for another document, or when it was recorded before."""
    if amendment.document_kind != case_close.AMENDMENT or amendment.case_id is None:
        return
    envelopes.load(session, amendment.case_id, lock=True)
    ext = session.scalars(select(ExtensionRow).where(
        ExtensionRow.envelope_id == amendment.case_id,
        ExtensionRow.amendment_envelope_id == amendment.id)).one_or_none()
    if ext is None:
        return
    session.refresh(ext)
    if ext.amendment_archived_at is not None:
        return
    ext.amendment_archived_at = now
    employee = next((s for s in amendment.signers if s.role == wf.Role.EMPLOYEE), None)
    envelopes.record_events(session, amendment.case_id, [wf.Event(
        EventType.CASE_AMENDMENT_ARCHIVED, data={
            "number": ext.number, "amendment_envelope_id": amendment.id,
            "final_sha256": amendment.final_sha256,
            "employee_answer": employee.state if employee is not None else None})],
        actor=envelopes.Actor("worker"), now=now)


# -- the calendar's changes --------------------------------------------------------------


@dataclass(frozen=True)
class CalendarChange:
    """What extension ``number`` changed in the case's meetings: invite to ``added``,
    cancel ``cancelled``; ``total`` meetings in all after it."""

    number: int
    new_end: dt.date
    added: tuple[Meeting, ...]
    cancelled: tuple[Meeting, ...]
    total: int


def calendar_change(session: Session, envelope_id: str, number: int) -> CalendarChange:
    """The meetings extension ``number`` added and cancelled, derived again from the
    case's rows (the outbox row holds nothing but the number)."""
    envelope = envelopes.load(session, envelope_id)
    plan = plan_from_data(envelope.plan_data, stored=True)
    row = session.get_one(CaseRow, envelope_id)
    extended = case_service.extension_rows(session, envelope_id)
    upto = [case_service.extension_of(e) for e in extended if e.number <= number]
    if not upto or upto[-1].number != number:
        raise CaseError(f"the case has no extension {number}", "extension")
    first_end = upto[0].new_end - dt.timedelta(days=upto[0].days)
    checkins = [r.checkin for r in case_service.read_case(session, envelope_id,
                                                          now=upto[-1].at).records]
    before = Case(envelope_id, CaseState.ACTIVE, row.start,
                  upto[-2].new_end if len(upto) > 1 else first_end, tuple(checkins),
                  tuple(upto[:-1]))
    after = Case(envelope_id, CaseState.EXTENDED, row.start, upto[-1].new_end,
                 tuple(checkins), tuple(upto))
    old, new = meetings(plan.checkins, before), meetings(plan.checkins, after)
    return CalendarChange(number, upto[-1].new_end, added(old, new), cancelled(old, new),
                          len(new))


# -- helpers -----------------------------------------------------------------------------


def _read(session: Session, envelope_id: str, *, now: dt.datetime, lock: bool = False
          ) -> tuple[EnvelopeRow, Plan, CaseRow | None, Case]:
    """The plan's envelope, its plan as amended so far, its case's row (made if need be
    when locking; None before, for a plan whose case was not opened yet) and the case
    with its check-ins and extensions."""
    if lock:
        envelope = envelopes.load(session, envelope_id, lock=True)
        case_close._require_plan(envelope)
        case_service.open_case(session, envelope_id, now=now)
    view = case_service.read_case(session, envelope_id, now=now)
    row = session.get(CaseRow, envelope_id)
    if row is not None:
        session.refresh(row)
    return envelopes.load(session, envelope_id), view.plan, row, view.case


def _decide(plan: Plan, row: CaseRow | None, case: Case, form: ExtensionForm,
            options: ExtensionOptions, now: dt.datetime) -> ExtensionDecision:
    if row is not None and row.proposal_state == ProposalState.APPROVED:
        # Not the days' fault: no number of days would do. The case is past extending,
        # so no field is named, and the sentence says what happens instead.
        raise CaseError(Wording(N_("the outcome was approved and its letter sent to the "
                                   "employee, so the plan can no longer be extended; nothing "
                                   "was changed, and the case closes with that outcome once "
                                   "the employee answers the letter or its deadline "
                                   "passes")), None)
    # plan.checkins is the signed plan's schedule (extensions amend goals, not it); the
    # case's extensions carry any change of cadence.
    return decide(case, plan.checkins, plan.goals, form, max_days=options.max_days, now=now)


def amended_plan_date(session: Session, envelope_id: str, plan: Plan,
                      otherwise: dt.datetime) -> dt.date:
    """The date of the plan of ``envelope_id`` as its amendments name it: the day it was
    sent, in its check-in zone (``otherwise``'s day, in that zone, for a plan with no
    record of being sent). Every page of an amendment says it, and so does its record's
    (the finalizer)."""
    sent = session.scalar(select(AuditEventRow.at).where(
        AuditEventRow.envelope_id == envelope_id,
        AuditEventRow.type == EventType.ENVELOPE_SENT).order_by(AuditEventRow.seq).limit(1))
    zone = ZoneInfo(plan.checkins.timezone) if plan.checkins else dt.UTC
    return (sent or otherwise).astimezone(zone).date()


def _event_data(decision: ExtensionDecision, extender: str, amendment_id: str
                ) -> dict[str, Any]:
    return {"number": decision.number, "days": decision.days, "reason": decision.reason,
            "new_end": decision.new_end.isoformat(),
            "cadence": str(decision.cadence) if decision.cadence else None,
            "goals": [g.data() for g in decision.goals], "extended_by": extender,
            "amendment_envelope_id": amendment_id,
            "meetings_added": [m.number for m in decision.new_meetings],
            "meetings_cancelled": [m.starts_utc.isoformat()
                                   for m in decision.cancelled_meetings]}


def _effects(decision: ExtensionDecision, envelope: EnvelopeRow) -> list[wf.Effect]:
    effects = [wf.Effect("webhook", EventType.CASE_EXTENDED, data={
        "number": decision.number, "days": decision.days,
        "new_end": decision.new_end.isoformat(), "amended_goals": bool(decision.goals)})]
    if decision.new_meetings or decision.cancelled_meetings:
        # The calendar goes to those who attend the check-ins: employee and manager.
        for role in (wf.Role.EMPLOYEE, wf.Role.MANAGER):
            signer = next((s for s in envelope.signers if s.role == role), None)
            effects.append(wf.Effect("email", CALENDAR_EMAIL,
                                     signer.id if signer is not None else None,
                                     {"extension": decision.number, "to": str(role)}))
    return effects

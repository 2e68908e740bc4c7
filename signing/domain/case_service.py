"""A plan's case at the edge: the pure rules of :mod:`signing.domain.cases` over the
tables (``cases``, ``case_checkins``), the envelope's audit chain and the outbox. The
console, the API, the command line, the employee's check-in page and the worker all
call these functions, and nothing else writes a case.

When a case opens. A plan's case runs from its sending: the plan takes effect on its
start date whether the employee acknowledges it, refuses to sign or says nothing (the
workflow says so), so its check-ins are due, and chased, from then on; waiting for an
acknowledgement would leave a silent employee's meetings unrecorded and unchased, which
is what "skipping check-ins" looks like later. Its row is made when it is first needed:
the worker's sweep makes one for every sent plan of the last :data:`SWEEP_OPENS_DAYS`
days (so each new plan has one within a pass of its sending), and recording a check-in
makes one for an older plan (sent before cases existed). Reading a case never writes:
a plan without a row is read as the active case its plan describes. A draft has no
case, nor has a voided plan (it never took effect, or was withdrawn).

Every change is one transaction of the caller's: the case's rows, the events that
record it on the envelope's audit chain (:func:`envelopes.record_events`, the chain's
one writer, which locks the envelope's row) and the outbox rows (the employee's email,
webhooks), so a crash leaves all or nothing. Each function locks the envelope's row
before it reads the case, so two managers recording the same meeting at once are
served in turn: the second is told (:class:`MeetingAlreadyRecorded`); the unique key
(envelope, meeting) holds it besides.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from docgen import Plan, PlanError, plan_from_data
from docgen.schedule import Meeting, end_date
from signing.domain import cases, envelopes
from signing.domain import workflow as wf
from signing.domain.cases import (
    Case,
    CaseClosed,
    CaseError,
    CaseState,
    Checkin,
    CheckinForm,
    Extension,
    GoalProgress,
    GoalStatus,
    Level,
    MeetingAlreadyRecorded,
)
from signing.domain.cases.checkin_comment import MAX_COMMENT as MAX_COMMENT
from signing.domain.cases.checkin_comment import checked_comment
from signing.domain.cases.extension import GoalChange, amended_goals
from signing.domain.errors import Wording
from signing.domain.events import EventType
from signing.domain.models import AuditEventRow, CaseRow, CheckinRow, EnvelopeRow, ExtensionRow
from signing.domain.wording import N_

log = logging.getLogger(__name__)

# Envelope states whose plan has a case: sent, and every state after (an expired plan
# goes ahead too); not a draft, not a voided plan.
CASE_STATES = frozenset({wf.EnvelopeState.SENT, wf.EnvelopeState.EXPIRED,
                         wf.EnvelopeState.COMPLETED, wf.EnvelopeState.SEALED,
                         wf.EnvelopeState.ARCHIVED})
# The sweep makes the cases of plans sent this recently (a plan lasts 30 to 90 days,
# and may be extended); an older plan's case is made when a check-in is recorded on it.
SWEEP_OPENS_DAYS = 180
# The outbox row that renders, seals and archives the employee's copy of a check-in
# record once their answer settles (signing.domain.checkin_record_task): queued with an
# acknowledgement, a comment, and the record that none came in time.
CHECKIN_RECORD_JOB = "checkin_record"
# What the worker's sweep does in one pass at most (each case is its own transaction).
SWEEP_BATCH = 200

_CASE_EVENTS = (EventType.CHECKIN_RECORDED, EventType.CHECKIN_MISSED,
                EventType.CHECKIN_HR_ALERTED, EventType.CHECKIN_ACKNOWLEDGED,
                EventType.CHECKIN_COMMENTED, EventType.CHECKIN_UNANSWERED)
_LEVEL_EVENTS = {Level.REMIND_MANAGER: EventType.CHECKIN_MISSED,
                 Level.ALERT_HR: EventType.CHECKIN_HR_ALERTED}


class CaseUnavailable(CaseError):
    """The plan has no case: not sent yet, or withdrawn."""


class CheckinNotFound(CaseError):
    def __init__(self) -> None:
        super().__init__("no such check-in record", "checkin_id")


@dataclass(frozen=True)
class CaseSettings:
    """The settings a case's life reads (config/settings.toml, "cases")."""

    grace: dt.timedelta = dt.timedelta(days=2)
    alert: dt.timedelta = dt.timedelta(days=3)
    answer: dt.timedelta = dt.timedelta(days=5)

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> CaseSettings:
        return cls(dt.timedelta(days=settings["checkin_grace_days"]),
                   dt.timedelta(days=settings["checkin_alert_days"]),
                   dt.timedelta(days=settings["checkin_answer_days"]))


@dataclass(frozen=True)
class Comment:
    at: dt.datetime
    text: str


@dataclass(frozen=True)
class CheckinRecord:
    """One check-in as the case shows it: the record, and the employee's answers."""

    id: str
    checkin: Checkin
    acknowledged_at: dt.datetime | None
    answer_due_at: dt.datetime | None
    unanswered_at: dt.datetime | None
    comments: tuple[Comment, ...] = ()

    @property
    def meeting(self) -> int:
        return self.checkin.meeting


@dataclass(frozen=True)
class CaseView:
    """A case as the console, the API and the command line show it."""

    envelope_id: str
    case: Case
    plan: Plan
    schedule: tuple[Meeting, ...]
    zone: str  # the plan's check-in zone, in which held_at is read and dates are shown
    records: tuple[CheckinRecord, ...]
    overdue: tuple[cases.Overdue, ...]
    gaps: tuple[cases.Gap, ...]
    opened_at: dt.datetime | None  # None: no row yet (read as the plan describes it)
    envelope_state: str
    drafted_by: str | None = None
    reminded: frozenset[tuple[int, str]] = field(default_factory=frozenset)

    @property
    def employee_name(self) -> str:
        return self.plan.employee.name

    def record(self, meeting: int) -> CheckinRecord | None:
        return next((r for r in self.records if r.meeting == meeting), None)

    @property
    def next_meeting(self) -> Meeting | None:
        """The first scheduled meeting with no record: the one to record next."""
        recorded = {r.meeting for r in self.records}
        return next((m for m in self.schedule if m.number not in recorded), None)

    def agenda(self, meeting: int) -> tuple[cases.AgendaItem, ...]:
        return cases.agenda(self.plan.goals, self.schedule, meeting)


# -- reading -----------------------------------------------------------------------------


def read_case(session: Session, envelope_id: str, *, now: dt.datetime,
              settings: CaseSettings = CaseSettings()) -> CaseView:
    """The case of ``envelope_id`` as it stands; writes nothing."""
    envelope = _envelope(session, envelope_id)
    extended = extension_rows(session, envelope_id)
    plan = effective_plan(envelope.plan_data, extended)
    row = session.get(CaseRow, envelope_id)
    events = _case_events(session, envelope_id)
    case, records = _case(envelope_id, plan, row, _checkin_rows(session, envelope_id), events,
                          extended)
    schedule = cases.meetings(plan.checkins, case)
    zone = plan.checkins.timezone if plan.checkins else "UTC"
    reminded = frozenset((int(data.get("meeting", 0)), type_) for type_, _, data in events
                         if type_ in (EventType.CHECKIN_MISSED, EventType.CHECKIN_HR_ALERTED))
    return CaseView(envelope_id, case, plan, schedule, zone, records,
                    cases.overdue(case, schedule, now=now, grace=settings.grace,
                                  alert=settings.alert),
                    cases.gaps(case, case.checkins, today=now.astimezone(ZoneInfo(zone)).date(),
                               zone=ZoneInfo(zone)),
                    row.opened_at if row is not None else None, envelope.state,
                    envelope.drafted_by, reminded)


def checkin_of(session: Session, checkin_id: str) -> tuple[CheckinRecord, CaseView]:
    """One check-in record by its id, with its case (the employee's page)."""
    row = session.get(CheckinRow, checkin_id) if _is_id(checkin_id) else None
    if row is None:
        raise CheckinNotFound()
    view = read_case(session, row.envelope_id, now=dt.datetime.now(dt.UTC))
    record = next(r for r in view.records if r.id == checkin_id)
    return record, view


# -- opening -----------------------------------------------------------------------------


def open_case(session: Session, envelope_id: str, *, now: dt.datetime) -> CaseRow:
    """The case's row, made if the plan has none yet (the caller commits). Locks the
    envelope's row first, so two callers make one."""
    envelope = envelopes.load(session, envelope_id, lock=True)
    return _open(session, envelope, now=now)


def _open(session: Session, envelope: EnvelopeRow, *, now: dt.datetime) -> CaseRow:
    row = session.get(CaseRow, envelope.id)
    if row is not None:
        return row
    _require_case(envelope)
    plan = plan_from_data(envelope.plan_data, stored=True)
    # Opened when the plan was sent, whenever its row is made.
    row = CaseRow(envelope_id=envelope.id, state=CaseState.ACTIVE, start=plan.timeline.start,
                  end=end_date(plan.timeline),
                  opened_at=_sent_at(session, envelope.id) or now)
    session.add(row)
    session.flush()
    return row


def _require_case(envelope: EnvelopeRow) -> None:
    if envelope.document_kind != "plan":
        raise CaseUnavailable(Wording(N_("this envelope is a document of a plan's case (its "
                                         "outcome letter, an amendment), not a plan: open "
                                         "the plan's case")))
    if envelope.state == wf.EnvelopeState.VOIDED:
        raise CaseUnavailable(Wording(N_("this plan was withdrawn (voided), so it has no "
                                         "case to record on")))
    if envelope.state not in CASE_STATES:
        raise CaseUnavailable(Wording(N_("this plan has not been sent yet; its case opens "
                                         "when it is sent")))


# -- recording a check-in ----------------------------------------------------------------


_FORM_TEXT = ("held_at", "missed_reason", "notes", "support_given", "next_steps",
              "employee_view")
_GOAL_KEYS = frozenset({"status", "value", "note"})


def checkin_form(data: Any) -> CheckinForm:
    """A check-in as a file gives it (``plansign case checkin --file``: YAML or JSON with
    the API's fields), checked for shape; the rules check the rest."""
    if not isinstance(data, Mapping):
        raise CaseError("give the check-in as a mapping of its fields (meeting, held_at "
                        "or missed_reason, attendees, goals, notes ...)", None)
    known = {"meeting", "attendees", "goals", *_FORM_TEXT}
    for key in data:
        if key not in known:
            raise CaseError(f"unknown field; the fields are {', '.join(sorted(known))}",
                            str(key)[:40])
    meeting = data.get("meeting")
    if not isinstance(meeting, int | str) or isinstance(meeting, bool):
        raise CaseError("give the meeting's number in the plan's schedule", "meeting")
    text = {}
    for key in _FORM_TEXT:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise CaseError("give this as text", key)
        text[key] = value
    attendees = data.get("attendees", [])
    if not isinstance(attendees, list) or not all(isinstance(a, str) for a in attendees):
        raise CaseError("give the attendees as a list of names", "attendees")
    goals = data.get("goals", {})
    if not isinstance(goals, Mapping):
        raise CaseError("give each goal by its number: its status, value and note", "goals")
    parsed: dict[str, dict[str, str]] = {}
    for key, entry in goals.items():
        if not isinstance(entry, Mapping) or not set(entry) <= _GOAL_KEYS:
            raise CaseError("give the goal's status, and optionally its value and note",
                            f"goals[{str(key)[:20]}]")
        value = entry.get("value")
        parsed[str(key)] = {"status": str(entry.get("status", "")),
                            "value": "" if value is None else str(value),
                            "note": str(entry.get("note") or "")}
    return CheckinForm(meeting=str(meeting), attendees=list(attendees), goals=parsed, **text)


def record_checkin(session: Session, envelope_id: str, form: CheckinForm, *,
                   actor: envelopes.Actor, recorder: str, now: dt.datetime,
                   settings: CaseSettings = CaseSettings()) -> CheckinRecord:
    """Record one meeting of the case, held or missed, in the caller's transaction: the
    check-in's row, ``checkin.recorded`` on the audit chain (the whole record, so the
    sealed case file and ``verify`` cover it), the employee's email with a link to read
    and answer it, and the webhook. ``recorder`` is how the record names who recorded
    it (the person's name); ``actor`` goes on the chain. Raises :class:`CaseError`
    (naming the field), :class:`CaseClosed`, :class:`MeetingAlreadyRecorded` or
    :class:`CaseUnavailable`, with nothing written."""
    envelope = envelopes.load(session, envelope_id, lock=True)
    _require_case(envelope)
    extended = extension_rows(session, envelope_id)
    plan = effective_plan(envelope.plan_data, extended)
    case_row = _open(session, envelope, now=now)
    case, _ = _case(envelope_id, plan, case_row, _checkin_rows(session, envelope_id), (),
                    extended)
    schedule = cases.meetings(plan.checkins, case)
    zone = plan.checkins.timezone if plan.checkins else "UTC"
    checkin = cases.record(case, schedule, plan.goals, form, by=recorder, zone=zone, now=now)
    employee = next((s for s in envelope.signers if s.role == wf.Role.EMPLOYEE), None)
    checkin_id = str(uuid.uuid4())
    row = CheckinRow(
        id=checkin_id, envelope_id=envelope_id, meeting=checkin.meeting,
        scheduled_for=checkin.scheduled_for, held_at=checkin.held_at,
        missed_reason=checkin.missed_reason, attendees=list(checkin.attendees),
        goals=[_goal_data(g) for g in checkin.goals], notes=checkin.notes,
        support_given=checkin.support_given, next_steps=checkin.next_steps,
        employee_view=checkin.employee_view, recorded_by=checkin.recorded_by,
        recorded_at=now, answer_due_at=now + settings.answer if employee is not None else None)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        # The lock above serves two recorders in turn; this is the unique key's word
        # for the same, should anything reach the table around it.
        raise MeetingAlreadyRecorded(checkin.meeting, "someone else") from None
    recorded = wf.Event(EventType.CHECKIN_RECORDED, data=_record_data(checkin_id, checkin))
    effects = [wf.Effect("webhook", EventType.CHECKIN_RECORDED,
                         data={"checkin_id": checkin_id, "meeting": checkin.meeting,
                               "held": checkin.held})]
    if employee is not None:
        effects.insert(0, wf.Effect("email", "checkin_record", employee.id,
                                    {"checkin_id": checkin_id,
                                     "answer_by": _iso(row.answer_due_at)}, about=recorded))
    envelopes.record_events(session, envelope_id, [recorded], effects, actor=actor, now=now)
    return CheckinRecord(checkin_id, checkin, None, row.answer_due_at, None)


def _goal_data(progress: GoalProgress) -> dict[str, Any]:
    return {"goal": progress.goal, "status": str(progress.status), "value": progress.value,
            "note": progress.note}


def _record_data(checkin_id: str, checkin: Checkin) -> dict[str, Any]:
    return {"checkin_id": checkin_id, "meeting": checkin.meeting,
            "scheduled_for": _iso(checkin.scheduled_for), "held_at": _iso(checkin.held_at),
            "missed_reason": checkin.missed_reason, "attendees": list(checkin.attendees),
            "goals": [_goal_data(g) for g in checkin.goals], "notes": checkin.notes,
            "support_given": checkin.support_given, "next_steps": checkin.next_steps,
            "employee_view": checkin.employee_view, "recorded_by": checkin.recorded_by}


# -- the employee's answers --------------------------------------------------------------


def acknowledge_checkin(session: Session, checkin_id: str, *, actor: envelopes.Actor,
                        now: dt.datetime) -> bool:
    """The employee acknowledges receiving a check-in record (receipt, not agreement).
    Returns False, recording nothing, when it was already acknowledged."""
    row, employee_id = _answering(session, checkin_id)
    if row.acknowledged_at is not None:
        return False
    row.acknowledged_at, row.answer_due_at = now, None
    envelopes.record_events(session, row.envelope_id, [wf.Event(
        EventType.CHECKIN_ACKNOWLEDGED, employee_id,
        {"checkin_id": row.id, "meeting": row.meeting,
         "statement": "I have received this record of the check-in meeting. Acknowledging "
                      "receipt does not mean that I agree with it."})],
        [_record_job(row.id)], actor=actor, now=now)
    return True


def comment_on_checkin(session: Session, checkin_id: str, text: str, *,
                       actor: envelopes.Actor, now: dt.datetime,
                       timezone: str | None = None) -> None:
    """The employee's comment on a check-in record, kept on the audit chain beside it."""
    row, employee_id = _answering(session, checkin_id)
    comment = checked_comment(text)
    row.answer_due_at = None
    data: dict[str, Any] = {"checkin_id": row.id, "meeting": row.meeting, "comment": comment}
    if timezone and wf.valid_timezone(timezone):
        data["timezone"] = timezone
    envelopes.record_events(session, row.envelope_id,
                            [wf.Event(EventType.CHECKIN_COMMENTED, employee_id, data)],
                            [_record_job(row.id)], actor=actor, now=now)


def _record_job(checkin_id: str) -> wf.Effect:
    return wf.Effect(CHECKIN_RECORD_JOB, CHECKIN_RECORD_JOB, data={"checkin_id": checkin_id})


def _answering(session: Session, checkin_id: str) -> tuple[CheckinRow, str]:
    """The check-in row an employee answers, its envelope locked; its case still open."""
    row = session.get(CheckinRow, checkin_id) if _is_id(checkin_id) else None
    if row is None:
        raise CheckinNotFound()
    envelope = envelopes.load(session, row.envelope_id, lock=True)
    _require_case(envelope)
    case_row = session.get_one(CaseRow, row.envelope_id)
    if case_row.state == CaseState.CLOSED:
        raise CaseClosed(row.envelope_id)
    session.refresh(row)  # as it stands now that the envelope is ours
    employee = next(s for s in envelope.signers if s.role == wf.Role.EMPLOYEE)
    return row, employee.id


# -- the worker's sweep ------------------------------------------------------------------


@dataclass
class SweepResult:
    opened: list[str] = field(default_factory=list)
    reminded: list[tuple[str, int]] = field(default_factory=list)  # (envelope, meeting)
    alerted: list[tuple[str, int]] = field(default_factory=list)
    unanswered: list[tuple[str, int]] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        return bool(self.opened or self.reminded or self.alerted or self.unanswered)


# A worker's memory of when each open case may next need chasing, by (envelope, end):
# nothing can fall due on a case before then (recording a check-in or another worker's
# reminder only leaves less to do), and an extension, which adds meetings, moves the end.
QuietUntil = dict[tuple[str, dt.date], dt.datetime | None]


def sweep(sessions: sessionmaker[Session], *, now: dt.datetime,
          settings: CaseSettings = CaseSettings(),
          quiet_until: QuietUntil | None = None) -> SweepResult:
    """One pass of the worker over the cases: make the cases of newly sent plans, remind
    managers of unrecorded meetings past their grace period (``checkin.missed``, once a
    meeting) and alert HR after the second period, and record check-in records the
    employee did not answer in time. Each case is its own transaction, with its
    envelope's row locked and what was already done read again under the lock, so a
    pass run twice, or by two workers at once, mails nothing twice.

    ``quiet_until`` (the worker keeps one between passes) skips the cases that cannot
    need anything yet; without it every open case is read."""
    result = SweepResult()
    with sessions() as session:
        to_open = list(session.scalars(
            select(EnvelopeRow.id)
            .where(EnvelopeRow.state.in_(CASE_STATES), EnvelopeRow.document_kind == "plan",
                   EnvelopeRow.created_at >= now - dt.timedelta(days=SWEEP_OPENS_DAYS),
                   ~EnvelopeRow.id.in_(select(CaseRow.envelope_id)))
            .order_by(EnvelopeRow.created_at).limit(SWEEP_BATCH)))
    for envelope_id in to_open:
        with _each_case(envelope_id), sessions.begin() as session:
            envelope = envelopes.load(session, envelope_id, lock=True)
            if envelope.state in CASE_STATES and session.get(CaseRow, envelope_id) is None:
                _open(session, envelope, now=now)
                result.opened.append(envelope_id)
    with sessions() as session:
        open_cases = list(session.execute(
            select(CaseRow.envelope_id, CaseRow.end)
            .join(EnvelopeRow, EnvelopeRow.id == CaseRow.envelope_id)
            .where(CaseRow.state != CaseState.CLOSED, EnvelopeRow.state.in_(CASE_STATES))
            .order_by(CaseRow.opened_at)))
    seen: QuietUntil = {}
    for envelope_id, end in open_cases:
        key = (envelope_id, end)
        if quiet_until is not None and key in quiet_until:
            until = quiet_until[key]
            if until is None or now < until:
                seen[key] = until
                continue
        with _each_case(envelope_id):
            seen[key] = _chase(sessions, envelope_id, now=now, settings=settings,
                               result=result)
    if quiet_until is not None:  # only the cases still open
        quiet_until.clear()
        quiet_until.update(seen)
    with sessions() as session:
        due = list(session.execute(
            select(CheckinRow.id, CheckinRow.envelope_id)
            .where(CheckinRow.answer_due_at <= now, CheckinRow.unanswered_at.is_(None),
                   CheckinRow.acknowledged_at.is_(None))
            .order_by(CheckinRow.answer_due_at).limit(SWEEP_BATCH)))
    for checkin_id, envelope_id in due:
        with sessions.begin() as session:
            envelopes.load(session, envelope_id, lock=True)
            row = session.get_one(CheckinRow, checkin_id)
            session.refresh(row)
            if (row.answer_due_at is None or row.answer_due_at > now
                    or row.unanswered_at is not None or row.acknowledged_at is not None):
                continue
            row.unanswered_at = now
            envelopes.record_events(session, envelope_id, [wf.Event(
                EventType.CHECKIN_UNANSWERED, data={
                    "checkin_id": row.id, "meeting": row.meeting,
                    "answer_due_at": _iso(row.answer_due_at)})],
                [_record_job(row.id)], actor=envelopes.Actor("worker"), now=now)
            result.unanswered.append((envelope_id, row.meeting))
    return result


@contextlib.contextmanager
def _each_case(envelope_id: str) -> Iterator[None]:
    """One case's failure (a plan that cannot be read, a bug) is logged and leaves the
    others to be swept; the database being away stops the sweep (the worker waits)."""
    try:
        yield
    except (OperationalError, CaseError, PlanError) as exc:
        if isinstance(exc, OperationalError):
            raise
        log.warning("the case of envelope %s was not swept: %s", envelope_id, exc)
    except DBAPIError:
        raise
    except Exception:
        log.exception("the case of envelope %s was not swept", envelope_id)


def _chase(sessions: sessionmaker[Session], envelope_id: str, *, now: dt.datetime,
           settings: CaseSettings, result: SweepResult) -> dt.datetime | None:
    """Remind and alert about one case's unrecorded meetings (the envelope is locked only
    when something is to be sent); returns when the case may next need chasing (None:
    not before its end moves)."""
    with sessions() as session:
        due, following = _due_levels(session, envelope_id, now=now, settings=settings)
    if not due:
        return following
    with sessions.begin() as session:
        envelopes.load(session, envelope_id, lock=True)
        due, following = _due_levels(session, envelope_id, now=now,
                                     settings=settings)  # again, locked
        events: list[wf.Event] = []
        effects: list[wf.Effect] = []
        for overdue, level in due:
            meeting = overdue.meeting
            event = wf.Event(_LEVEL_EVENTS[level], data={
                "meeting": meeting.number, "scheduled_for": _iso(meeting.starts_utc),
                "level": str(level)})
            events.append(event)
            name = ("checkin_overdue_manager" if level is Level.REMIND_MANAGER
                    else "checkin_overdue_hr")
            effects.append(wf.Effect("email", name, None, {"meeting": meeting.number},
                                     about=event))
            if level is Level.REMIND_MANAGER:
                effects.append(wf.Effect("webhook", EventType.CHECKIN_MISSED,
                                         data={"meeting": meeting.number,
                                               "scheduled_for": _iso(meeting.starts_utc)}))
                result.reminded.append((envelope_id, meeting.number))
            else:
                result.alerted.append((envelope_id, meeting.number))
        if events:
            envelopes.record_events(session, envelope_id, events, effects,
                                    actor=envelopes.Actor("worker"), now=now)
    return following


def _due_levels(session: Session, envelope_id: str, *, now: dt.datetime,
                settings: CaseSettings
                ) -> tuple[list[tuple[cases.Overdue, Level]], dt.datetime | None]:
    """Each level reached by an unrecorded meeting and not yet acted on (a meeting found
    only at the second level, the worker having been away, reminds its manager too), and
    the next moment another level falls due (None: none will, on this schedule)."""
    view = read_case(session, envelope_id, now=now, settings=settings)
    opened = view.opened_at
    recorded = {r.meeting for r in view.records}
    following = min((at for meeting in view.schedule if meeting.number not in recorded
                     and (opened is None or meeting.ends.astimezone(dt.UTC) >= opened)
                     for at in (meeting.ends.astimezone(dt.UTC) + settings.grace,
                                meeting.ends.astimezone(dt.UTC) + settings.grace
                                + settings.alert)
                     if at > now), default=None)
    due = []
    for overdue in view.overdue:
        if opened is not None and overdue.meeting.ends.astimezone(dt.UTC) < opened:
            continue  # over before the plan was sent: nothing to chase
        levels = ([Level.REMIND_MANAGER] if overdue.level is Level.REMIND_MANAGER
                  else [Level.REMIND_MANAGER, Level.ALERT_HR])
        due += [(overdue, level) for level in levels
                if (overdue.meeting.number, _LEVEL_EVENTS[level]) not in view.reminded]
    return due, following


# -- helpers -----------------------------------------------------------------------------


def _envelope(session: Session, envelope_id: str) -> EnvelopeRow:
    row = session.get(EnvelopeRow, envelope_id)
    if row is None:
        raise envelopes.EnvelopeNotFound(envelope_id)
    _require_case(row)
    return row


def _checkin_rows(session: Session, envelope_id: str) -> list[CheckinRow]:
    return list(session.scalars(select(CheckinRow).where(CheckinRow.envelope_id == envelope_id)
                                .order_by(CheckinRow.meeting)))


def _case_events(session: Session, envelope_id: str
                 ) -> list[tuple[str, dt.datetime, dict[str, Any]]]:
    return [(t, at, dict(data)) for t, at, data in session.execute(
        select(AuditEventRow.type, AuditEventRow.at, AuditEventRow.data)
        .where(AuditEventRow.envelope_id == envelope_id,
               AuditEventRow.type.in_(_CASE_EVENTS))
        .order_by(AuditEventRow.seq))]


def _sent_at(session: Session, envelope_id: str) -> dt.datetime | None:
    return session.scalar(select(AuditEventRow.at).where(
        AuditEventRow.envelope_id == envelope_id,
        AuditEventRow.type == EventType.ENVELOPE_SENT).order_by(AuditEventRow.seq).limit(1))


def extension_rows(session: Session, envelope_id: str) -> list[ExtensionRow]:
    """The case's extensions, first first."""
    return list(session.scalars(select(ExtensionRow).where(
        ExtensionRow.envelope_id == envelope_id).order_by(ExtensionRow.number)))


def effective_plan(plan_data: Mapping[str, Any], extended: Sequence[ExtensionRow]) -> Plan:
    """The plan as its case follows it: the signed plan with each extension's adjusted
    goals applied in turn (its dates and schedule are the case's own)."""
    return plan_from_data(effective_plan_data(plan_data, extended), stored=True)


def effective_plan_data(plan_data: Mapping[str, Any], extended: Sequence[ExtensionRow]
                        ) -> dict[str, Any]:
    """The stored plan's data with each extension's adjusted goals applied in turn."""
    goals = list(plan_data.get("goals") or [])
    for e in extended:
        if e.amended_goals:
            goals = amended_goals(goals, [GoalChange.of(g) for g in e.amended_goals])
    return {**plan_data, "goals": goals}


def extension_of(row: ExtensionRow) -> Extension:
    return Extension(row.number, row.days, row.reason, row.new_end, bool(row.amended_goals),
                     row.extended_by, row.extended_at, row.cadence)


def _case(envelope_id: str, plan: Plan, row: CaseRow | None, checkin_rows: Iterable[CheckinRow],
          events: Sequence[tuple[str, dt.datetime, dict[str, Any]]],
          extended: Sequence[ExtensionRow] = ()
          ) -> tuple[Case, tuple[CheckinRecord, ...]]:
    comments: dict[str, list[Comment]] = {}
    for type_, at, data in events:
        if type_ == EventType.CHECKIN_COMMENTED:
            comments.setdefault(str(data.get("checkin_id")), []).append(
                Comment(at, str(data.get("comment", ""))))
    records = tuple(CheckinRecord(r.id, _checkin(r), r.acknowledged_at, r.answer_due_at,
                                  r.unanswered_at, tuple(comments.get(r.id, ())))
                    for r in checkin_rows)
    checkins = tuple(r.checkin for r in records)
    if row is None:
        case = Case(envelope_id, CaseState.ACTIVE, plan.timeline.start,
                    end_date(plan.timeline), checkins)
    else:
        case = Case(envelope_id, CaseState(row.state), row.start, row.end, checkins,
                    tuple(extension_of(e) for e in extended),
                    outcome=cases.Outcome(row.outcome) if row.outcome else None,
                    closed_at=row.closed_at)
    return case, records


def _checkin(row: CheckinRow) -> Checkin:
    return Checkin(
        meeting=row.meeting, scheduled_for=row.scheduled_for, held_at=row.held_at,
        missed_reason=row.missed_reason, attendees=tuple(row.attendees),
        goals=tuple(GoalProgress(int(g["goal"]), GoalStatus(g["status"]), g.get("value"),
                                 g.get("note", "")) for g in row.goals),
        notes=row.notes, support_given=row.support_given, next_steps=row.next_steps,
        employee_view=row.employee_view, recorded_by=row.recorded_by,
        recorded_at=row.recorded_at)


def _iso(when: dt.datetime | None) -> str | None:
    return when.astimezone(dt.UTC).isoformat() if when is not None else None


def _is_id(text: str) -> bool:
    return isinstance(text, str) and 0 < len(text) <= 36


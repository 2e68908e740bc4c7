"""Recording a check-in: what the manager typed in, checked against the plan and the case.

Pure: the case, the plan's meetings and goals, the form as text (from the console, the
API or the command line alike) and an explicit ``now`` in; a :class:`~.model.Checkin`
out, or a :class:`~.model.CaseError` naming the field to correct. The agenda of a
meeting (:func:`agenda`) is the plan's: its goals with their metric, baseline and
target, and the milestones due since the meeting before.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from docgen.model import CheckIns, Goal, Milestone
from docgen.schedule import Meeting
from signing.domain.cases.extension import meetings as extended_meetings
from signing.domain.cases.model import (
    Case,
    CaseClosed,
    CaseError,
    Checkin,
    GoalProgress,
    GoalStatus,
    MeetingAlreadyRecorded,
)
from signing.domain.cases.progress import number_in
from signing.domain.errors import Wording
from signing.domain.wording import N_

MAX_TEXT = 20_000  # notes, support, next steps, the employee's view: each
MAX_REASON = 2_000
MAX_ATTENDEES = 20
MAX_NAME = 200
# A meeting may be recorded this long before it was due (moved earlier that week).
EARLY_BY = dt.timedelta(days=6)


def meetings(checkins: CheckIns | None, case: Case) -> tuple[Meeting, ...]:
    """The case's meetings: the plan's cadence from its start to the case's end, which
    extensions move (numbering goes on from the plan's own meetings; an extension may
    change the cadence from its time on: :func:`.extension.meetings`)."""
    return extended_meetings(checkins, case)


@dataclass(frozen=True)
class AgendaItem:
    goal: int
    statement: str
    metric: str | None
    baseline: str | None
    target: str | None
    milestones_due: tuple[Milestone, ...]


def agenda(goals: Sequence[Goal], schedule: Sequence[Meeting], meeting: int
           ) -> tuple[AgendaItem, ...]:
    """Each goal, with the milestones due since the meeting before (up to this one)."""
    by_number = {m.number: m for m in schedule}
    this = by_number.get(meeting)
    if this is None:
        return ()
    before = by_number.get(meeting - 1)
    since = before.date if before is not None else dt.date.min
    return tuple(AgendaItem(i, g.statement, g.metric, g.baseline, g.target,
                            tuple(m for m in g.milestones if since < m.due <= this.date))
                 for i, g in enumerate(goals, start=1))


@dataclass(frozen=True)
class CheckinForm:
    """A check-in as typed: every field text, as a form or a JSON body gives it.

    ``goals`` maps a goal's number (as text: "1") to its status, value and note. Either
    ``held_at`` (a local date and time in the plan's check-in zone, ``2026-12-14T10:00``)
    or ``missed_reason`` is given, not both."""

    meeting: str
    held_at: str = ""
    missed_reason: str = ""
    attendees: Sequence[str] = ()
    goals: Mapping[str, Mapping[str, str]] | None = None
    notes: str = ""
    support_given: str = ""
    next_steps: str = ""
    employee_view: str = ""


def record(case: Case, schedule: Sequence[Meeting], goals: Sequence[Goal], form: CheckinForm,
           *, by: str, zone: str, now: dt.datetime) -> Checkin:
    """The check-in ``form`` describes, checked; raises :class:`CaseError` (or
    :class:`CaseClosed`, :class:`MeetingAlreadyRecorded`) before anything is recorded."""
    if not case.is_open:
        raise CaseClosed(case.envelope_id)
    meeting = _meeting(form.meeting, schedule)
    earlier = case.checkin(meeting.number)
    if earlier is not None:
        raise MeetingAlreadyRecorded(meeting.number, earlier.recorded_by)
    held_at, missed_reason = _held_or_missed(form, meeting, case, zone, now)
    attendees = _attendees(form.attendees) if held_at is not None else ()
    if held_at is not None and not attendees:
        raise CaseError(Wording(N_("name who attended the meeting (at least one person)")),
                        "attendees")
    progress = _progress(form.goals or {}, goals) if held_at is not None else ()
    return Checkin(
        meeting=meeting.number, scheduled_for=meeting.starts_utc, held_at=held_at,
        missed_reason=missed_reason, attendees=attendees, goals=progress,
        notes=_text(form.notes, "notes"), support_given=_text(form.support_given, "support_given"),
        next_steps=_text(form.next_steps, "next_steps"),
        employee_view=_text(form.employee_view, "employee_view"),
        recorded_by=by, recorded_at=now)


def _meeting(text: str, schedule: Sequence[Meeting]) -> Meeting:
    try:
        number = int(str(text).strip())
    except ValueError:
        number = 0
    found = next((m for m in schedule if m.number == number), None)
    if found is None:
        last = len(schedule)
        raise CaseError(Wording(N_("choose one of the plan's check-ins, 1 to %(last)s"),
                                last=last) if last else
                        Wording(N_("this plan has no check-in schedule; add one by extending "
                                   "the plan")), "meeting")
    return found


def _held_or_missed(form: CheckinForm, meeting: Meeting, case: Case, zone: str,
                    now: dt.datetime) -> tuple[dt.datetime | None, str | None]:
    held, missed = form.held_at.strip(), _clean(form.missed_reason)
    if held and missed:
        raise CaseError(Wording(N_("give when the meeting was held, or why it was missed, "
                                   "not both")), "missed_reason")
    if not held and not missed:
        raise CaseError(Wording(N_("give when the meeting was held, or why it was missed")),
                        "held_at")
    if missed:
        if len(missed) > MAX_REASON:
            raise CaseError(Wording(N_("the reason may be up to %(most)s characters"),
                                    most=MAX_REASON), "missed_reason")
        if meeting.starts_utc > now:
            raise CaseError(Wording(N_("a meeting cannot be recorded as missed before its "
                                       "time")), "missed_reason")
        return None, missed
    try:
        local = dt.datetime.fromisoformat(held)
    except ValueError:
        raise CaseError(Wording(N_("give the date and time as %(example)s"),
                                example="2026-12-14T10:00"), "held_at") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(zone))
    at = local.astimezone(dt.UTC)
    if at > now + dt.timedelta(minutes=5):
        raise CaseError(Wording(N_("the meeting's time is in the future; record it once it "
                                   "has been held")), "held_at")
    day = local.date()
    if not case.start <= day <= case.end:
        raise CaseError(Wording(N_("the meeting's date must fall within the plan, %(start)s "
                                   "to %(end)s"), start=case.start, end=case.end), "held_at")
    if at < meeting.starts_utc - EARLY_BY:
        raise CaseError(Wording(N_("that is more than %(days)s days before check-in "
                                   "%(number)s was due (%(date)s); choose the check-in this "
                                   "meeting was"), days=EARLY_BY.days, number=meeting.number,
                                date=meeting.date), "held_at")
    return at, None


def _attendees(names: Sequence[str]) -> tuple[str, ...]:
    kept: list[str] = []
    for i, name in enumerate(names):
        clean = _clean(name)
        if not clean:
            continue
        if len(clean) > MAX_NAME:
            raise CaseError(Wording(N_("a name may be up to %(most)s characters"),
                                    most=MAX_NAME), f"attendees[{i}]")
        if clean not in kept:
            kept.append(clean)
    if len(kept) > MAX_ATTENDEES:
        raise CaseError(Wording(N_("name up to %(most)s attendees"), most=MAX_ATTENDEES),
                        "attendees")
    return tuple(kept)


def _progress(given: Mapping[str, Mapping[str, str]], goals: Sequence[Goal]
              ) -> tuple[GoalProgress, ...]:
    known = {str(i): goal for i, goal in enumerate(goals, start=1)}
    for key in given:
        if str(key).strip() not in known:
            raise CaseError(Wording(N_("the plan has no goal %(goal)s; its goals are 1 to "
                                       "%(last)s"), goal=repr(str(key)[:20]), last=len(goals)),
                            f"goals[{str(key)[:20]}]")
    progress = []
    for key, goal in known.items():
        entry = given.get(key)
        if entry is None:
            raise CaseError(Wording(N_("give goal %(goal)s's status (on track, at risk, off "
                                       "track or met)"), goal=key), f"goals[{key}].status")
        try:
            status = GoalStatus(str(entry.get("status", "")).strip())
        except ValueError:
            raise CaseError(Wording(N_("goal %(goal)s's status is one of on_track, at_risk, "
                                       "off_track, met"), goal=key),
                            f"goals[{key}].status") from None
        progress.append(GoalProgress(int(key), status, _value(entry.get("value", ""), key, goal),
                                     _text(entry.get("note", ""), f"goals[{key}].note")))
    return tuple(progress)


def _value(text: str, key: str, goal: Goal) -> float | None:
    """The metric's current value: a number, when the goal's metric is measured as one."""
    raw = str(text or "").strip()
    if not raw:
        return None
    value = number_in(raw)
    if value is None or number_in(raw, whole=True) is None:
        raise CaseError(Wording(N_("goal %(goal)s's current value must be a number in the "
                                   "metric's unit (%(metric)s), such as 92 or 4.5"),
                                goal=key, metric=goal.metric) if goal.metric else
                        Wording(N_("goal %(goal)s's current value must be a number, such as 92 "
                                   "or 4.5"), goal=key), f"goals[{key}].value")
    return value


def _text(text: str, name: str) -> str:
    clean = _clean(text, keep_lines=True)
    if len(clean) > MAX_TEXT:
        raise CaseError(Wording(N_("this may be up to %(most)s characters"),
                                most=f"{MAX_TEXT:,}"), name)
    return clean


def _clean(text: str, *, keep_lines: bool = False) -> str:
    """Text as it is kept: control characters out (but line breaks, where kept), spaces
    at either end trimmed."""
    allowed = {"\n"} if keep_lines else set()
    text = str(text or "").replace("\r\n", "\n")
    return "".join(c for c in text if c in allowed or unicodedata.category(c) != "Cc").strip()

"""The models of a plan's case in the API: reading it, and recording a check-in."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from signing.domain import case_service
from signing.domain.cases import CheckinForm, missed
from signing.domain.cases.checkins import MAX_ATTENDEES, MAX_NAME, MAX_REASON, MAX_TEXT


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoalIn(_Model):
    status: str = Field(max_length=20, description="on_track, at_risk, off_track or met.")
    value: str | float | None = Field(None, description=(
        "The metric's current value, a number (92, \"92%\", \"4.5 h\"), when the goal's "
        "metric is one."))
    note: str = Field("", max_length=MAX_TEXT)


class RecordCheckin(_Model):
    """One scheduled meeting of the case: held (``held_at``, a local time in the plan's
    check-in zone) or missed (``missed_reason``), not both."""

    meeting: int = Field(ge=1, le=1000, description="The meeting's number in the schedule.")
    held_at: str = Field("", max_length=40, description="2026-12-14T10:00, in the plan's zone.")
    missed_reason: str = Field("", max_length=MAX_REASON)
    attendees: list[str] = Field(default_factory=list, max_length=MAX_ATTENDEES * 2)
    goals: dict[str, GoalIn] = Field(default_factory=dict, description=(
        "Each of the plan's goals by its number (\"1\", \"2\" ...): its status, value, note."))
    notes: str = Field("", max_length=MAX_TEXT)
    support_given: str = Field("", max_length=MAX_TEXT)
    next_steps: str = Field("", max_length=MAX_TEXT)
    employee_view: str = Field("", max_length=MAX_TEXT)

    def form(self) -> CheckinForm:
        return CheckinForm(
            meeting=str(self.meeting), held_at=self.held_at, missed_reason=self.missed_reason,
            attendees=[a[:MAX_NAME + 1] for a in self.attendees],
            goals={key: {"status": goal.status,
                         "value": "" if goal.value is None else str(goal.value),
                         "note": goal.note} for key, goal in self.goals.items()},
            notes=self.notes, support_given=self.support_given, next_steps=self.next_steps,
            employee_view=self.employee_view)


class GoalProgressOut(BaseModel):
    goal: int
    status: str
    value: float | None
    note: str


class CommentOut(BaseModel):
    at: dt.datetime
    text: str


class CheckinOut(BaseModel):
    id: str
    meeting: int
    scheduled_for: dt.datetime
    held: bool
    held_at: dt.datetime | None
    missed_reason: str | None
    attendees: list[str]
    goals: list[GoalProgressOut]
    notes: str
    support_given: str
    next_steps: str
    employee_view: str
    recorded_by: str
    recorded_at: dt.datetime
    acknowledged_at: dt.datetime | None
    answer_due_at: dt.datetime | None
    unanswered_at: dt.datetime | None
    employee_comments: list[CommentOut]

    @classmethod
    def of(cls, record: case_service.CheckinRecord) -> CheckinOut:
        c = record.checkin
        return cls(id=record.id, meeting=c.meeting, scheduled_for=c.scheduled_for,
                   held=c.held, held_at=c.held_at, missed_reason=c.missed_reason,
                   attendees=list(c.attendees),
                   goals=[GoalProgressOut(goal=g.goal, status=str(g.status), value=g.value,
                                          note=g.note) for g in c.goals],
                   notes=c.notes, support_given=c.support_given, next_steps=c.next_steps,
                   employee_view=c.employee_view, recorded_by=c.recorded_by,
                   recorded_at=c.recorded_at, acknowledged_at=record.acknowledged_at,
                   answer_due_at=record.answer_due_at, unanswered_at=record.unanswered_at,
                   employee_comments=[CommentOut(at=x.at, text=x.text)
                                      for x in record.comments])


class CheckinsOut(BaseModel):
    envelope_id: str
    checkins: list[CheckinOut]


class MeetingOut(BaseModel):
    number: int
    starts: dt.datetime
    recorded: bool


class OverdueOut(BaseModel):
    meeting: int
    scheduled_for: dt.datetime
    level: str
    due_since: dt.datetime


class GapOut(BaseModel):
    start: dt.date
    end: dt.date
    days: int


class CaseOut(BaseModel):
    envelope_id: str
    state: str
    start: dt.date
    end: dt.date
    opened_at: dt.datetime | None
    timezone: str
    meetings: list[MeetingOut]
    next_meeting: int | None
    overdue: list[OverdueOut]
    gaps: list[GapOut] = Field(description=(
        f"Stretches longer than {missed.GAP.days} days with no check-in held."))
    checkins: list[CheckinOut]

    @classmethod
    def of(cls, view: case_service.CaseView) -> CaseOut:
        recorded = {r.meeting for r in view.records}
        following = view.next_meeting
        return cls(envelope_id=view.envelope_id, state=str(view.case.state),
                   start=view.case.start, end=view.case.end, opened_at=view.opened_at,
                   timezone=view.zone,
                   meetings=[MeetingOut(number=m.number, starts=m.starts,
                                        recorded=m.number in recorded) for m in view.schedule],
                   next_meeting=following.number if following else None,
                   overdue=[OverdueOut(meeting=o.meeting.number,
                                       scheduled_for=o.meeting.starts, level=str(o.level),
                                       due_since=o.due_since) for o in view.overdue],
                   gaps=[GapOut(start=g.start, end=g.end, days=g.days) for g in view.gaps],
                   checkins=[CheckinOut.of(r) for r in view.records])



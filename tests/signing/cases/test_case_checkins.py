"""Recording a check-in (signing.domain.cases.checkins): every bad input names its field
and records nothing; a good one is kept as the manager meant it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from docgen import load_plan
from docgen.sample import SAMPLE_PLAN_PATH
from docgen.schedule import schedule_for
from signing.domain import cases
from signing.domain.cases import CaseError, CheckinForm, GoalStatus

PLAN = load_plan(SAMPLE_PLAN_PATH)
SCHEDULE = schedule_for(PLAN)
ZONE = PLAN.checkins.timezone
FIRST = SCHEDULE.checkins[0]
CASE = cases.Case("env-1", cases.CaseState.ACTIVE, SCHEDULE.start, SCHEDULE.end)
AFTER_FIRST = FIRST.ends.astimezone(dt.UTC) + dt.timedelta(hours=2)
ALL_ON_TRACK = {str(i): {"status": "on_track"} for i in range(1, len(PLAN.goals) + 1)}


def form(**changes) -> CheckinForm:
    base = CheckinForm(meeting="1", held_at=FIRST.starts.strftime("%Y-%m-%dT%H:%M"),
                       attendees=["Dana Whitfield", PLAN.employee.name], goals=ALL_ON_TRACK,
                       notes="Reviewed the queue.\nAgreed to pair on escalations.")
    return replace(base, **changes)


def record(f: CheckinForm, *, case=CASE, now=AFTER_FIRST):
    return cases.record(case, SCHEDULE.checkins, PLAN.goals, f, by="person:dana", zone=ZONE,
                        now=now)


def test_a_held_meeting_is_kept_as_typed_in_the_plans_zone():
    goals = dict(ALL_ON_TRACK, **{"1": {"status": "at_risk", "value": "78%", "note": "dip"}})
    checkin = record(form(goals=goals))
    assert checkin.meeting == 1 and checkin.held and checkin.held_at == FIRST.starts_utc
    assert checkin.attendees == ("Dana Whitfield", PLAN.employee.name)
    assert checkin.goals[0] == cases.GoalProgress(1, GoalStatus.AT_RISK, 78.0, "dip")
    assert checkin.notes == "Reviewed the queue.\nAgreed to pair on escalations."


def test_a_missed_meeting_needs_its_reason_and_nothing_else():
    checkin = record(form(held_at="", attendees=[], goals=None,
                          missed_reason="Employee on sick leave"))
    assert not checkin.held and checkin.missed_reason == "Employee on sick leave"
    assert checkin.goals == () and checkin.attendees == ()


@pytest.mark.parametrize("changes, field", [
    ({"meeting": "99"}, "meeting"),
    ({"meeting": "one"}, "meeting"),
    ({"held_at": ""}, "held_at"),
    ({"missed_reason": "ill"}, "missed_reason"),
    ({"held_at": "14 December"}, "held_at"),
    ({"held_at": "2030-01-01T10:00"}, "held_at"),
    ({"attendees": ["  ", ""]}, "attendees"),
    ({"goals": {**ALL_ON_TRACK, "9": {"status": "met"}}}, "goals[9]"),
    ({"goals": {}}, "goals[1].status"),
    ({"goals": {**ALL_ON_TRACK, "1": {"status": "fine"}}}, "goals[1].status"),
    ({"goals": {**ALL_ON_TRACK, "1": {"status": "met", "value": "about half"}}},
     "goals[1].value"),
    ({"notes": "x" * 20_001}, "notes"),
])
def test_bad_input_names_its_field(changes, field):
    with pytest.raises(CaseError) as raised:
        record(form(**changes))
    assert raised.value.field == field, str(raised.value)


def test_a_date_outside_the_plan_is_refused_with_the_plans_dates():
    late = CASE.end + dt.timedelta(days=3)
    with pytest.raises(CaseError, match=str(CASE.end)) as raised:
        record(form(held_at=f"{late}T10:00"), now=dt.datetime.combine(
            late, dt.time(12), tzinfo=dt.UTC))
    assert raised.value.field == "held_at"


def test_a_meeting_cannot_be_missed_before_its_time():
    with pytest.raises(CaseError) as raised:
        record(form(held_at="", missed_reason="cancelled"),
               now=FIRST.starts_utc - dt.timedelta(days=1))
    assert raised.value.field == "missed_reason"


def test_a_meeting_recorded_already_is_refused_naming_who_recorded_it():
    first = record(form())
    case = replace(CASE, checkins=(first,))
    with pytest.raises(cases.MeetingAlreadyRecorded, match="person:dana"):
        record(form(), case=case)


def test_a_closed_case_takes_nothing():
    with pytest.raises(cases.CaseClosed):
        record(form(), case=replace(CASE, state=cases.CaseState.CLOSED))


def test_an_extension_adds_meetings_numbered_on_from_the_plans():
    extended = replace(CASE, end=CASE.end + dt.timedelta(days=14),
                       state=cases.CaseState.EXTENDED)
    more = cases.meetings(PLAN.checkins, extended)
    assert more[: len(SCHEDULE.checkins)] == SCHEDULE.checkins
    assert len(more) > len(SCHEDULE.checkins)
    assert [m.number for m in more] == list(range(1, len(more) + 1))


def test_the_agenda_lists_each_goal_with_the_milestones_due_since_the_last_meeting():
    due = {m.due for g in PLAN.goals for m in g.milestones}
    listed = {m.due for n in range(1, len(SCHEDULE.checkins) + 1)
              for item in cases.agenda(PLAN.goals, SCHEDULE.checkins, n)
              for m in item.milestones_due}
    last = SCHEDULE.checkins[-1].date
    assert listed == {d for d in due if d <= last}
    first = cases.agenda(PLAN.goals, SCHEDULE.checkins, 1)
    assert [i.goal for i in first] == list(range(1, len(PLAN.goals) + 1))
    assert all(m.due <= FIRST.date for i in first for m in i.milestones_due)

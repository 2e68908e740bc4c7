"""Check-ins with no record: reminders, alerts and gaps (signing.domain.cases.missed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from docgen import load_plan
from docgen.sample import SAMPLE_PLAN_PATH
from docgen.schedule import schedule_for
from signing.domain import cases
from signing.domain.cases import Checkin, Level

PLAN = load_plan(SAMPLE_PLAN_PATH)
SCHEDULE = schedule_for(PLAN)
CASE = cases.Case("env-1", cases.CaseState.ACTIVE, SCHEDULE.start, SCHEDULE.end)
GRACE, ALERT = dt.timedelta(days=2), dt.timedelta(days=3)
FIRST, SECOND = SCHEDULE.checkins[0], SCHEDULE.checkins[1]


def held(meeting, at: dt.datetime) -> Checkin:
    return Checkin(meeting.number, meeting.starts_utc, at, None, ("A",), (), "", "", "", "",
                   "person:dana", at)


def overdue(case, now):
    return [(o.meeting.number, o.level) for o in cases.overdue(
        case, SCHEDULE.checkins, now=now, grace=GRACE, alert=ALERT)]


def test_a_meeting_without_a_record_reminds_the_manager_then_alerts_hr():
    ended = FIRST.ends.astimezone(dt.UTC)
    assert overdue(CASE, ended + GRACE - dt.timedelta(minutes=1)) == []
    assert overdue(CASE, ended + GRACE) == [(1, Level.REMIND_MANAGER)]
    assert overdue(CASE, ended + GRACE + ALERT) == [(1, Level.ALERT_HR)]


def test_a_recorded_meeting_or_a_closed_case_is_not_overdue():
    late = SECOND.ends.astimezone(dt.UTC) + GRACE + ALERT
    recorded = replace(CASE, checkins=(held(FIRST, FIRST.starts_utc),))
    assert overdue(recorded, late) == [(2, Level.ALERT_HR)]
    assert overdue(replace(CASE, state=cases.CaseState.CLOSED), late) == []


def test_a_stretch_of_more_than_two_weeks_without_a_meeting_is_a_gap():
    zone = dt.UTC
    early = held(FIRST, dt.datetime.combine(CASE.start + dt.timedelta(days=3), dt.time(10),
                                            tzinfo=zone))
    today = CASE.start + dt.timedelta(days=25)
    (gap,) = cases.gaps(CASE, [early], today=today, zone=zone)
    assert (gap.start, gap.end, gap.days) == (CASE.start + dt.timedelta(days=3), today, 22)
    assert cases.gaps(CASE, [early], today=CASE.start + dt.timedelta(days=10), zone=zone) == ()

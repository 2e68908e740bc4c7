"""Dates that follow from a plan, so HR never types a date twice.

Pure functions: a :class:`~docgen.model.Plan` in, a :class:`Schedule` out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from docgen.model import Cadence, CheckIns, Plan, Timeline


@dataclass(frozen=True)
class Meeting:
    """One check-in meeting, in the time zone HR chose and in UTC."""

    number: int
    week: int
    starts: dt.datetime
    ends: dt.datetime

    @property
    def date(self) -> dt.date:
        return self.starts.date()

    @property
    def starts_utc(self) -> dt.datetime:
        return self.starts.astimezone(dt.UTC)


@dataclass(frozen=True)
class Review:
    date: dt.date
    week: int
    final: bool


@dataclass(frozen=True)
class Schedule:
    start: dt.date
    end: dt.date
    checkins: tuple[Meeting, ...]
    reviews: tuple[Review, ...]

    @property
    def length_days(self) -> int:
        return (self.end - self.start).days

    @property
    def weeks(self) -> int:
        return self.week_of(self.end)

    def week_of(self, day: dt.date) -> int:
        return week_number(self.start, day)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


# Monthly is offered because HR ask for it; the linter then says why it is too sparse.
_CADENCE_DAYS = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14, Cadence.MONTHLY: 28}


def week_number(start: dt.date, day: dt.date) -> int:
    """Week 1 is the seven days from the start; days before the start are week 0."""
    delta = (day - start).days
    return delta // 7 + 1 if delta >= 0 else 0


def end_date(timeline: Timeline) -> dt.date:
    return plan_end(timeline.start, timeline.end, timeline.length_days)


def plan_end(start: dt.date, end: dt.date | None, length_days: int | None) -> dt.date:
    """The end date of a timeline's fields (for callers that hold them without the model,
    such as the consistency report over stored plans)."""
    if end is not None:
        return end
    assert length_days is not None  # the model requires one of the two
    return start + dt.timedelta(days=length_days)


def checkin_meetings(checkins: CheckIns, start: dt.date, end: dt.date) -> tuple[Meeting, ...]:
    """Every meeting from the first chosen weekday after the start up to the end date."""
    zone = ZoneInfo(checkins.timezone)
    step = _CADENCE_DAYS[checkins.cadence]
    skipped = set(checkins.skip)
    day = start + dt.timedelta(days=(checkins.weekday.number - start.weekday() - 1) % 7 + 1)
    meetings: list[Meeting] = []
    while day <= end:
        if day in skipped:
            day += dt.timedelta(days=step)
            continue
        starts = dt.datetime.combine(day, checkins.time, tzinfo=zone)
        meetings.append(
            Meeting(
                number=len(meetings) + 1,
                week=week_number(start, day),
                starts=starts,
                ends=starts + dt.timedelta(minutes=checkins.duration_minutes),
            )
        )
        day += dt.timedelta(days=step)
    return tuple(meetings)


def _working_day(day: dt.date, end: dt.date) -> dt.date:
    """A derived review that falls on a weekend moves to Monday, or to Friday near the end."""
    if day.weekday() < 5:
        return day
    monday = day + dt.timedelta(days=7 - day.weekday())
    return monday if monday < end else day - dt.timedelta(days=day.weekday() - 4)


def review_dates(timeline: Timeline, end: dt.date) -> tuple[Review, ...]:
    """HR's own review dates, or one every ``review_every_days``; the end is the final one."""
    if timeline.review_dates is not None:
        # Dates outside the plan are left out here; the linter tells HR about them.
        days = sorted(d for d in set(timeline.review_dates) if timeline.start < d < end)
    else:
        every = dt.timedelta(days=timeline.review_every_days)
        days, day = [], timeline.start + every
        while day < end:
            days.append(_working_day(day, end))
            day += every
        days = list(dict.fromkeys(days))
    start = timeline.start
    return (
        *(Review(d, week_number(start, d), final=False) for d in days),
        Review(end, week_number(start, end), final=True),
    )


def schedule_for(plan: Plan) -> Schedule:
    start, end = plan.timeline.start, end_date(plan.timeline)
    meetings = checkin_meetings(plan.checkins, start, end) if plan.checkins else ()
    return Schedule(start, end, meetings, review_dates(plan.timeline, end))

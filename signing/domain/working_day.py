"""When a signing deadline falls: at the end of a working day, in the signer's zone.

A deadline of "now plus the link's life" falls at whatever hour the plan was sent, and
on weekends ("Sunday 20 December 2026 at 03:54 CET"): nobody can be expected to act by
then, and a tribunal reading the record would not think it fair. So a deadline is the
end of a working day (``deadline_time``, 17:00 by default) on a weekday, in the zone the
plan's meetings are held in (the employee's).

Which working day: the last one that ends no later than the sending time plus the
link's life, so that the signing link is still good at the deadline. Only when that
would leave the signer less than half the intended time (a one-day link sent on a
Friday evening: the day before's end is already past) is it the first working day that
ends after it instead. Public holidays are not known here: Monday to Friday. A link that
lives less than a day (hours, or seconds in a test of expiry) is not a working deadline
and is kept as given: rounding it to a day's end would move it past the link's own life.

Pure: times in, a time out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_DAY_ENDS = dt.time(17, 0)
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_SATURDAY = 5


@dataclass(frozen=True)
class WorkingDay:
    """Where and when a working day ends: the signer's zone and the hour."""

    zone: dt.tzinfo
    ends: dt.time = DEFAULT_DAY_ENDS


def working_day(plan: Any, ends: dt.time = DEFAULT_DAY_ENDS) -> WorkingDay:
    """A plan's signers' working day (a :class:`docgen.Plan`): in the zone of its
    check-ins, the employee's, else UTC."""
    checkins = getattr(plan, "checkins", None)
    return WorkingDay(ZoneInfo(checkins.timezone) if checkins else dt.UTC, ends)


def parse_day_end(text: str) -> dt.time:
    """``"17:00"`` as a time; ValueError naming the setting for anything else."""
    match = _CLOCK.fullmatch(text.strip())
    if not match:
        raise ValueError(f"deadline_time: {text!r} is not a time of day written HH:MM, "
                         "such as 17:00")
    return dt.time(int(match.group(1)), int(match.group(2)))


def deadline(sent_at: dt.datetime, life: dt.timedelta, day: WorkingDay) -> dt.datetime:
    """The deadline of a request sent at ``sent_at`` whose link lives ``life``: the end
    of a working day in ``day.zone`` (an aware datetime in that zone)."""
    if sent_at.tzinfo is None or sent_at.utcoffset() is None:
        raise ValueError("sent_at must be a timezone-aware datetime")
    if life <= dt.timedelta(0):
        raise ValueError("life must be more than nothing")
    target = sent_at + life
    if life < dt.timedelta(days=1):
        return target.astimezone(day.zone)
    earlier = _last_day_end_by(target, day)
    if earlier - sent_at >= life / 2:
        return earlier
    return _first_day_end_after(target, day)


def _day_end(date: dt.date, day: WorkingDay) -> dt.datetime:
    # Through UTC and back: a wall time the zone skips (a DST gap) comes out as the
    # zone's real time just after it, never as a time that does not exist.
    wall = dt.datetime.combine(date, day.ends, tzinfo=day.zone)
    return wall.astimezone(dt.UTC).astimezone(day.zone)


def _is_working(date: dt.date) -> bool:
    return date.weekday() < _SATURDAY


def _last_day_end_by(when: dt.datetime, day: WorkingDay) -> dt.datetime:
    date = when.astimezone(day.zone).date()
    while not (_is_working(date) and _day_end(date, day) <= when):
        date -= dt.timedelta(days=1)
    return _day_end(date, day)


def _first_day_end_after(when: dt.datetime, day: WorkingDay) -> dt.datetime:
    date = when.astimezone(day.zone).date()
    while not (_is_working(date) and _day_end(date, day) >= when):
        date += dt.timedelta(days=1)
    return _day_end(date, day)

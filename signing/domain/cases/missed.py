"""Check-ins that did not happen on paper: reminders to the manager, alerts to HR, and
gaps in the record. Pure: the case's meetings, what was recorded and ``now`` in.

Skipping check-ins "is a major red flag that can invalidate terminations later": a
scheduled meeting with no record ``grace`` after it reminds the manager; ``alert``
after it (a second period) tells HR; and any stretch of more than :data:`GAP` between
meetings held (from the plan's start, up to today or the case's end) shows on the case
and in the consistency report.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from docgen.schedule import Meeting
from signing.domain.cases.model import Case, Checkin

GAP = dt.timedelta(days=14)


class Level(StrEnum):
    REMIND_MANAGER = "remind_manager"
    ALERT_HR = "alert_hr"


@dataclass(frozen=True)
class Overdue:
    meeting: Meeting
    level: Level
    due_since: dt.datetime  # when this level fell due: the outbox's dedupe and the trail


def overdue(case: Case, schedule: Sequence[Meeting], *, now: dt.datetime,
            grace: dt.timedelta, alert: dt.timedelta) -> tuple[Overdue, ...]:
    """The meetings past their grace period with no record, each at the highest level
    reached (``alert`` counted from the meeting's end, after ``grace``). A closed case
    has none."""
    if not case.is_open:
        return ()
    recorded = {c.meeting for c in case.checkins}
    found = []
    for meeting in schedule:
        if meeting.number in recorded:
            continue
        ended = meeting.ends.astimezone(dt.UTC)
        if now >= ended + grace + alert:
            found.append(Overdue(meeting, Level.ALERT_HR, ended + grace + alert))
        elif now >= ended + grace:
            found.append(Overdue(meeting, Level.REMIND_MANAGER, ended + grace))
    return tuple(found)


@dataclass(frozen=True)
class Gap:
    """A stretch with no check-in held, longer than :data:`GAP`."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def gaps(case: Case, checkins: Sequence[Checkin], *, today: dt.date, zone: dt.tzinfo
         ) -> tuple[Gap, ...]:
    """Stretches longer than :data:`GAP` with no meeting held, from the plan's start to
    today (or the case's end, if sooner); a stretch still open counts up to today."""
    until = min(today, case.end)
    if until <= case.start:
        return ()
    held = sorted({c.held_at.astimezone(zone).date() for c in checkins if c.held_at is not None})
    marks = [case.start, *(d for d in held if case.start <= d <= until), until]
    return tuple(Gap(a, b) for a, b in itertools.pairwise(marks) if b - a > GAP)

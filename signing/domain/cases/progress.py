"""Each goal's metric over the check-ins, against its baseline and target: the data of
the case's progress charts (drawn by the console and the case file alike). Pure.

A plan writes its baseline and target as HR write them ("82% first-contact
resolution", "4.5 hours", "1,200 tickets a month"); a chart needs their numbers, which
:func:`number_in` reads. A goal whose baseline or target holds no number still gets its
points, and the chart says what it lacks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from docgen.model import Goal
from signing.domain.cases.model import Checkin, GoalStatus

# A number as people write one in a plan: an optional sign, thousands separated by
# commas (1,200), a decimal point (4.5) or, with no thousands, a decimal comma (4,5).
_NUMBER = re.compile(r"(?<![\w.,])([-+−]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)")
# What may follow a value typed alone: a unit ("%", "h", "hours", "tickets/week").
_UNIT = re.compile(r"\s*(%|[^\W\d_][\w/ .-]{0,30})?\s*", re.UNICODE)


def number_in(text: str, *, whole: bool = False) -> float | None:
    """The first number written in ``text`` (None if there is none). With ``whole``, the
    text must be just a number, maybe with a currency sign before it and a unit after
    it ("92", "92%", "4.5 h", "$1,200"), as a value typed into a form is."""
    text = text.strip()
    if whole:
        text = text.lstrip("$€£¥ ")
    found = _NUMBER.search(text)
    if found is None or (whole and (found.start() != 0
                                    or not _UNIT.fullmatch(text[found.end():]))):
        return None
    sign, digits = found.groups()
    if "," in digits and "." not in digits and re.fullmatch(r"\d+,\d{1,2}", digits):
        digits = digits.replace(",", ".")  # a decimal comma: 4,5
    value = float(digits.replace(",", ""))
    return -value if sign in ("-", "−") else value


@dataclass(frozen=True)
class Point:
    meeting: int
    day: dt.date
    value: float | None
    status: GoalStatus


@dataclass(frozen=True)
class GoalSeries:
    """One goal's chart: its baseline and target as numbers (when they hold one), and
    its value and status at each check-in held."""

    goal: int
    statement: str
    metric: str | None
    baseline: float | None
    target: float | None
    points: tuple[Point, ...]

    @property
    def chartable(self) -> bool:
        """Whether there is a line to draw: at least one value beside a target."""
        return self.target is not None and any(p.value is not None for p in self.points)

    @property
    def higher_is_better(self) -> bool | None:
        """Whether the target lies above the baseline (None when either is unknown)."""
        if self.baseline is None or self.target is None or self.baseline == self.target:
            return None
        return self.target > self.baseline

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None


def series(goals: Sequence[Goal], checkins: Sequence[Checkin], zone: dt.tzinfo
           ) -> tuple[GoalSeries, ...]:
    """Each goal's series over the check-ins that were held, in meeting order; a meeting
    day is the day it was held in the plan's zone."""
    held = sorted((c for c in checkins if c.held_at is not None), key=lambda c: c.meeting)
    result = []
    for number, goal in enumerate(goals, start=1):
        points = []
        for checkin in held:
            assert checkin.held_at is not None
            entry = next((g for g in checkin.goals if g.goal == number), None)
            if entry is not None:
                points.append(Point(checkin.meeting, checkin.held_at.astimezone(zone).date(),
                                    entry.value, entry.status))
        result.append(GoalSeries(number, goal.statement, goal.metric,
                                 number_in(goal.baseline or ""), number_in(goal.target or ""),
                                 tuple(points)))
    return tuple(result)

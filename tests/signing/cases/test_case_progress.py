"""Numbers in plans' words, and each goal's series (signing.domain.cases.progress)."""

from __future__ import annotations

import datetime as dt

import pytest

from docgen.model import Goal
from signing.domain.cases import Checkin, GoalProgress, GoalStatus, number_in, series


@pytest.mark.parametrize("text, number", [
    ("82% first-contact resolution", 82.0), ("4.5 hours", 4.5), ("1,200 tickets a month", 1200.0),
    ("-3 days", -3.0), ("Reduce to 4,5 h", 4.5), ("none yet", None), ("v2 rollout", None),
    ("CSAT of 4.6/5", 4.6)])
def test_number_in_reads_the_first_number_as_people_write_it(text, number):
    assert number_in(text) == number


@pytest.mark.parametrize("typed, number", [
    ("92", 92.0), ("92%", 92.0), ("4.5 h", 4.5), ("$1,200", 1200.0), (" 7 tickets/week ", 7.0),
    ("about 90", None), ("90 or so, maybe 95", None), ("", None)])
def test_a_typed_value_must_be_just_a_number_and_its_unit(typed, number):
    assert number_in(typed, whole=True) == number


def checkin(meeting: int, day: int, value: float | None) -> Checkin:
    at = dt.datetime(2026, 12, day, 10, tzinfo=dt.UTC)
    return Checkin(meeting, at, at, None, ("A",), (GoalProgress(1, GoalStatus.AT_RISK, value),),
                   "", "", "", "", "person:dana", at)


def test_each_goal_gets_its_values_in_meeting_order_with_its_baseline_and_target():
    goal = Goal(statement="Resolve more tickets first time", metric="first-contact resolution",
                baseline="72%", target="85%")
    missed = Checkin(2, dt.datetime(2026, 12, 14, tzinfo=dt.UTC), None, "ill", (), (), "", "",
                     "", "", "person:dana", dt.datetime(2026, 12, 15, tzinfo=dt.UTC))
    (line,) = series([goal], [checkin(3, 21, 80.0), missed, checkin(1, 7, 74.0)], dt.UTC)
    assert (line.baseline, line.target, line.higher_is_better) == (72.0, 85.0, True)
    assert [(p.meeting, p.day.day, p.value) for p in line.points] == [(1, 7, 74.0), (3, 21, 80.0)]
    assert line.chartable and line.latest.value == 80.0


def test_a_goal_without_a_numeric_target_is_not_charted():
    goal = Goal(statement="Write clearer handover notes", target="notes a peer can act on")
    (line,) = series([goal], [checkin(1, 7, None)], dt.UTC)
    assert line.target is None and not line.chartable

"""Extending a case (signing.domain.cases.extension): the new end, the schedule continued
(at a new cadence if HR chose one), which meetings are new and which cancelled, the
amendment's number; every bad input names its field."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from docgen import load_plan
from docgen.sample import SAMPLE_PLAN_PATH
from docgen.schedule import schedule_for
from signing.domain import cases
from signing.domain.cases import CaseError, extension
from signing.domain.cases.extension import ExtensionForm, decide

PLAN = load_plan(SAMPLE_PLAN_PATH)
SCHEDULE = schedule_for(PLAN)
CASE = cases.Case("env-1", cases.CaseState.ACTIVE, SCHEDULE.start, SCHEDULE.end)
# Halfway through the plan.
NOW = dt.datetime.combine(SCHEDULE.start + (SCHEDULE.end - SCHEDULE.start) / 2, dt.time(12),
                          tzinfo=dt.UTC)


def extend(form: ExtensionForm, *, case=CASE, now=NOW, max_days=30):
    return decide(case, PLAN.checkins, PLAN.goals, form, max_days=max_days, now=now)


def test_the_cadence_goes_on_to_the_new_end_and_only_new_meetings_are_added():
    decision = extend(ExtensionForm("14", "Clear progress on goals 1 and 2."))
    assert decision.number == 1 and decision.days == 14
    assert decision.new_end == SCHEDULE.end + dt.timedelta(days=14)
    assert decision.before == SCHEDULE.checkins
    assert decision.after[:len(SCHEDULE.checkins)] == SCHEDULE.checkins
    assert decision.new_meetings == decision.after[len(SCHEDULE.checkins):]
    assert len(decision.new_meetings) == 2  # weekly: two more weeks
    assert decision.cancelled_meetings == ()
    assert [m.number for m in decision.after] == list(range(1, len(decision.after) + 1))
    assert all(m.date <= decision.new_end for m in decision.after)


def test_a_new_cadence_keeps_what_was_due_and_cancels_the_rest():
    decision = extend(ExtensionForm(14, "Fewer, longer meetings.", cadence="biweekly"))
    kept = [m for m in SCHEDULE.checkins if m.starts_utc < NOW]
    assert decision.after[:len(kept)] == tuple(kept)
    later = decision.after[len(kept):]
    assert all((b.date - a.date).days == 14 for a, b in zip((kept[-1], *later), later,
                                                              strict=False))
    assert decision.cancelled_meetings and all(m.starts_utc >= NOW
                                               for m in decision.cancelled_meetings)
    days_after = {m.date for m in decision.after}
    assert not any(m.date in days_after for m in decision.cancelled_meetings)
    # The case read back with the extension gives the same schedule.
    ext = decision.extension(by="HR", at=NOW)
    assert cases.meetings(PLAN.checkins, replace(CASE, end=decision.new_end,
                                                 extensions=(ext,))) == decision.after


def test_a_second_extension_is_amendment_two_and_counts_against_the_total():
    first = extend(ExtensionForm(20, "More time.")).extension(by="HR", at=NOW)
    case = replace(CASE, state=cases.CaseState.EXTENDED, end=first.new_end,
                   extensions=(first,))
    second = extend(ExtensionForm(10, "A little more."), case=case)
    assert second.number == 2 and second.new_end == first.new_end + dt.timedelta(days=10)
    with pytest.raises(CaseError, match="20 already used") as raised:
        extend(ExtensionForm(11, "Too much."), case=case)
    assert raised.value.field == "days"


def test_adjusted_goals_are_checked_and_applied_to_the_plans_data():
    decision = extend(ExtensionForm(7, "Goal 1's target was out of reach.", goals=[
        {"goal": "1", "target": "85%", "statement": PLAN.goals[0].statement}]))
    # Only what differs from the plan is kept.
    assert decision.goals == (extension.GoalChange(1, target="85%"),)
    data = extension.amended_plan_data(
        {"timeline": {"start": "2027-01-04", "length_days": 30},
         "goals": [{"statement": "a", "target": "95%"}, {"statement": "b"}]},
        new_end=dt.date(2027, 2, 10), cadence=None, changes=decision.goals)
    assert data["timeline"] == {"start": "2027-01-04", "end": "2027-02-10"}
    assert data["goals"] == [{"statement": "a", "target": "85%"}, {"statement": "b"}]


@pytest.mark.parametrize("form, field", [
    (ExtensionForm("", "why"), "days"),
    (ExtensionForm("0", "why"), "days"),
    (ExtensionForm(-3, "why"), "days"),
    (ExtensionForm("two weeks", "why"), "days"),
    (ExtensionForm(31, "why"), "days"),
    (ExtensionForm(10, "   "), "reason"),
    (ExtensionForm(10, "x" * 2_001), "reason"),
    (ExtensionForm(10, "why", cadence="daily"), "cadence"),
    (ExtensionForm(10, "why", goals=[{"goal": 9, "target": "1"}]), "goals[0]"),
    (ExtensionForm(10, "why", goals=[{"goal": 1, "target": "1"}, {"goal": "x"}]),
     "goals[1]"),
    (ExtensionForm(10, "why", goals=[{"goal": 2, "target": "1"}]), "goals[0]"),
    (ExtensionForm(10, "why", goals=[{"goal": 1}]), "goals[0]"),
    (ExtensionForm(10, "why", goals=[{"goal": 1, "owner": "me"}]), "goals[0].owner"),
    (ExtensionForm(10, "why", goals=[{"goal": 1, "statement": " "}]), "goals[0].statement"),
    (ExtensionForm(10, "why", goals=[{"goal": 1, "target": "1"}, {"goal": 1, "target": "2"}]),
     "goals[1]"),
    (ExtensionForm(10, "why", goals="goal 1"), "goals"),
])
def test_bad_input_names_its_field(form, field):
    with pytest.raises(CaseError) as raised:
        extend(form)
    assert raised.value.field == field, str(raised.value)


def test_a_closed_case_is_not_extended():
    closed = replace(CASE, state=cases.CaseState.CLOSED, outcome=cases.Outcome.MET)
    with pytest.raises(cases.CaseClosed):
        extend(ExtensionForm(10, "why"), case=closed)

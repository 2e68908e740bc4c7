"""The consistency report's rules on plain data: no database, no web."""

from __future__ import annotations

import datetime as dt

import pytest

from signing.domain import cases, consistency
from signing.domain.consistency import Figures, Metric, PlanRow, Scope, Settings, facts, report
from signing.reports.export import safe_cell, to_csv

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
START = dt.date(2026, 9, 7)  # a Monday
WEEKLY = {"cadence": "weekly", "weekday": "monday", "time": "10:00:00",
          "timezone": "Europe/London", "duration_minutes": 30, "skip": []}
SETTINGS = Settings(threshold_percent=20, min_group_size=3)


def row(n: int = 0, *, department: str = "Sales", manager: str = "Mo Khan",
        start: dt.date = START, days: int = 30, extended: int = 0, state: str = "closed",
        outcome: str | None = "met", closed_after: int | None = None, held: int = 4,
        missed: int = 0, lint: int | None = 0, checkins: dict | None = None) -> PlanRow:
    end = start + dt.timedelta(days=days + extended)
    closed_at = (dt.datetime.combine(start + dt.timedelta(days=closed_after if closed_after
                                                          is not None else days + extended),
                                     dt.time(17), UTC) if state == "closed" else None)
    first = dt.datetime.combine(start + dt.timedelta(days=7), dt.time(9), UTC)
    return PlanRow(envelope_id=f"e{n}", department=department, manager=manager, state=state,
                   start=start, end=end, outcome=outcome if state == "closed" else None,
                   closed_at=closed_at, planned_end=start + dt.timedelta(days=days),
                   checkins=WEEKLY if checkins is None else checkins,
                   held=tuple(first + dt.timedelta(days=7 * i) for i in range(held)),
                   missed=missed, lint_findings=lint)


def test_check_ins_due_follow_the_plans_schedule_up_to_now_or_the_close():
    # 30 days from Monday 7 September: meetings on the 14th, 21st, 28th and 5 October.
    assert facts(row(state="active", held=1), now=NOW).due == 4
    tuesday = dt.datetime(2026, 9, 22, 8, 0, tzinfo=UTC)
    assert facts(row(state="active", held=1), now=tuesday).due == 2
    monday_early = dt.datetime(2026, 9, 21, 8, 59, tzinfo=UTC)  # 09:59 in London: not yet
    assert facts(row(state="active", held=1), now=monday_early).due == 1
    resigned = facts(row(outcome="resigned", closed_after=15, held=1), now=NOW)
    assert (resigned.due, resigned.held, resigned.actual_days) == (2, 1, 15)
    assert resigned.outcome is cases.Outcome.RESIGNED


def test_a_recorded_meeting_counts_as_scheduled_and_no_schedule_counts_none():
    early = dt.datetime(2026, 9, 10, 9, 0, tzinfo=UTC)
    plan = facts(row(state="active", held=3, missed=1),
                 now=early)  # recorded ahead of their time
    assert plan.due == 4
    assert facts(row(checkins={}, held=0), now=NOW).due == 0


def test_durations_planned_extended_and_actual():
    plan = facts(row(days=60, extended=14), now=NOW)
    assert (plan.planned_days, plan.extended_days, plan.actual_days) == (60, 14, 74)
    still_open = facts(row(state="active"), now=NOW)
    assert still_open.actual_days is None and not still_open.closed
    unknown = facts(PlanRow(**{**row(extended=10).__dict__, "planned_end": None}), now=NOW)
    assert (unknown.planned_days, unknown.extended_days) == (40, 0)  # the case's, then


def test_the_envelope_keeps_the_plans_end_and_schedule():
    assert consistency.plan_columns({"timeline": {"start": "2026-09-07", "length_days": 30},
                                     "checkins": WEEKLY}) == {
        "planned_end": dt.date(2026, 10, 7), "checkin_schedule": WEEKLY}
    assert consistency.plan_columns({"timeline": {"start": "2026-09-07",
                                                  "end": "2026-10-17"}})["planned_end"] == (
        dt.date(2026, 10, 17))
    assert consistency.plan_columns({}) == {"planned_end": None, "checkin_schedule": None}


@pytest.mark.parametrize("held_days", [(), (14,), (14, 21, 28, 35), (10, 40)])
def test_gaps_are_the_cases_rule(held_days):
    start, end = START, START + dt.timedelta(days=60)
    today = dt.date(2026, 12, 1)
    checkins = [cases.Checkin(meeting=i, scheduled_for=NOW,
                              held_at=dt.datetime.combine(start + dt.timedelta(days=d),
                                                          dt.time(10), UTC),
                              missed_reason=None, attendees=("A",), goals=(), notes="",
                              support_given="", next_steps="", employee_view="",
                              recorded_by="x", recorded_at=NOW)
                for i, d in enumerate(held_days, start=1)]
    case = cases.Case("e", cases.CaseState.ACTIVE, start, end, tuple(checkins))
    expected = bool(cases.gaps(case, checkins, today=today, zone=UTC))
    days = [start + dt.timedelta(days=d) for d in held_days]
    assert consistency.has_gap(start, end, days, today=today) is expected


def sales_and_support() -> list[PlanRow]:
    """Sales holds 1 of 4 check-ins a plan; Support all 4."""
    return ([row(i, department="Sales", manager="Mo Khan", held=1) for i in range(5)]
            + [row(10 + i, department="Support", manager="Ana Ruiz", held=4)
               for i in range(5)])


def test_a_department_far_from_the_company_is_flagged_with_the_reason_in_words():
    made = report(sales_and_support(), settings=SETTINGS, now=NOW, scope=Scope.COMPANY)
    sales, support = made.departments
    assert (sales.name, support.name) == ("Sales", "Support")
    assert [f.metric for f in sales.flags] == [Metric.CHECKINS_HELD, Metric.GAPS]
    assert sales.flags[0].reason == (
        "Sales: 1 of 4 check-ins held per plan on average (25%) against 2.5 of 4 (63%) "
        "across the company")
    assert sales.flags[1].reason == (
        "Sales: 100% of plans went more than two weeks without a check-in, against 50% "
        "across the company")
    assert support.flagged  # as far above as Sales is below
    assert made.company.plans == 10 and made.company.value(Metric.CHECKINS_HELD) == 62.5
    assert [g.name for g in made.flagged] == ["Sales", "Support", "Ana Ruiz", "Mo Khan"]


def test_a_group_smaller_than_the_minimum_is_never_flagged():
    rows = sales_and_support()[:7]  # Sales 5, Support 2
    made = report(rows, settings=SETTINGS, now=NOW, scope=Scope.TEAM)
    assert not next(g for g in made.departments if g.name == "Support").flagged
    one = report([row(1, held=0), *[row(2 + i, department="B", held=4) for i in range(3)]],
                 settings=Settings(20, 1), now=NOW, scope=Scope.TEAM)
    assert one.departments[1].flagged  # a minimum of 1: one plan may be flagged
    assert "across your team's plans" in one.departments[1].flags[0].reason


def test_the_threshold_is_a_bound_not_a_trigger():
    rows = [row(i, department="A", lint=2) for i in range(3)] + [
        row(10 + i, department="B", lint=3) for i in range(3)]
    # Lint: A 2, B 3, all 2.5: 20% each way, exactly the threshold.
    made = report(rows, settings=SETTINGS, now=NOW, scope=Scope.COMPANY)
    assert not any(f.metric is Metric.LINT_FINDINGS for g in made.departments for f in g.flags)
    made = report(rows, settings=Settings(19.9, 3), now=NOW, scope=Scope.COMPANY)
    flag = next(f for f in made.departments[1].flags if f.metric is Metric.LINT_FINDINGS)
    assert flag.reason == ("B: lint findings when sent averaged 3 a plan, against 2.5 "
                           "across the company")


def test_outcome_rates_count_closed_plans_and_unknown_lint_is_left_out():
    rows = [row(i, department="A", outcome="not_met", lint=None) for i in range(3)] + [
        row(10 + i, department="B", outcome="met") for i in range(3)] + [
        row(20, department="B", state="active")]
    made = report(rows, settings=SETTINGS, now=NOW, scope=Scope.DEPARTMENT, department="X")
    a, b = made.departments
    assert a.figures.value(Metric.NOT_MET) == 100 and b.figures.value(Metric.MET) == 100
    assert b.figures.closed == 3 and b.figures.plans == 4
    assert a.figures.value(Metric.LINT_FINDINGS) is None
    assert made.company.linted == 4
    reasons = [f.reason for f in a.flags]
    assert ("A: 100% of closed plans ended with the goals not met, against 50% across X"
            in reasons)


def test_extensions_and_actual_durations():
    rows = [row(i, department="A", extended=30) for i in range(3)] + [
        row(10 + i, department="B") for i in range(3)]
    made = report(rows, settings=SETTINGS, now=NOW, scope=Scope.COMPANY)
    a = made.departments[0]
    assert a.figures.extended == 3 and a.figures.extension_days_average == 30
    assert {f.metric for f in a.flags} >= {Metric.EXTENDED, Metric.ACTUAL_DAYS}


def test_no_department_or_manager_is_a_group_of_its_own():
    made = report([row(1, department="", manager="")], settings=SETTINGS, now=NOW,
                  scope=Scope.COMPANY)
    assert made.departments[0].name == consistency.NO_DEPARTMENT
    assert made.managers[0].name == consistency.NO_MANAGER


def test_an_unreadable_stored_plan_still_counts_from_its_case():
    broken = PlanRow(**{**row().__dict__, "planned_end": None,
                        "checkins": '{"weekday": "someday"}'})
    plan = facts(broken, now=NOW)
    assert plan.planned_days == 30 and plan.due == 4  # the case's dates; what was recorded


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)",
                                  "\tx", "\rx"])
def test_csv_cells_that_a_spreadsheet_would_run_are_defused(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("Sales") == "Sales" and safe_cell(12) == "12"


def test_csv_has_the_report_and_each_group_with_its_reasons():
    rows = [*sales_and_support(), row(30, department="=cmd|' /C calc'!A0", held=4)]
    text = to_csv(report(rows, settings=SETTINGS, now=NOW, scope=Scope.COMPANY))
    lines = text.splitlines()
    assert lines[0].startswith("group,name,departments,plans,closed,")
    assert lines[1].startswith("all plans,across the company,,11,11,")
    assert "'=cmd|' /C calc'!A0" in text and "\n=cmd" not in text and ",=cmd" not in text
    sales = next(line for line in lines if line.startswith("department,Sales,"))
    assert "yes" in sales and "1 of 4 check-ins held per plan on average" in sales


def test_recorded_extensions_are_counted_not_inferred_from_the_end():
    # Two extensions of 14 and 7 days, as recorded: counted as such.
    recorded = PlanRow(**{**row(extended=21).__dict__, "extensions": 2,
                          "extension_days": 21})
    plan = facts(recorded, now=NOW)
    assert (plan.extensions, plan.extended_days) == (2, 21)
    # A case whose end moved with no extension recorded is not counted as extended.
    unrecorded = facts(PlanRow(**{**row(extended=10).__dict__, "extensions": 0,
                                  "extension_days": 0}), now=NOW)
    assert (unrecorded.extensions, unrecorded.extended_days) == (0, 0)
    figures = Figures.of([plan, unrecorded, facts(row(), now=NOW)])
    assert (figures.extended, figures.extensions, figures.extension_days_average) == (1, 2, 21)

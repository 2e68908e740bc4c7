"""Consistency across plans (issue 17): are plans handled alike, department by
department and manager by manager? HR practice asks HR to "review all PIPs for equal
treatment"; this is the review's evidence.

Pure: one :class:`PlanRow` per case, as the database holds it (the plan's timeline and
check-in schedule as stored JSON, the case's dates and outcome, the check-ins recorded),
the settings' threshold and minimum group size, and ``now`` in; a :class:`Report` out,
whose groups carry their figures and, where a figure differs from the figure of every
plan in the report by more than the threshold, a :class:`Flag` that says so in words.

- Durations: the plan's own length (planned), the case's length once extended, and for
  a closed case the days from its start to its close (actual).
- Check-ins held against scheduled: the case's derived schedule
  (:func:`signing.domain.cases.meetings`: the plan's cadence, continued by each
  extension, at the cadence an extension set from its time on), counting the meetings
  due by ``now`` (or by the case's close), against those recorded as held.
- Gaps: a plan with a stretch of more than :data:`~signing.domain.cases.GAP` without a
  check-in held, by the rule of :func:`signing.domain.cases.gaps`.
- Outcome rates among closed cases; extensions as recorded (how many plans were
  extended, how many times, by how many days); lint findings at sending (None for
  plans sent before they were counted, which are left out of that figure).

A rate is compared in percentage points (40% against 15% differs by 25 points); an
average in percent of the company's figure (12 days against 10 differs by 20%; when the
company's figure is below 1, by percent of 1, so that 0.4 findings against 0 is not an
infinite difference). A group smaller than the minimum, in the plans a figure counts, is
never flagged on that figure: one plan is not a pattern.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from docgen.model import CheckIns
from docgen.schedule import plan_end
from signing.domain.cases import GAP, Case, CaseState, Outcome, meetings
from signing.domain.cases.extension import schedule as extended_schedule
from signing.domain.cases.model import Extension


class Metric(StrEnum):
    """What the report compares; the order is the order of the report's columns."""

    CHECKINS_HELD = "checkins_held"  # rate: held of due
    GAPS = "gaps"  # rate: plans with a gap of more than two weeks
    EXTENDED = "extended"  # rate: plans extended
    PLANNED_DAYS = "planned_days"  # average
    ACTUAL_DAYS = "actual_days"  # average, closed plans
    MET = "met"  # rate among closed plans
    NOT_MET = "not_met"
    RESIGNED = "resigned"
    WITHDRAWN = "withdrawn"
    LINT_FINDINGS = "lint_findings"  # average, plans whose findings were counted


RATES = frozenset({Metric.CHECKINS_HELD, Metric.GAPS, Metric.EXTENDED, Metric.MET,
                   Metric.NOT_MET, Metric.RESIGNED, Metric.WITHDRAWN})
OUTCOME_METRICS = {Outcome.MET: Metric.MET, Outcome.NOT_MET: Metric.NOT_MET,
                   Outcome.RESIGNED: Metric.RESIGNED, Outcome.WITHDRAWN: Metric.WITHDRAWN}

# Each flag's reason, in English, for the API and the CSV; the console says the same
# through gettext (its copy is checked against this one by a test).
REASONS: dict[Metric, str] = {
    Metric.CHECKINS_HELD: "%(group)s: %(held)s of %(due)s check-ins held per plan on average "
                          "(%(value)s) against %(company_held)s of %(company_due)s "
                          "(%(company)s) %(across)s",
    Metric.GAPS: "%(group)s: %(value)s of plans went more than two weeks without a check-in, "
                 "against %(company)s %(across)s",
    Metric.EXTENDED: "%(group)s: %(value)s of plans were extended, against %(company)s "
                     "%(across)s",
    Metric.PLANNED_DAYS: "%(group)s: plans were planned for %(value)s days on average, "
                         "against %(company)s days %(across)s",
    Metric.ACTUAL_DAYS: "%(group)s: closed plans lasted %(value)s days on average, against "
                        "%(company)s days %(across)s",
    Metric.MET: "%(group)s: %(value)s of closed plans ended with the goals met, against "
                "%(company)s %(across)s",
    Metric.NOT_MET: "%(group)s: %(value)s of closed plans ended with the goals not met, "
                    "against %(company)s %(across)s",
    Metric.RESIGNED: "%(group)s: %(value)s of closed plans ended with the employee's "
                     "resignation, against %(company)s %(across)s",
    Metric.WITHDRAWN: "%(group)s: %(value)s of closed plans were withdrawn, against "
                      "%(company)s %(across)s",
    Metric.LINT_FINDINGS: "%(group)s: lint findings when sent averaged %(value)s a plan, "
                          "against %(company)s %(across)s",
}


class Scope(StrEnum):
    """Whose plans the report compares a group with: the words of ``%(across)s``."""

    COMPANY = "company"  # an admin: every plan
    TEAM = "team"  # HR: the plans they and their team sent
    DEPARTMENT = "department"  # filtered to one department


ACROSS: dict[Scope, str] = {Scope.COMPANY: "across the company",
                            Scope.TEAM: "across your team's plans",
                            Scope.DEPARTMENT: "across %(department)s"}


# -- the rows in -----------------------------------------------------------------------


def plan_columns(plan_data: Mapping[str, Any]) -> dict[str, Any]:
    """What the report reads of a (validated, stored) plan, kept on its envelope when it
    is made: its own end date (before any extension) and its check-in schedule."""
    timeline = plan_data.get("timeline") or {}
    try:
        end: dt.date | None = plan_end(
            dt.date.fromisoformat(str(timeline["start"])),
            dt.date.fromisoformat(str(timeline["end"])) if timeline.get("end") else None,
            int(timeline["length_days"]) if timeline.get("length_days") else None)
    except (AssertionError, KeyError, TypeError, ValueError, OverflowError):
        end = None
    return {"planned_end": end, "checkin_schedule": plan_data.get("checkins") or None}


@dataclass(frozen=True)
class PlanRow:
    """One case as the database holds it, with what its envelope keeps of its plan
    (:func:`plan_columns`): ``planned_end`` (None: unknown, the case's end is taken) and
    ``checkins``, the stored schedule as JSON text or data; ``held`` the times of the
    check-ins recorded as held, ``missed`` how many were recorded as missed;
    ``lint_findings`` the lint findings when it was sent (None: sent before they were
    counted)."""

    envelope_id: str
    department: str
    manager: str
    state: str
    start: dt.date
    end: dt.date
    outcome: str | None
    closed_at: dt.datetime | None
    planned_end: dt.date | None
    checkins: str | Mapping[str, Any] | None
    held: Sequence[dt.datetime] = ()
    missed: int = 0
    lint_findings: int | None = None
    # The case's extensions as recorded (case_extensions): how many, and their days.
    # None: not read (the extension days are then the case's end past the plan's).
    extensions: int | None = None
    extension_days: int | None = None
    # When an extension changed the check-ins' cadence: every extension of the case and
    # each check-in recorded (meeting, when recorded), from which its schedule is derived
    # as the case's is. Empty otherwise: the plan's cadence to the case's end.
    schedule_changes: Sequence[Extension] = ()
    recorded: Sequence[tuple[int, dt.datetime]] = ()


@dataclass(frozen=True)
class PlanFacts:
    """What the report counts of one plan."""

    envelope_id: str
    department: str
    manager: str
    planned_days: int
    extended_days: int
    actual_days: int | None  # closed plans only
    outcome: Outcome | None
    due: int
    held: int
    gap: bool
    lint_findings: int | None
    extensions: int = 0  # how many times it was extended

    @property
    def closed(self) -> bool:
        return self.actual_days is not None


def facts(row: PlanRow, *, now: dt.datetime) -> PlanFacts:
    """What counts of ``row`` as of ``now``: its schedule derived as the case's is."""
    planned_end = row.planned_end or row.end
    key, schedule_data = _check_ins(row.checkins)
    until = (now if row.closed_at is None else min(now, row.closed_at)).timestamp()
    if schedule_data is None:
        times: tuple[float, ...] = ()
    elif any(e.cadence for e in row.schedule_changes):  # rare: derived for this case alone
        times = tuple(m.starts_utc.timestamp() for m in extended_schedule(
            schedule_data, row.start, row.end, row.schedule_changes, row.recorded))
    else:
        times = _meeting_times(key, row.start, row.end)
    # A meeting recorded is one of the schedule's, even if recorded before its time.
    due = max(bisect.bisect_right(times, until), len(row.held) + row.missed)
    zone = ZoneInfo(schedule_data.timezone) if schedule_data is not None else dt.UTC
    held_days = sorted({h.astimezone(zone).date() for h in row.held})
    closed = row.closed_at is not None and _state(row.state) is CaseState.CLOSED
    return PlanFacts(
        envelope_id=row.envelope_id, department=row.department, manager=row.manager,
        planned_days=(planned_end - row.start).days,
        extended_days=(row.extension_days if row.extension_days is not None
                       else max(0, (row.end - planned_end).days)),
        extensions=(row.extensions if row.extensions is not None
                    else int(row.end > planned_end)),
        actual_days=(max(0, (_day(row.closed_at, zone) - row.start).days)
                     if closed and row.closed_at is not None else None),
        outcome=_outcome(row.outcome) if closed else None,
        due=due, held=len(row.held),
        gap=has_gap(row.start, row.end, held_days, today=now.astimezone(zone).date()),
        lint_findings=row.lint_findings)


def has_gap(start: dt.date, end: dt.date, held_days: Sequence[dt.date], *,
            today: dt.date) -> bool:
    """Whether there was a stretch longer than :data:`GAP` with no check-in held, from
    the plan's start to today (or its end, if sooner): the rule of
    :func:`signing.domain.cases.gaps`, on days (the report reads no whole check-in)."""
    until = min(today, end)
    if until <= start:
        return False
    marks = [start, *(d for d in held_days if start <= d <= until), until]
    return any(b - a > GAP for a, b in itertools.pairwise(marks))


# The stored schedules repeat (a company's plans share a few cadences, days and zones),
# and so do their dates: each schedule is read, and each (schedule, start, end) derived,
# once per process, within bounds.
_SCHEDULES: dict[str, CheckIns | None] = {}
MAX_SCHEDULES = 1000


def _check_ins(data: str | Mapping[str, Any] | None) -> tuple[str, CheckIns | None]:
    if not data:
        return "", None
    key = data if isinstance(data, str) else json.dumps(data, sort_keys=True, default=str)
    if key not in _SCHEDULES:
        if len(_SCHEDULES) >= MAX_SCHEDULES:
            _SCHEDULES.clear()
            _meeting_times.cache_clear()
        try:
            _SCHEDULES[key] = CheckIns.model_validate_json(key)
        except ValidationError:
            _SCHEDULES[key] = None
    return key, _SCHEDULES[key]


@functools.lru_cache(maxsize=20_000)
def _meeting_times(key: str, start: dt.date, end: dt.date) -> tuple[float, ...]:
    """When each meeting of the case's schedule starts (POSIX seconds, in order): the
    meetings :func:`signing.domain.cases.meetings` derives for the case."""
    case = Case("", CaseState.ACTIVE, start, end)
    return tuple(m.starts_utc.timestamp() for m in meetings(_SCHEDULES.get(key), case))


def _state(value: str) -> CaseState:
    try:
        return CaseState(value)
    except ValueError:
        return CaseState.ACTIVE


def _outcome(value: str | None) -> Outcome | None:
    try:
        return Outcome(value) if value else None
    except ValueError:
        return None


def _day(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return moment.astimezone(zone).date()


# -- the figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """A group's counts, and the figures the report compares."""

    plans: int = 0
    closed: int = 0
    planned_days: int = 0  # sums, for the averages
    actual_days: int = 0
    extended: int = 0  # plans extended
    extensions: int = 0  # extensions in all (a plan may be extended more than once)
    extension_days: int = 0
    due: int = 0
    held: int = 0
    gaps: int = 0
    outcomes: Mapping[Outcome, int] = field(default_factory=dict)
    linted: int = 0  # plans whose lint findings were counted
    lint_findings: int = 0

    @classmethod
    def of(cls, plans: Iterable[PlanFacts]) -> Figures:
        sums: dict[str, int] = defaultdict(int)
        outcomes: dict[Outcome, int] = {o: 0 for o in Outcome}
        for p in plans:
            sums["plans"] += 1
            sums["planned_days"] += p.planned_days
            sums["due"] += p.due
            sums["held"] += p.held
            sums["gaps"] += p.gap
            if p.extensions or p.extended_days:
                sums["extended"] += 1
                sums["extensions"] += p.extensions
                sums["extension_days"] += p.extended_days
            if p.actual_days is not None:
                sums["closed"] += 1
                sums["actual_days"] += p.actual_days
                if p.outcome is not None:
                    outcomes[p.outcome] += 1
            if p.lint_findings is not None:
                sums["linted"] += 1
                sums["lint_findings"] += p.lint_findings
        return cls(**sums, outcomes=outcomes)

    def counted(self, metric: Metric) -> int:
        """How many plans ``metric`` is figured over: the group's size for it."""
        if metric in OUTCOME_METRICS.values() or metric is Metric.ACTUAL_DAYS:
            return self.closed
        if metric is Metric.LINT_FINDINGS:
            return self.linted
        if metric is Metric.CHECKINS_HELD:
            return self.plans if self.due else 0
        return self.plans

    def value(self, metric: Metric) -> float | None:
        """The figure: a rate in percent, or an average; None when nothing counts."""
        n = self.counted(metric)
        if not n:
            return None
        match metric:
            case Metric.CHECKINS_HELD:
                return 100 * self.held / self.due
            case Metric.GAPS:
                return 100 * self.gaps / n
            case Metric.EXTENDED:
                return 100 * self.extended / n
            case Metric.PLANNED_DAYS:
                return self.planned_days / n
            case Metric.ACTUAL_DAYS:
                return self.actual_days / n
            case Metric.LINT_FINDINGS:
                return self.lint_findings / n
        outcome = next(o for o, m in OUTCOME_METRICS.items() if m is metric)
        return 100 * self.outcomes.get(outcome, 0) / n

    def per_plan(self, count: int) -> float:
        return count / self.plans if self.plans else 0.0

    @property
    def extension_days_average(self) -> float | None:
        return self.extension_days / self.extended if self.extended else None


# -- flags -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """A figure of a group beyond the threshold from the report's: ``difference`` in
    percentage points (a rate) or in percent of the report's figure (an average)."""

    metric: Metric
    value: float
    company: float
    difference: float
    values: Mapping[str, str]  # the reason's words, formatted: group, value, company, ...

    @property
    def reason(self) -> str:
        """The flag in English words."""
        return REASONS[self.metric] % self.values


def difference(metric: Metric, value: float, company: float) -> float:
    if metric in RATES:
        return value - company
    return 100 * (value - company) / max(company, 1.0)


def number(value: float, metric: Metric | None = None) -> str:
    """A figure as people read it, halves rounded up: a rate as a whole percent (62.5
    is 63%), others to one decimal (2.25 is 2.3, 4.0 is 4)."""
    if metric is not None and metric in RATES:
        return f"{_round(value, '1')}%"
    return f"{_round(value, '0.1'):,}".removesuffix(".0")


def _round(value: float, step: str) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(step), rounding=ROUND_HALF_UP)


def flags_of(name: str, group: Figures, company: Figures, *, threshold: float,
             min_size: int, across: str) -> tuple[Flag, ...]:
    found = []
    for metric in Metric:
        value, base = group.value(metric), company.value(metric)
        if value is None or base is None or group.counted(metric) < min_size:
            continue
        gap = difference(metric, value, base)
        if abs(gap) <= threshold:
            continue
        words = {"group": name, "value": number(value, metric),
                 "company": number(base, metric), "across": across}
        if metric is Metric.CHECKINS_HELD:
            words |= {"held": number(group.per_plan(group.held)),
                      "due": number(group.per_plan(group.due)),
                      "company_held": number(company.per_plan(company.held)),
                      "company_due": number(company.per_plan(company.due))}
        found.append(Flag(metric, value, base, gap, words))
    return tuple(found)


# -- the report ------------------------------------------------------------------------


class GroupKind(StrEnum):
    DEPARTMENT = "department"
    MANAGER = "manager"


@dataclass(frozen=True)
class Group:
    kind: GroupKind
    name: str
    departments: tuple[str, ...]  # a manager's (one, usually); a department's own name
    figures: Figures
    flags: tuple[Flag, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class Settings:
    """The report's settings (``consistency_threshold_percent``,
    ``consistency_min_group_size``)."""

    threshold_percent: float
    min_group_size: int


@dataclass(frozen=True)
class Report:
    company: Figures
    departments: tuple[Group, ...]
    managers: tuple[Group, ...]
    settings: Settings
    scope: Scope
    across: str  # the words the reasons use for the whole report, in English
    generated_at: dt.datetime
    department: str | None = None  # the one department the report is filtered to

    @property
    def flagged(self) -> tuple[Group, ...]:
        return tuple(g for g in (*self.departments, *self.managers) if g.flagged)


NO_DEPARTMENT = "(no department)"
NO_MANAGER = "(no manager named)"


def report(rows: Iterable[PlanRow], *, settings: Settings, now: dt.datetime,
           scope: Scope, department: str | None = None) -> Report:
    """The consistency report over ``rows`` (the plans in scope, already filtered)."""
    plans = [facts(r, now=now) for r in rows]
    company = Figures.of(plans)
    across = ACROSS[scope] % {"department": department or ""}
    by_department: dict[str, list[PlanFacts]] = defaultdict(list)
    by_manager: dict[str, list[PlanFacts]] = defaultdict(list)
    for p in plans:
        by_department[p.department or NO_DEPARTMENT].append(p)
        by_manager[p.manager or NO_MANAGER].append(p)

    def groups(kind: GroupKind, grouped: dict[str, list[PlanFacts]]) -> tuple[Group, ...]:
        made = []
        for name in sorted(grouped, key=str.casefold):
            figures = Figures.of(grouped[name])
            departments = tuple(sorted({p.department or NO_DEPARTMENT for p in grouped[name]},
                                       key=str.casefold))
            made.append(Group(kind, name, departments, figures, flags_of(
                name, figures, company, threshold=settings.threshold_percent,
                min_size=settings.min_group_size, across=across)))
        return tuple(made)

    return Report(company, groups(GroupKind.DEPARTMENT, by_department),
                  groups(GroupKind.MANAGER, by_manager), settings, scope, across, now,
                  department)

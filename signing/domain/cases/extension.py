"""Extending a case: HR give it more days, a reason and, if need be, adjusted goals.

Pure: the case (its end, its extensions and check-ins so far), the plan's check-in
schedule and goals, the form as typed and an explicit ``now`` in; an
:class:`ExtensionDecision` out (the new end, the amendment's number, the schedule before
and after, which meetings are new and which are cancelled), or a
:class:`~.model.CaseError` naming the field to correct, before anything is recorded.

The schedule after an extension is the plan's cadence continued to the new end. HR may
change the cadence from the extension on (weekly to biweekly, say): the meetings held,
recorded or due before the extension stay as they were, and the next ones follow the
new cadence from the last of those; the old schedule's later meetings are cancelled.
A meeting is the same meeting (the calendar's UID) when it falls on the same day.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from docgen.model import Cadence, CheckIns, Goal
from docgen.schedule import Meeting, checkin_meetings, week_number
from signing.domain.cases.model import Case, CaseClosed, CaseError, Extension
from signing.domain.errors import Wording
from signing.domain.wording import N_

MAX_REASON = 2_000
MAX_GOAL_TEXT = 2_000
# What of a goal an extension may change; its milestones and due date stay the plan's.
GOAL_FIELDS = ("statement", "metric", "baseline", "target")
_CADENCE_DAYS = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14, Cadence.MONTHLY: 28}


@dataclass(frozen=True)
class ExtensionForm:
    """An extension as typed (the console's form, the API's body, the CLI's options):
    ``days`` more, the ``reason``, optionally a new ``cadence`` from now on, and
    ``goals``: each a mapping of ``goal`` (its number in the plan) and the fields that
    change (``statement``, ``metric``, ``baseline``, ``target``)."""

    days: str | int
    reason: str
    cadence: str = ""
    goals: Sequence[Any] = ()


@dataclass(frozen=True)
class GoalChange:
    """A goal of the plan as the extension amends it: None keeps the plan's value."""

    goal: int
    statement: str | None = None
    metric: str | None = None
    baseline: str | None = None
    target: str | None = None

    def data(self) -> dict[str, Any]:
        return {"goal": self.goal, **{name: getattr(self, name) for name in GOAL_FIELDS
                                      if getattr(self, name) is not None}}

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> GoalChange:
        return cls(int(data["goal"]), **{name: data.get(name) for name in GOAL_FIELDS})


@dataclass(frozen=True)
class ExtensionDecision:
    """What an extension does to the case: amendment ``number``, the ``new_end``, the
    schedule ``before`` and ``after`` it, and the calendar's changes."""

    number: int
    days: int
    reason: str
    new_end: dt.date
    cadence: Cadence | None
    goals: tuple[GoalChange, ...]
    before: tuple[Meeting, ...]
    after: tuple[Meeting, ...]

    @property
    def new_meetings(self) -> tuple[Meeting, ...]:
        return added(self.before, self.after)

    @property
    def cancelled_meetings(self) -> tuple[Meeting, ...]:
        return cancelled(self.before, self.after)

    def extension(self, *, by: str, at: dt.datetime) -> Extension:
        return Extension(self.number, self.days, self.reason, self.new_end, bool(self.goals),
                         by, at, str(self.cadence) if self.cadence else None)


def decide(case: Case, checkins: CheckIns | None, goals: Sequence[Goal], form: ExtensionForm,
           *, max_days: int, now: dt.datetime) -> ExtensionDecision:
    """Check ``form`` against the case and the plan; raise :class:`CaseError` naming the
    field (``days``, ``reason``, ``cadence``, ``goals[1]``) or :class:`CaseClosed`."""
    if not case.is_open:
        raise CaseClosed(case.envelope_id)
    days = _days(form.days, used=case.extended_days, max_days=max_days)
    reason = _text(form.reason, "reason", MAX_REASON)
    if not reason:
        raise CaseError(Wording(N_("give the reason for the extension: it goes on the record "
                                   "and in the amended plan's history")), "reason")
    cadence = _cadence(form.cadence, _current(checkins, case))
    changes = goal_changes(form.goals, goals)
    before = meetings(checkins, case)
    extension = Extension(len(case.extensions) + 1, days, reason,
                          case.end + dt.timedelta(days=days), bool(changes), "", now,
                          str(cadence) if cadence else None)
    after = meetings(checkins, replace(case, end=extension.new_end,
                                       extensions=(*case.extensions, extension)))
    return ExtensionDecision(extension.number, days, reason, extension.new_end, cadence,
                             changes, before, after)


def goal_changes(given: Sequence[Any], goals: Sequence[Goal]) -> tuple[GoalChange, ...]:
    """The goals an extension adjusts, each checked: ``goals[i]`` names the entry."""
    if isinstance(given, str | bytes) or not isinstance(given, Sequence):
        raise CaseError(Wording(N_("give the adjusted goals as a list, each with its goal "
                                   "number and what changes")), "goals")
    changes: list[GoalChange] = []
    for i, entry in enumerate(given):
        where = f"goals[{i}]"
        if not isinstance(entry, Mapping):
            raise CaseError(Wording(N_("give the goal's number (goal) and what changes: "
                                       "statement, metric, baseline or target")), where)
        for key in entry:
            if key != "goal" and key not in GOAL_FIELDS:
                raise CaseError(Wording(N_("unknown field; a goal's fields are goal, %(fields)s"),
                                        fields=", ".join(GOAL_FIELDS)),
                                f"{where}.{str(key)[:40]}")
        number = entry.get("goal")
        if isinstance(number, str) and number.strip().isdigit():
            number = int(number)
        if not isinstance(number, int) or isinstance(number, bool) \
                or not 1 <= number <= len(goals):
            raise CaseError(Wording(N_("the plan has no goal %(goal)s; its goals are 1 to "
                                       "%(last)s"), goal=str(number)[:20], last=len(goals))
                            if len(goals) > 1 else
                            Wording(N_("the plan has no goal %(goal)s; its only goal is goal "
                                       "1"), goal=str(number)[:20]), where)
        if any(c.goal == number for c in changes):
            raise CaseError(Wording(N_("goal %(goal)s is given twice"), goal=number), where)
        fields: dict[str, str] = {}
        for name in GOAL_FIELDS:
            if entry.get(name) is None:
                continue
            text = _text(entry[name], f"{where}.{name}", MAX_GOAL_TEXT)
            if not text and name == "statement":
                raise CaseError(Wording(N_("a goal needs its statement")), f"{where}.statement")
            if text != (getattr(goals[number - 1], name) or ""):
                fields[name] = text
        if not fields:
            raise CaseError(Wording(N_("say what changes in goal %(goal)s (statement, metric, "
                                       "baseline or target); it is the same as the plan's"),
                                    goal=number), where)
        changes.append(GoalChange(number, **fields))
    return tuple(changes)


def amended_plan_data(plan_data: Mapping[str, Any], *, new_end: dt.date,
                      cadence: Cadence | None, changes: Sequence[GoalChange]
                      ) -> dict[str, Any]:
    """The plan as amended: the new end, the cadence from now on, the adjusted goals; all
    else (people, support, the start) the plan's, as signed."""
    data = {**plan_data}
    timeline = {k: v for k, v in dict(data.get("timeline") or {}).items()
                if k != "length_days"}
    timeline["end"] = new_end.isoformat()
    data["timeline"] = timeline
    if cadence is not None and data.get("checkins"):
        data["checkins"] = {**data["checkins"], "cadence": str(cadence)}
    data["goals"] = amended_goals(list(data.get("goals") or []), changes)
    return data


def amended_goals(goals: list[Any], changes: Sequence[GoalChange]) -> list[Any]:
    """The plan's goals (as data) with each extension's changes applied in turn."""
    goals = [dict(g) if isinstance(g, Mapping) else g for g in goals]
    for change in changes:
        if 1 <= change.goal <= len(goals) and isinstance(goals[change.goal - 1], dict):
            goals[change.goal - 1].update({k: v for k, v in change.data().items()
                                           if k != "goal"})
    return goals


# -- the schedule ------------------------------------------------------------------------


def meetings(checkins: CheckIns | None, case: Case) -> tuple[Meeting, ...]:
    """The case's meetings: the plan's cadence from its start to the case's end, each
    extension continuing it (with its own cadence from its time on, if it set one);
    numbering goes on from the plan's own meetings."""
    return schedule(checkins, case.start, case.end, case.extensions,
                    [(c.meeting, c.recorded_at) for c in case.checkins])


def schedule(checkins: CheckIns | None, start: dt.date, end: dt.date,
             extensions: Sequence[Extension],
             recorded: Sequence[tuple[int, dt.datetime]]) -> tuple[Meeting, ...]:
    """:func:`meetings` from what it needs alone: the case's dates, its extensions and
    each check-in recorded (meeting, when recorded); the consistency report reads no
    whole case."""
    if not checkins:
        return ()
    if not any(e.cadence for e in extensions):
        return checkin_meetings(checkins, start, end)
    ordered = sorted(extensions, key=lambda e: e.number)
    first_end = ordered[0].new_end - dt.timedelta(days=ordered[0].days)
    meetings_so_far = checkin_meetings(checkins, start, first_end)
    current = checkins
    for e in ordered:
        if e.cadence:
            current = current.model_copy(update={"cadence": Cadence(e.cadence)})
        meetings_so_far = _continued(meetings_so_far, current, start, recorded, e)
    return meetings_so_far


def _continued(schedule: tuple[Meeting, ...], checkins: CheckIns, start: dt.date,
               recorded_at: Sequence[tuple[int, dt.datetime]],
               extension: Extension) -> tuple[Meeting, ...]:
    """``schedule`` continued to the extension's end at ``checkins``' cadence: what was
    due before the extension (or recorded by then) is kept; the rest is derived anew
    from the last meeting kept."""
    recorded = {meeting for meeting, at in recorded_at if at <= extension.at}
    kept = [m for m in schedule if m.starts_utc < extension.at or m.number in recorded]
    if not kept:
        return checkin_meetings(checkins, start, extension.new_end)
    step = dt.timedelta(days=_CADENCE_DAYS[checkins.cadence])
    skipped = set(checkins.skip)
    result = list(kept)
    day = kept[-1].date + step
    while day <= extension.new_end:
        if day not in skipped:
            starts = dt.datetime.combine(day, checkins.time, tzinfo=kept[-1].starts.tzinfo)
            result.append(Meeting(len(result) + 1, week_number(start, day), starts,
                                  starts + dt.timedelta(minutes=checkins.duration_minutes)))
        day += step
    return tuple(result)


def added(before: Sequence[Meeting], after: Sequence[Meeting]) -> tuple[Meeting, ...]:
    """The meetings of ``after`` on a day ``before`` had none: to invite to."""
    days = {m.date for m in before}
    return tuple(m for m in after if m.date not in days)


def cancelled(before: Sequence[Meeting], after: Sequence[Meeting]) -> tuple[Meeting, ...]:
    """The meetings of ``before`` on a day ``after`` has none: to cancel."""
    days = {m.date for m in after}
    return tuple(m for m in before if m.date not in days)


# -- helpers -----------------------------------------------------------------------------


def _days(value: Any, *, used: int, max_days: int) -> int:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not text.lstrip("-").isdigit():
        raise CaseError(Wording(N_("give the number of days to extend the plan by, a whole "
                                   "number")),
                        "days")
    days = int(text)
    if days <= 0:
        raise CaseError(Wording(N_("extend the plan by at least one day")), "days")
    left = max_days - used
    if days > left:
        raise CaseError(Wording(N_("a plan may be extended by up to %(most)s days in all "
                                   "(%(used)s already used); this extension may add up to "
                                   "%(left)s"), most=max_days, used=used, left=max(left, 0))
                        if used else
                        Wording(N_("a plan may be extended by up to %(most)s days in all; "
                                   "this extension may add up to %(left)s"), most=max_days,
                                left=max(left, 0)), "days")
    return days


def _current(checkins: CheckIns | None, case: Case) -> CheckIns | None:
    """The plan's check-ins at the cadence the case follows now (its last change)."""
    changed = [e.cadence for e in sorted(case.extensions, key=lambda e: e.number)
               if e.cadence]
    if checkins is None or not changed:
        return checkins
    return checkins.model_copy(update={"cadence": Cadence(changed[-1])})


def _cadence(value: Any, checkins: CheckIns | None) -> Cadence | None:
    text = str(value or "").strip().lower()
    if not text:
        return None
    if checkins is None:
        raise CaseError(Wording(N_("this plan has no check-in schedule whose cadence could "
                                   "change")),
                        "cadence")
    try:
        cadence = Cadence(text)
    except ValueError:
        raise CaseError(Wording(N_("the cadence is one of %(choices)s"),
                                choices=", ".join(c.value for c in Cadence)),
                        "cadence") from None
    return None if cadence is checkins.cadence else cadence


def _text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise CaseError(Wording(N_("give this as text")), field)
    text = "".join(c for c in value.replace("\r\n", "\n")
                   if c == "\n" or unicodedata.category(c) != "Cc").strip()
    if len(text) > limit:
        raise CaseError(Wording(N_("up to %(most)s characters; this has %(given)s"),
                                most=f"{limit:,}", given=f"{len(text):,}"), field)
    return text

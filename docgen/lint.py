"""Checks a plan against good PIP practice.

Each rule has a stable code (documented in the README, never reused), a severity and a
one-line summary. A rule is a generator over a plan and its schedule that yields the
findings; rules never change the plan.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from docgen.model import Plan
from docgen.schedule import Schedule, schedule_for
from docgen.words import N_, NN_, Words

MIN_PLAN_DAYS = 30
MAX_PLAN_DAYS = 90
MAX_CHECKIN_GAP_DAYS = 14

# Goal wording that names a wish, not a behaviour anyone could observe or count.
VAGUE_PHRASES = (
    "do better", "improve attitude", "better attitude", "be more proactive", "try harder",
    "step up", "be a team player", "show more initiative", "show more commitment",
    "be more professional", "improve performance", "work harder", "be more engaged",
    "take more ownership", "improve communication", "meet expectations", "be more positive",
)
# Labels about the person rather than facts about the work.
SUBJECTIVE_LABELS = (
    "bad attitude", "poor attitude", "lazy", "careless", "sloppy", "incompetent",
    "unprofessional", "arrogant", "not a team player", "unmotivated", "lacks motivation",
    "hopeless", "useless", "stupid", "rude",
)
# Measures that are someone's opinion: nobody can check them, and the employee cannot
# know in advance whether they will be met.
OPINION_MEASURES = (
    "manager opinion", "manager's opinion", "managers opinion", "opinion of the manager",
    "in the opinion of", "manager judgement", "manager judgment", "manager's judgement",
    "manager's judgment", "managers judgement", "at the manager's discretion",
    "to the manager's satisfaction", "to the satisfaction of", "subjective assessment",
    "subjective judgement", "subjective judgment", "gut feeling", "how the manager feels",
    "manager feels", "manager's perception", "manager's impression",
)
# Words such as "feel" or "perceived" are left out on purpose: a survey's measure ("share
# of customers who feel their issue was resolved") is a checkable figure, not an opinion.


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    path: str
    # English as a str (the command line, the API); a Words, so the console can show it
    # in its reader's language.
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": str(self.severity), "path": self.path,
                "message": str(self.message)}


# A lint check: the plan and its schedule in, ``(path, message)`` pairs out, each message
# a :class:`~docgen.words.Words` (a whole sentence, its values apart).
Check = Callable[[Plan, Schedule], Iterator[tuple[str, Words]]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    summary: str
    check: Check


RULES: dict[str, Rule] = {}


def rule(code: str, severity: Severity, summary: str) -> Callable[[Check], Check]:
    """Register a check that yields ``(path, message)`` pairs."""

    def register(check: Check) -> Check:
        if code in RULES:
            raise ValueError(f"lint rule code {code} is already taken")
        RULES[code] = Rule(code, severity, summary, check)
        return check

    return register


def lint(plan: Plan, schedule: Schedule | None = None) -> list[Finding]:
    """Every finding for a plan, errors first, each group in plan order."""
    schedule = schedule or schedule_for(plan)
    findings = [
        Finding(r.code, r.severity, path, message)
        for r in RULES.values()
        for path, message in r.check(plan, schedule)
    ]
    return sorted(findings, key=lambda f: f.severity is not Severity.ERROR)


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


def _phrases_in(text: str, phrases: tuple[str, ...]) -> list[str]:
    lowered = text.lower()
    return [p for p in phrases if re.search(rf"\b{re.escape(p)}\b", lowered)]


def _has_number(text: str) -> bool:
    return bool(re.search(r"\d", text))


# -- timeline -----------------------------------------------------------------------


Found = Iterator[tuple[str, Words]]


@rule("PIP101", Severity.ERROR, "the plan lasts 30 to 90 days")
def _plan_length(plan: Plan, schedule: Schedule) -> Found:
    days = schedule.length_days
    path = "timeline.end" if plan.timeline.end else "timeline.length_days"
    if days < MIN_PLAN_DAYS:
        yield path, Words.counted(NN_(
            "the plan lasts %(count)s day; give the employee at least %(least)s days to "
            "show improvement",
            "the plan lasts %(count)s days; give the employee at least %(least)s days to "
            "show improvement"), days, least=MIN_PLAN_DAYS)
    elif days > MAX_PLAN_DAYS:
        yield path, Words.counted(NN_(
            "the plan lasts %(count)s day; keep it to %(most)s days or less and extend it "
            "at review if needed",
            "the plan lasts %(count)s days; keep it to %(most)s days or less and extend it "
            "at review if needed"), days, most=MAX_PLAN_DAYS)


@rule("PIP102", Severity.WARNING, "review dates fall inside the plan period")
def _reviews_inside(plan: Plan, schedule: Schedule) -> Found:
    for i, day in enumerate(plan.timeline.review_dates or ()):
        if not schedule.contains(day):
            yield (f"timeline.review_dates[{i}]", _outside(day, schedule))


def _outside(day: object, schedule: Schedule) -> Words:
    return Words(N_("%(date)s is outside the plan period %(start)s to %(end)s"),
                 date=day, start=schedule.start, end=schedule.end)


@rule("PIP103", Severity.WARNING, "a plan longer than 30 days has a mid-point review")
def _midpoint_review(plan: Plan, schedule: Schedule) -> Found:
    if schedule.length_days > MIN_PLAN_DAYS and len(schedule.reviews) < 2:
        yield "timeline.review_dates", Words(N_(
            "there is no review before the final one; add a mid-point review so the "
            "employee hears how they are doing while there is time to act"))


# -- goals --------------------------------------------------------------------------


@rule("PIP201", Severity.ERROR, "the plan has at least one goal")
def _has_goals(plan: Plan, schedule: Schedule) -> Found:
    if not plan.goals:
        yield "goals", Words(N_("the plan has no goals; add at least one SMART goal"))


@rule("PIP202", Severity.ERROR, "goals are specific, not vague wishes")
def _vague_goal(plan: Plan, schedule: Schedule) -> Found:
    for i, goal in enumerate(plan.goals):
        vague = _phrases_in(goal.statement, VAGUE_PHRASES)
        if vague:
            yield f"goals[{i}].statement", Words(N_(
                '"%(phrase)s" is vague; say what the employee will do and how it will be '
                "measured"), phrase=vague[0])


@rule("PIP203", Severity.ERROR, "every goal has a metric")
def _goal_metric(plan: Plan, schedule: Schedule) -> Found:
    for i, goal in enumerate(plan.goals):
        if not goal.metric:
            yield f"goals[{i}].metric", Words(N_(
                "the goal has no metric; say how progress is measured"))


@rule("PIP204", Severity.ERROR, "every goal has a target")
def _goal_target(plan: Plan, schedule: Schedule) -> Found:
    for i, goal in enumerate(plan.goals):
        if not goal.target:
            yield f"goals[{i}].target", Words(N_(
                "the goal has no target; say what level counts as met"))


@rule("PIP205", Severity.WARNING, "targets are measurable (hold a number)")
def _target_measurable(plan: Plan, schedule: Schedule) -> Found:
    for i, goal in enumerate(plan.goals):
        if goal.target and not _has_number(goal.target):
            yield f"goals[{i}].target", Words(N_(
                '"%(target)s" holds no number; a target should be something you can count'),
                target=goal.target)


@rule("PIP206", Severity.ERROR, "every goal has a due date")
def _goal_due(plan: Plan, schedule: Schedule) -> Found:
    for i, goal in enumerate(plan.goals):
        if goal.due is None:
            yield f"goals[{i}].due", Words(N_(
                "the goal has no due date; give one inside the plan period"))


@rule("PIP207", Severity.ERROR, "goal due dates fall inside the plan period")
def _goal_due_inside(plan: Plan, schedule: Schedule) -> Found:
    for i, goal in enumerate(plan.goals):
        if goal.due is not None and not schedule.contains(goal.due):
            yield f"goals[{i}].due", _outside(goal.due, schedule)


@rule("PIP208", Severity.WARNING, "every goal has milestones")
def _goal_milestones(plan: Plan, schedule: Schedule) -> Found:
    for i, goal in enumerate(plan.goals):
        if not goal.milestones:
            yield f"goals[{i}].milestones", Words(N_(
                "the goal has no milestones; milestones (weekly, say) show progress between "
                "check-ins"))


@rule("PIP209", Severity.WARNING, "milestones fall inside the plan and by the goal's due date")
def _milestone_dates(plan: Plan, schedule: Schedule) -> Found:
    for i, goal in enumerate(plan.goals):
        for j, milestone in enumerate(goal.milestones):
            path = f"goals[{i}].milestones[{j}].due"
            if not schedule.contains(milestone.due):
                yield path, _outside(milestone.due, schedule)
            elif goal.due is not None and milestone.due > goal.due:
                yield path, Words(N_("%(date)s is after the goal's due date %(due)s"),
                                  date=milestone.due, due=goal.due)


@rule("PIP210", Severity.WARNING, "every goal names an area for improvement that exists")
def _goal_area(plan: Plan, schedule: Schedule) -> Found:
    titles = {a.title.casefold() for a in plan.areas}
    for i, goal in enumerate(plan.goals):
        if goal.area and goal.area.casefold() not in titles:
            yield f"goals[{i}].area", Words(N_(
                '"%(area)s" is not the title of any area for improvement in this plan'),
                area=goal.area)


# One sentence per field: the field's name is a word of the sentence in every language.
_OPINION = {
    "metric": N_('"%(phrase)s" makes the metric an opinion; name something that can be '
                 "counted or checked by anyone, such as a figure from a report"),
    "target": N_('"%(phrase)s" makes the target an opinion; name something that can be '
                 "counted or checked by anyone, such as a figure from a report"),
}


@rule("PIP211", Severity.ERROR, "metrics and targets are measures, not opinions")
def _opinion_measure(plan: Plan, schedule: Schedule) -> Found:
    for i, goal in enumerate(plan.goals):
        for name in ("metric", "target"):
            opinion = _phrases_in(getattr(goal, name) or "", OPINION_MEASURES)
            if opinion:
                yield f"goals[{i}].{name}", Words(_OPINION[name], phrase=opinion[0])



# -- areas and evidence -------------------------------------------------------------


@rule("PIP301", Severity.ERROR, "the plan names at least one area for improvement")
def _has_areas(plan: Plan, schedule: Schedule) -> Found:
    if not plan.areas:
        yield "areas", Words(N_(
            "the plan names no area for improvement; say what must change and why"))


@rule("PIP302", Severity.ERROR, "every area for improvement has evidence")
def _area_evidence(plan: Plan, schedule: Schedule) -> Found:
    for i, area in enumerate(plan.areas):
        if not area.evidence:
            yield f"areas[{i}].evidence", Words(N_(
                '"%(area)s" has no evidence; add facts with dates, figures or ticket ids'),
                area=area.title)


@rule("PIP303", Severity.ERROR,
      "evidence and the performance history state facts, not labels about the person")
def _subjective_labels(plan: Plan, schedule: Schedule) -> Found:
    history = plan.performance_history
    texts = [("performance_history.summary", history.summary),
             *((f"performance_history.entries[{i}].note", e.note)
               for i, e in enumerate(history.entries)),
             *((f"areas[{i}].evidence[{j}].fact", evidence.fact)
               for i, area in enumerate(plan.areas)
               for j, evidence in enumerate(area.evidence))]
    for path, text in texts:
        labels = _phrases_in(text, SUBJECTIVE_LABELS)
        if labels:
            yield path, Words(N_('"%(label)s" is a subjective label; describe the observed '
                                 "behaviour and its effect instead"), label=labels[0])


@rule("PIP304", Severity.WARNING, "evidence has a date or a source")
def _evidence_traceable(plan: Plan, schedule: Schedule) -> Found:
    for i, area in enumerate(plan.areas):
        for j, evidence in enumerate(area.evidence):
            if evidence.date is None and not evidence.source:
                yield f"areas[{i}].evidence[{j}]", Words(N_(
                    "the evidence has neither a date nor a source (report, ticket id); "
                    "add one so it can be checked"))


@rule("PIP305", Severity.WARNING, "the performance history covers 3 to 12 months")
def _history_span(plan: Plan, schedule: Schedule) -> Found:
    history = plan.performance_history
    days = (history.end - history.start).days
    if days < 85:
        yield "performance_history.start", Words.counted(NN_(
            "the history covers %(count)s day; describe at least the last 3 months",
            "the history covers %(count)s days; describe at least the last 3 months"), days)
    elif days > 370:
        yield "performance_history.start", Words.counted(NN_(
            "the history covers %(count)s day; keep to the last 12 months",
            "the history covers %(count)s days; keep to the last 12 months"), days)


# -- support, check-ins, outcomes ---------------------------------------------------


@rule("PIP401", Severity.ERROR, "the company commits support to the employee")
def _has_support(plan: Plan, schedule: Schedule) -> Found:
    if not plan.support:
        yield "support", Words(N_(
            "the plan commits no support; add the training, mentoring or workload changes "
            "the company will provide"))


@rule("PIP501", Severity.ERROR, "the plan has regular check-ins")
def _has_checkins(plan: Plan, schedule: Schedule) -> Found:
    if plan.checkins is None:
        yield "checkins", Words(N_(
            "the plan has no check-ins; schedule weekly or every-two-weeks meetings"))
    elif not schedule.checkins:
        yield "checkins.weekday", Words(N_("no check-in falls inside the plan period"))


@rule("PIP502", Severity.ERROR, "no more than two weeks pass without a check-in")
def _checkin_gaps(plan: Plan, schedule: Schedule) -> Found:
    if not schedule.checkins or plan.checkins is None:
        return
    days = [schedule.start, *(m.date for m in schedule.checkins), schedule.end]
    for before, after in itertools.pairwise(days):
        if (after - before).days > MAX_CHECKIN_GAP_DAYS:
            path = "checkins.skip" if plan.checkins.skip else "checkins.cadence"
            yield path, Words.counted(NN_(
                "%(count)s day passes without a check-in between %(before)s and %(after)s; "
                "meet at least every %(most)s days",
                "%(count)s days pass without a check-in between %(before)s and %(after)s; "
                "meet at least every %(most)s days"),
                (after - before).days, before=before, after=after, most=MAX_CHECKIN_GAP_DAYS)
            return


@rule("PIP503", Severity.WARNING, "check-ins say where they happen")
def _checkin_place(plan: Plan, schedule: Schedule) -> Found:
    if plan.checkins and not (plan.checkins.location or plan.checkins.video_link):
        yield "checkins.location", Words(N_(
            "say where check-ins happen: a room or a video link"))


@rule("PIP504", Severity.WARNING, "skipped check-in dates are check-in days")
def _skip_dates(plan: Plan, schedule: Schedule) -> Found:
    if plan.checkins is None:
        return
    for i, day in enumerate(plan.checkins.skip):
        if day.weekday() != plan.checkins.weekday.number or not schedule.contains(day):
            yield f"checkins.skip[{i}]", Words(N_(
                "%(date)s is not a check-in day of this plan, so skipping it changes nothing"),
                date=day)


@rule("PIP601", Severity.WARNING, "every outcome is described")
def _outcomes(plan: Plan, schedule: Schedule) -> Found:
    for name in ("success", "extension", "further_action"):
        if not getattr(plan.outcomes, name):
            yield f"outcomes.{name}", Words(N_(
                "describe this possible outcome so the employee knows it"))

"""What a Word template sees: the plan plus everything derived from it.

Plain dicts, lists, strings, numbers and dates only, so a template needs nothing but
Jinja to read it. ``templates/VARIABLES.md`` documents every name here; a test keeps
the two in step.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from docgen.model import Cadence, Goal, Plan, Result, SupportKind
from docgen.schedule import Schedule, schedule_for, week_number

# The fixed text a later step finds in the PDF to stamp each signature beside.
SIGNATURE_ANCHORS = {
    "employee": "Employee signature:",
    "manager": "Manager signature:",
    "hr": "HR representative signature:",
}

_ROLE_LABELS = {"employee": "Employee", "manager": "Manager", "hr": "HR representative"}
_SUPPORT_LABELS = {
    SupportKind.TRAINING: "Training",
    SupportKind.MENTORING: "Mentoring",
    SupportKind.COACHING: "Coaching",
    SupportKind.WORKLOAD: "Adjusted workload",
    SupportKind.TOOLS: "Tools and resources",
    SupportKind.OTHER: "Other support",
}
_CADENCE_LABELS = {
    Cadence.WEEKLY: "Weekly",
    Cadence.BIWEEKLY: "Every two weeks",
    Cadence.MONTHLY: "Every four weeks",
}
_UNIT_PREFIX = {"USD": "$", "EUR": "€", "GBP": "£"}


def zone_label(moment: dt.datetime) -> str:
    """``CET`` where the zone has an abbreviation, ``UTC−03:00`` where it has only an offset."""
    name = moment.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = moment.utcoffset() or dt.timedelta()
    sign = "−" if offset < dt.timedelta() else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_amount(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    if unit in _UNIT_PREFIX:
        return _UNIT_PREFIX[unit] + number
    if unit == "%":
        return number + "%"
    return f"{number} {unit}".strip()


def _result(result: Result) -> dict[str, Any]:
    attainment = None
    if result.actual is not None and result.target:
        # For "lower is better" measures (response time, defect rate), hitting half
        # the target is 200% attainment, not 50%.
        ratio = (result.actual / result.target if result.higher_is_better
                 else result.target / result.actual if result.actual else None)
        attainment = round(100 * ratio) if ratio is not None else None
    return {
        "period": result.period,
        "metric": result.metric,
        "target": format_amount(result.target, result.unit),
        "actual": format_amount(result.actual, result.unit),
        "attainment": f"{attainment}%" if attainment is not None else "—",
        "attainment_value": attainment,
    }


# How far apart, in plan weeks, a goal's milestones are, and what the documents call
# them then. Anything else is just "Milestones": a plan never calls them weekly when
# they are not.
_MILESTONE_CADENCES = {
    1: ("weekly", "Weekly milestones"),
    2: ("biweekly", "Milestones every two weeks"),
    4: ("monthly", "Monthly milestones"),
}


def milestone_cadence(goals: list[Goal], start: dt.date) -> dict[str, str]:
    """What the plan's milestones can truthfully be called: ``weekly`` when every goal
    that has milestones has at least two, each in the plan week after the one before
    (likewise every two or four weeks); else no cadence word at all."""
    gaps: set[int] = set()
    for goal in goals:
        weeks = sorted(week_number(start, m.due) for m in goal.milestones)
        if len(weeks) == 1:
            return {"cadence": "", "heading": "Milestones"}
        gaps.update(b - a for a, b in itertools.pairwise(weeks))
    if len(gaps) == 1 and (gap := gaps.pop()) in _MILESTONE_CADENCES:
        cadence, heading = _MILESTONE_CADENCES[gap]
        return {"cadence": cadence, "heading": heading}
    return {"cadence": "", "heading": "Milestones"}


@dataclass(frozen=True)
class Amendment:
    """A plan document that amends an earlier one: amendment ``number`` of the plan
    signed on ``plan_date``. The templates say so in the header of every page."""

    number: int
    plan_date: dt.date


def plan_context(
    plan: Plan,
    *,
    company_name: str | None,
    schedule: Schedule | None = None,
    generated_on: dt.date | None = None,
    lint_passed: bool = True,
    draft: bool = False,
    amendment: Amendment | None = None,
) -> dict[str, Any]:
    """The template context for a plan. ``company_name`` applies when the plan has none
    (None or "": the documents name no company rather than invent one).

    ``lint_passed``: the plan has no lint errors, so the documents may say its goals are
    specific and measurable. ``draft``: the documents are marked DRAFT on every page (a
    plan generated with ``--force`` despite lint errors).
    """
    schedule = schedule or schedule_for(plan)
    people = {"employee": plan.employee, "manager": plan.manager, "hr": plan.hr}
    checkins = plan.checkins
    return {
        "company": {"name": plan.company.name if plan.company else (company_name or "")},
        "plan": {
            "id": plan.plan_id or "",
            "title": "Performance Improvement Plan",
            "generated_on": generated_on,
            "lint_passed": lint_passed,
            "draft": draft,
        },
        "employee": plan.employee.model_dump(),
        "manager": plan.manager.model_dump(exclude={"webhook"}),  # routing, not content
        "hr": plan.hr.model_dump(),
        "role_summary": plan.role_summary,
        "history": {
            **plan.performance_history.model_dump(exclude={"results"}),
            "results": [_result(r) for r in plan.performance_history.results],
        },
        "areas": [
            {"number": i, **area.model_dump()} for i, area in enumerate(plan.areas, 1)
        ],
        "goals": [
            {
                "number": i,
                **goal.model_dump(exclude={"milestones"}),
                "due_week": schedule.week_of(goal.due) if goal.due else None,
                "milestones": [
                    {"due": m.due, "week": schedule.week_of(m.due), "description": m.description}
                    for m in goal.milestones
                ],
            }
            for i, goal in enumerate(plan.goals, 1)
        ],
        "milestones": milestone_cadence(plan.goals, schedule.start),
        "support": [
            {**s.model_dump(), "kind": str(s.kind), "kind_label": _SUPPORT_LABELS[s.kind]}
            for s in plan.support
        ],
        "timeline": {
            "start": schedule.start,
            "end": schedule.end,
            "length_days": schedule.length_days,
            "weeks": schedule.weeks,
            "reviews": [
                {"date": r.date, "week": r.week, "final": r.final,
                 "label": "Final review" if r.final else "Progress review"}
                for r in schedule.reviews
            ],
        },
        "checkins": None if checkins is None else {
            "cadence": str(checkins.cadence),
            "cadence_label": _CADENCE_LABELS[checkins.cadence],
            "weekday": checkins.weekday.capitalize(),
            "time": checkins.time.strftime("%H:%M"),
            "timezone": checkins.timezone,
            "duration_minutes": checkins.duration_minutes,
            "location": checkins.location or "",
            "video_link": checkins.video_link or "",
            "with": checkins.with_ or plan.manager.name,
            "meetings": [
                {
                    "number": m.number,
                    "week": m.week,
                    "date": m.date,
                    "time": f"{m.starts:%H:%M}–{m.ends:%H:%M} {zone_label(m.starts)}",
                }
                for m in schedule.checkins
            ],
        },
        "outcomes": plan.outcomes.model_dump(),
        "concerns": plan.concerns,
        "wellbeing": plan.wellbeing,
        "signers": [
            {
                "role": role,
                "role_label": _ROLE_LABELS[role],
                "name": person.name,
                "title": person.title or "",
                "email": person.email,
                "anchor": SIGNATURE_ANCHORS[role],
            }
            for role, person in people.items()
        ],
        "notes": plan.notes or "",
        "amendment": None if amendment is None else {
            "number": amendment.number, "plan_date": amendment.plan_date},
    }

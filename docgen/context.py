"""What a Word template sees: the plan plus everything derived from it.

Plain dicts, lists, strings, numbers and dates only, so a template needs nothing but
Jinja to read it. ``templates/VARIABLES.md`` documents every name here; a test keeps
the two in step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from docgen.model import Cadence, Plan, Result, SupportKind
from docgen.schedule import Schedule, schedule_for

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


def plan_context(
    plan: Plan,
    *,
    company_name: str,
    schedule: Schedule | None = None,
    generated_on: dt.date | None = None,
) -> dict[str, Any]:
    """The template context for a plan. ``company_name`` applies when the plan has none."""
    schedule = schedule or schedule_for(plan)
    people = {"employee": plan.employee, "manager": plan.manager, "hr": plan.hr}
    checkins = plan.checkins
    return {
        "company": {"name": plan.company.name if plan.company else company_name},
        "plan": {
            "id": plan.plan_id or "",
            "title": "Performance Improvement Plan",
            "generated_on": generated_on,
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
    }

"""What a Word template sees: the plan plus everything derived from it.

Plain dicts, lists, strings, numbers and dates only, so a template needs nothing but
Jinja to read it. ``templates/VARIABLES.md`` documents every name here; a test keeps
the two in step.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import Any

from docgen.doclang import (
    amount,
    checked_language,
    clock_time,
    percent,
    plan_language,
    signature_anchors,
    standard_sections,
    weekday_name,
    words,
    zone_label,
)
from docgen.languages import clock_in_zone
from docgen.model import DEFAULT_CONCERNS, DEFAULT_WELLBEING, Goal, Outcomes, Plan, Result
from docgen.schedule import Schedule, schedule_for, week_number

__all__ = ["SIGNATURE_ANCHORS", "format_amount", "milestone_cadence", "plan_context",
           "zone_label"]

# The fixed text a later step finds in the PDF to stamp each signature beside (English;
# a document in another language has its own: doclang.signature_anchors).
SIGNATURE_ANCHORS = signature_anchors("en")


def format_amount(value: float | None, unit: str, language: str = "en") -> str:
    return amount(value, unit, language)


def _result(result: Result, language: str) -> dict[str, Any]:
    attainment = None
    if result.actual is not None and result.target:
        # For "lower is better" measures (response time, defect rate), hitting half
        # the target is 200% attainment, not 50%.
        ratio = (result.actual / result.target if result.higher_is_better
                 else result.target / result.actual if result.actual else None)
        # A target near zero (5e-324) makes the ratio overflow: no attainment to show.
        attainment = (round(100 * ratio) if ratio is not None and math.isfinite(100 * ratio)
                      else None)
    return {
        "period": result.period,
        "metric": result.metric,
        "target": amount(result.target, result.unit, language),
        "actual": amount(result.actual, result.unit, language),
        "attainment": percent(attainment, language) if attainment is not None else "—",
        "attainment_value": attainment,
    }


# How far apart, in plan weeks, a goal's milestones are, and what the documents call
# them then. Anything else is just "Milestones": a plan never calls them weekly when
# they are not.
_MILESTONE_CADENCES = {1: "weekly", 2: "biweekly", 4: "monthly"}


def milestone_cadence(goals: list[Goal], start: dt.date,
                      language: str = "en") -> dict[str, str]:
    """What the plan's milestones can truthfully be called: ``weekly`` when every goal
    that has milestones has at least two, each in the plan week after the one before
    (likewise every two or four weeks); else no cadence word at all."""
    headings = words(language).milestones
    gaps: set[int] = set()
    for goal in goals:
        weeks = sorted(week_number(start, m.due) for m in goal.milestones)
        if len(weeks) == 1:
            return {"cadence": "", "heading": headings[""]}
        gaps.update(b - a for a, b in itertools.pairwise(weeks))
    if len(gaps) == 1 and (gap := gaps.pop()) in _MILESTONE_CADENCES:
        cadence = _MILESTONE_CADENCES[gap]
        return {"cadence": cadence, "heading": headings[cadence]}
    return {"cadence": "", "heading": headings[""]}


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
    language: str | None = None,
    logo: Any = None,
) -> dict[str, Any]:
    """The template context for a plan. ``company_name`` applies when the plan has none
    (None or "": the documents name no company rather than invent one, and say "your
    employer" in the document's language where a sentence needs one).

    ``lint_passed``: the plan has no lint errors, so the documents may say its goals are
    specific and measurable. ``draft``: the documents are marked DRAFT on every page (a
    plan generated with ``--force`` despite lint errors). ``language``: the documents'
    language, by default the plan's. ``logo``: the company's logo
    (:class:`docgen.branding.Logo`), which rendering turns into an image in the header.
    """
    language = checked_language(language) if language else plan_language(plan)
    said = words(language)
    schedule = schedule or schedule_for(plan)
    people = {"employee": plan.employee, "manager": plan.manager, "hr": plan.hr}
    checkins = plan.checkins
    name = plan.company.name if plan.company else (company_name or "")
    return {
        "company": {"name": name, "reference": name or said.your_employer,
                    "logo": logo or ""},
        "plan": {
            "id": plan.plan_id or "",
            "title": said.title,
            "generated_on": generated_on,
            "lint_passed": lint_passed,
            "draft": draft,
            "language": language,
        },
        "employee": plan.employee.model_dump(),
        "manager": plan.manager.model_dump(exclude={"webhook"}),  # routing, not content
        "hr": plan.hr.model_dump(),
        "role_summary": plan.role_summary,
        "history": {
            **plan.performance_history.model_dump(exclude={"results"}),
            "results": [_result(r, language) for r in plan.performance_history.results],
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
        "milestones": milestone_cadence(plan.goals, schedule.start, language),
        "support": [
            {**s.model_dump(), "kind": str(s.kind), "kind_label": said.support[str(s.kind)]}
            for s in plan.support
        ],
        "timeline": {
            "start": schedule.start,
            "end": schedule.end,
            "length_days": schedule.length_days,
            "weeks": schedule.weeks,
            "reviews": [
                {"date": r.date, "week": r.week, "final": r.final,
                 "label": said.final_review if r.final else said.progress_review}
                for r in schedule.reviews
            ],
        },
        "checkins": None if checkins is None else {
            "cadence": str(checkins.cadence),
            "cadence_label": said.cadences[str(checkins.cadence)],
            "weekday": _weekday(str(checkins.weekday), language),
            "time": clock_time(checkins.time, language),
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
                    # In the plan's check-in zone, the zone named as everywhere
                    # (docgen.languages: "9:30–10:00 Uhr MEZ" in German).
                    "time": clock_in_zone(
                        f"{clock_time(m.starts, language)}–{clock_time(m.ends, language)}",
                        zone_label(m.starts, language), language),
                }
                for m in schedule.checkins
            ],
        },
        "outcomes": {
            name: _standard_text(text, str(Outcomes.model_fields[name].default), language,
                                 f"outcomes.{name}")
            for name, text in plan.outcomes.model_dump().items()},
        "concerns": _standard_text(plan.concerns, DEFAULT_CONCERNS, language, "concerns"),
        "wellbeing": _standard_text(plan.wellbeing, DEFAULT_WELLBEING, language, "wellbeing"),
        "signers": [
            {
                "role": role,
                "role_label": said.roles[role],
                "name": person.name,
                "title": person.title or "",
                "email": person.email,
                "anchor": said.anchors[role],
            }
            for role, person in people.items()
        ],
        "notes": plan.notes or "",
        "amendment": None if amendment is None else {
            "number": amendment.number, "plan_date": amendment.plan_date},
    }


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(name: str, language: str) -> str:
    if language == "en":
        return name.capitalize()
    # 2026-11-30 is a Monday.
    return weekday_name(dt.date(2026, 11, 30) + dt.timedelta(days=_WEEKDAYS.index(name)),
                        language)


def _standard_text(text: str, english_default: str, language: str, which: str) -> str:
    """The plan's own text, verbatim, or the careful default in the document's language
    when HR left the section at plansign's (English) default. The plan's data keeps the
    English default as it was sent (its hash, and every record made before, unchanged);
    the words are chosen here, as the document is made."""
    if text == english_default and language != "en":
        return standard_sections(language)[which]
    return text

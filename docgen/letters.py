"""Outcome letters: what a letter template sees, and rendering one.

At the end of a plan the manager proposes the outcome with evidence per goal, HR
approve it, and a letter goes through the signing flow like the plan: successful
completion, an extension, or goals not met (:data:`LETTER_TEMPLATES`). A letter's
context is the plan's (:func:`docgen.context.plan_context`: the people, the goals, the
signature lines the stamping step anchors to) plus ``letter``: the outcome, who proposed
and who approved it and when, each goal's result and evidence, and the next steps the
plan itself stated for that outcome. Only the employee signs a letter (its envelope has
no other signer): the templates draw the employee's signature line alone.
``templates/VARIABLES.md`` documents it. Pure: data in, .docx bytes out.

A letter is written in the plan's language (:func:`docgen.doclang.plan_language`, through
the plan's context): ``outcome-extension.fr.docx`` beside ``outcome-extension.docx`` for
a French plan (made by ``scripts/translate_templates.py``), with each goal's assessment,
the extension's length in days and every date in that language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.context import plan_context
from docgen.doclang import DEFAULT_LANGUAGE, assessment, checked_language, day_count
from docgen.errors import DocgenError, TemplateError
from docgen.model import Plan
from docgen.render import BUILTIN_TEMPLATES, localized_template, render_docx
from docgen.sample import sample_plan
from docgen.schedule import schedule_for

# The letter's kind -> its template's name in the templates folder's letters/.
LETTER_TEMPLATES = {"successful": "outcome-successful", "extension": "outcome-extension",
                    "not_met": "outcome-not-met"}
LETTERS_FOLDER = "letters"
ASSESSMENTS = ("met", "partly met", "not met")


class LetterError(DocgenError):
    """Letter data the templates cannot show; the message names the field."""


@dataclass(frozen=True)
class GoalResult:
    """One goal's result at the final review: the assessment and the evidence for it."""

    number: int  # the goal's number in the plan, 1-based
    assessment: str  # "met", "partly met", "not met"
    result: str  # the final value or state, as the manager wrote it: "88%", "all released"
    evidence: str  # what shows it: reports, dates, ticket ids


@dataclass(frozen=True)
class Extension:
    days: int
    new_end: dt.date
    reason: str


@dataclass(frozen=True)
class Decision:
    """Who decided the outcome, and when: the proposal (the manager, or HR) and HR's
    approval, as the case's record holds them. The letter states both: only the
    employee signs it, so the letter itself says whose decision it records."""

    proposed_by: str
    proposed_on: dt.date
    approved_by: str
    approved_on: dt.date


def letter_context(plan: Plan, *, kind: str, date: dt.date, results: Sequence[GoalResult],
                   decision: Decision, summary: str = "", checkins_held: int = 0,
                   checkins_scheduled: int = 0,
                   end: dt.date | None = None, extension: Extension | None = None,
                   company_name: str | None = None, logo: Any = None,
                   language: str | None = None) -> dict[str, Any]:
    """The context of an outcome letter of ``kind`` (a key of :data:`LETTER_TEMPLATES`).

    ``end``: the plan's end as extended (its own end by default). Every goal of the plan
    needs its result, and an extension letter its extension. ``decision``: who proposed
    and who approved the outcome, and when. ``logo``: the company's
    (:class:`docgen.logo.Logo`), in the header as on the plan. ``language``: the
    letter's, by default the plan's."""
    if kind not in LETTER_TEMPLATES:
        raise LetterError(f"kind: {kind!r} is not one of {', '.join(LETTER_TEMPLATES)}")
    if (kind == "extension") != (extension is not None):
        raise LetterError("extension: an extension letter needs the extension, and only "
                          "an extension letter has one")
    by_goal = {r.number: r for r in results}
    for i, result in enumerate(results):
        if result.assessment not in ASSESSMENTS:
            raise LetterError(f"results[{i}].assessment: {result.assessment!r} is not one "
                              f"of {', '.join(ASSESSMENTS)}")
        if not 1 <= result.number <= len(plan.goals):
            raise LetterError(f"results[{i}].number: the plan has no goal {result.number}")
    missing = [n for n in range(1, len(plan.goals) + 1) if n not in by_goal]
    if missing:
        raise LetterError(f"results: no result for goal {', '.join(map(str, missing))}; "
                          "every goal needs its assessment and evidence")
    schedule = schedule_for(plan)
    context = plan_context(plan, company_name=company_name, schedule=schedule,
                           generated_on=date, logo=logo, language=language)
    language = context["plan"]["language"]
    # As the plan's own document words them (plansign's default in the plan's language).
    next_steps = context["outcomes"][{"successful": "success", "extension": "extension",
                                      "not_met": "further_action"}[kind]]
    context["letter"] = {
        "kind": kind,
        "date": date,
        "end": end or schedule.end,
        "summary": summary,
        "proposed_by": decision.proposed_by,
        "proposed_on": decision.proposed_on,
        "approved_by": decision.approved_by,
        "approved_on": decision.approved_on,
        "next_steps": next_steps,
        "checkins_held": checkins_held,
        "checkins_scheduled": checkins_scheduled,
        "goals": [
            {"number": n, "statement": goal.statement, "target": goal.target or "",
             # As the letter shows it, in its language; the code for a template's logic.
             "assessment": assessment(by_goal[n].assessment, language),
             "assessment_code": by_goal[n].assessment, "result": by_goal[n].result,
             "evidence": by_goal[n].evidence}
            for n, goal in enumerate(plan.goals, start=1)
        ],
        "extension": None if extension is None else {
            "days": extension.days, "days_text": day_count(extension.days, language),
            "new_end": extension.new_end, "reason": extension.reason},
    }
    return context


def letter_template(kind: str, templates_dir: Path = BUILTIN_TEMPLATES,
                    language: str = DEFAULT_LANGUAGE) -> Path:
    """The template of a letter of ``kind`` in ``language``, from the templates folder's
    ``letters/`` (``outcome-extension.fr.docx`` in French). A letter is never sent in
    another language than the plan's: a missing one is an error naming the file."""
    path = templates_dir / LETTERS_FOLDER / f"{LETTER_TEMPLATES[kind]}.docx"
    if not path.is_file():
        raise LetterError(f"template: the outcome letter template {path.name} is not in the "
                          f"templates folder's {LETTERS_FOLDER}/")
    try:
        return localized_template(path, language)
    except TemplateError as exc:
        raise LetterError(f"template: {exc}") from None


def render_letter(context: dict[str, Any], templates_dir: Path = BUILTIN_TEMPLATES) -> bytes:
    """The letter's .docx, from its context (:func:`letter_context`), in its language."""
    return render_docx(letter_template(context["letter"]["kind"], templates_dir,
                                       context["plan"]["language"]), context)


def sample_letter_context(kind: str = "extension",
                          language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """A letter's context for the sample plan in ``language``: what ``templates check``
    renders a letter template with (an extension letter has every field filled)."""
    language = checked_language(language)
    plan = sample_plan()
    results = [GoalResult(n, "partly met", "84%", "Weekly report of 4 February: 84% within "
                          "4 business hours, up from 70%.")
               for n in range(1, len(plan.goals) + 1)]
    end = schedule_for(plan).end
    extension = (Extension(21, end + dt.timedelta(days=21), "Clear progress on every goal.")
                 if kind == "extension" else None)
    decision = Decision(plan.manager.name, end - dt.timedelta(days=1), plan.hr.name, end)
    return letter_context(plan, kind=kind, date=end, results=results, decision=decision,
                          summary="Clear progress on every goal.", checkins_held=4,
                          checkins_scheduled=5, extension=extension,
                          company_name="Sample Company Ltd", language=language)

"""Outcome letters and amended plans, rendered from the Word templates and converted by
real LibreOffice: each letter's outcome, goals with their evidence and the next steps the
plan stated; an amended plan marked as such on every page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from docgen import Amendment, load_plan, plan_context, render_plan, resolve_template
from docgen.letters import (
    LETTER_TEMPLATES,
    Extension,
    GoalResult,
    LetterError,
    letter_context,
    letter_template,
    render_letter,
    sample_letter_context,
)
from docgen.templatecheck import check_template
from tests.docgen.docxkit import docx_with
from tests.pdftext import pdf_text

ROOT = Path(__file__).resolve().parents[2]
PLAN = load_plan(ROOT / "examples" / "support-agent-30d.yaml")
RESULTS = [GoalResult(1, "met", "91.2% (week 5)", "Zendesk report ZD-FRT, weeks 4 and 5."),
           GoalResult(2, "not met", "2 h 40 min", "Median <b>2 h 40 min</b> & rising {{ 7*7 }}"),
           GoalResult(3, "partly met", "3 tickets", "Pending check of 3 February: 3 tickets.")]
EXTENSION = Extension(14, dt.date(2027, 2, 24), "Clear progress on goals 1 and 2.")


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("kind, says", [
    ("successful", "The goals were met, and the plan is completed successfully."),
    ("extension", "so the plan is extended by 14 days, to 24 February 2027."),
    ("not_met", "The goals of the plan were not met."),
])
def test_each_letter_states_its_outcome_the_evidence_and_the_plans_next_steps(
        converter, kind, says):
    context = letter_context(PLAN, kind=kind, date=dt.date(2027, 2, 10), results=RESULTS,
                             summary="Goal 1 met; goals 2 and 3 below target.",
                             checkins_held=4, checkins_scheduled=5,
                             extension=EXTENSION if kind == "extension" else None)
    text = one_line(pdf_text(converter.convert(render_letter(context))))
    assert says in text
    assert "4 of the 5 check-ins scheduled were held" in text
    for result in RESULTS:
        assert result.result in text and result.assessment in text
    # People's text is text: escaped for Word, never markup or a template.
    assert "Median <b>2 h 40 min</b> & rising {{ 7*7 }}" in text
    next_steps = {"successful": PLAN.outcomes.success, "extension": PLAN.outcomes.extension,
                  "not_met": PLAN.outcomes.further_action}[kind]
    assert one_line(next_steps) in text
    for anchor in ("Employee signature:", "Manager signature:", "HR representative signature:"):
        assert anchor in text  # the stamping step finds each signer's line


def test_an_amended_plan_says_so_on_every_page(converter):
    docx = render_plan(PLAN, resolve_template("standard"), company_name="X",
                       amendment=Amendment(2, dt.date(2027, 1, 11)))
    pages = pdf_text(converter.convert(docx)).split("\f")[:-1]
    assert len(pages) > 3
    assert all("Amendment 2 of the plan of 11 January 2027" in page for page in pages)
    plain = render_plan(PLAN, resolve_template("sales"), company_name="X")
    assert b"Amendment" not in plain


def test_letter_data_that_cannot_be_shown_is_refused_naming_the_field():
    with pytest.raises(LetterError, match="results: no result for goal 3"):
        letter_context(PLAN, kind="not_met", date=dt.date(2027, 2, 10), results=RESULTS[:2])
    with pytest.raises(LetterError, match=r"results\[0\].assessment"):
        letter_context(PLAN, kind="not_met", date=dt.date(2027, 2, 10),
                       results=[GoalResult(1, "great", "", ""), *RESULTS[1:]])
    with pytest.raises(LetterError, match=r"^extension"):
        letter_context(PLAN, kind="extension", date=dt.date(2027, 2, 10), results=RESULTS)
    with pytest.raises(LetterError, match=r"^kind"):
        letter_context(PLAN, kind="fired", date=dt.date(2027, 2, 10), results=RESULTS)


def test_templates_check_checks_a_letter_against_a_sample_letter():
    plan_sample = plan_context(load_plan(ROOT / "examples" / "engineer-90d.yaml"),
                               company_name="X")
    for kind in LETTER_TEMPLATES:
        assert check_template(letter_template(kind), plan_sample) == []
    typo = docx_with("{{ letter.goals[0].evidense }} {{ letter.date }}")
    findings = check_template(typo, plan_sample)
    assert [f.code for f in findings] == ["T202"] and "evidense" in findings[0].message
    assert sample_letter_context()["letter"]["extension"]["days"] == 21

"""What the documents say and where, read from the PDF as a person reads it (real
LibreOffice, pdftotext page by page): nothing invented, no claim lint did not earn, a
DRAFT mark on a forced plan, milestones beside their goal, tagged for screen readers."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from docgen import Job, build, plan_from_data, render_plan, resolve_template

TEMPLATES = ("standard", "sales")
CLAIMS = ("specific and measurable", "measured as stated")


def pages(pdf: bytes) -> list[str]:
    """Each page's text, with non-breaking spaces as spaces."""
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    return [subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(n), "-l", str(n), "-", "-"],
                           input=pdf, capture_output=True, check=True).stdout.decode()
            .replace("\u00a0", " ")
            for n in range(1, count + 1)]


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def generate(plan_data, template, converter, *, for_signature=False) -> list[str]:
    job = Job("plan", plan_from_data(plan_data), resolve_template(template))
    out = build(job, formats=["pdf"], company_name=None, converter=converter,
                generated_on=dt.date(2026, 12, 6), for_signature=for_signature)
    return pages(out.files["pdf"])


def with_lint_errors(plan_data):
    plan_data["goals"][0]["statement"] = "Do better with the ticket queue."  # PIP202
    return plan_data


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_clean_plan_claims_measurable_goals_and_is_no_draft(template, plan_data, converter):
    text = words(" ".join(generate(plan_data, template, converter)))
    assert any(claim in text for claim in CLAIMS)
    assert "DRAFT" not in text


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_forced_plan_is_a_draft_on_every_page_and_claims_nothing(template, plan_data,
                                                                   converter):
    texts = generate(with_lint_errors(plan_data), template, converter)
    assert len(texts) > 2
    for number, text in enumerate(texts, 1):
        assert "DRAFT: NOT FOR SIGNATURE" in text, f"page {number} is not marked"
    whole = words(" ".join(texts))
    assert not any(claim in whole for claim in CLAIMS)
    assert "generated despite lint errors" in whole


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_forced_send_is_no_draft_but_makes_no_claim(template, plan_data, converter):
    whole = words(" ".join(generate(with_lint_errors(plan_data), template, converter,
                                    for_signature=True)))
    assert "DRAFT" not in whole
    assert not any(claim in whole for claim in CLAIMS)


@pytest.mark.parametrize("template", TEMPLATES)
def test_nothing_invented_when_the_plan_does_not_say(template, plan_data, converter):
    del plan_data["company"]
    del plan_data["employee"]["employment_type"]
    texts = generate(plan_data, template, converter)
    whole = words(" ".join(texts))
    for invented in ("Your Company", "Full-time", "Employment type", "Sample Company"):
        assert invented not in whole
    assert re.search(r"[Yy]our employer (will provide|commits to)", whole)
    assert texts[0].lstrip().startswith("Confidential")  # the header's name left out


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_issue_date_stays_on_one_line(template, plan_data, converter):
    first = generate(plan_data, template, converter)[0]
    assert any("Issued: 6 December 2026" in line for line in first.splitlines())


@pytest.mark.parametrize("template", TEMPLATES)
def test_concerns_and_wellbeing_are_shown_unless_left_out(template, plan_data, converter):
    plan_data["wellbeing"] = "Our employee assistance line is in the staff handbook."
    whole = words(" ".join(generate(plan_data, template, converter)))
    assert "Raising concerns and appeals" in whole
    assert "ask HR which procedure applies" in whole
    assert "HR contact for this plan: Riley Placeholder" in whole
    assert "Wellbeing and employee assistance" in whole
    assert "Our employee assistance line is in the staff handbook." in whole
    plan_data.update(concerns="", wellbeing="")
    whole = words(" ".join(generate(plan_data, template, converter)))
    assert "Raising concerns" not in whole and "Wellbeing and employee" not in whole


def test_the_sales_plan_explains_the_role_and_the_evidence_before_the_goals(plan_data,
                                                                          converter):
    whole = words(" ".join(generate(plan_data, "sales", converter)))
    order = [whole.index(heading) for heading in (
        "Role and reporting line", "Quota attainment", "Areas for improvement and evidence",
        "32% of October tickets", "Goals for the plan")]
    assert order == sorted(order)


@pytest.mark.parametrize("template", TEMPLATES)
def test_milestones_are_called_weekly_only_when_they_are(template, plan_data, converter):
    plan_data["goals"][0]["milestones"][1]["due"] = "2026-12-24"  # weeks 2 and 4
    whole = words(" ".join(generate(plan_data, template, converter)))
    assert "weekly milestones" not in whole.lower()
    assert "every two weeks" in whole


def many_milestones(plan_data) -> dict:
    """Six goals of ten weekly milestones each: the milestones run over several pages."""
    goal = plan_data["goals"][0]
    plan_data["timeline"]["length_days"] = 90
    plan_data["goals"] = [
        {**goal, "statement": f"Goal statement number {g} for the queue.",
         "due": "2027-02-26",
         "milestones": [{"due": (dt.date(2026, 12, 7) + dt.timedelta(weeks=w)).isoformat(),
                         "description": f"Milestone G{g}M{w} reached for the week, with "
                                        "enough words to take a line or two of the table."}
                        for w in range(10)]}
        for g in range(1, 7)]
    return plan_data


@pytest.mark.parametrize("template", TEMPLATES)
def test_no_milestone_is_on_a_page_without_its_goal(template, plan_data, converter):
    texts = generate(many_milestones(plan_data), template, converter)
    seen = set()
    for number, text in enumerate(texts, 1):
        flat = words(text)
        for goal in {int(g) for g in re.findall(r"Milestone G(\d)M\d", flat)}:
            seen.add(goal)
            assert re.search(rf"Goal {goal}\b", flat), f"page {number}: goal {goal}'s " \
                "milestones without the goal"
    assert seen == set(range(1, 7))
    assert sum(bool(re.search(r"Milestone G\dM\d", t)) for t in texts) > 1  # several pages


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_plan_pdf_is_tagged(template, plan_data, converter):
    pdf = converter.convert(render_plan(plan_from_data(plan_data), resolve_template(template),
                                        company_name=None))
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout.decode(), re.M)

"""Rendering and conversion with real LibreOffice: the PDF holds every section and value
of the plan, and any text arrives exactly as typed."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from docx import Document

from docgen import (
    SIGNATURE_ANCHORS,
    TemplateError,
    load_plan,
    plan_from_data,
    render_plan,
    resolve_template,
    schedule_for,
)
from docgen.render import longdate, shortdate
from tests.conftest import EXAMPLES
from tests.pdftext import pdf_text


def squash(text: str) -> str:
    """Text without whitespace, so line wrapping in the PDF does not matter."""
    # pdftotext joins words hyphenated at a line end, so hyphens are left out too, and
    # it marks right-to-left runs with embedding controls (U+202B, U+202C).
    return re.sub(r"[\s\-\u00ad\u202a-\u202e]+", "", text)


def expected_values(plan) -> dict[str, list[str]]:
    """Every value HR typed or plansign derived, grouped by section, as it must appear."""
    schedule = schedule_for(plan)
    e = plan.employee
    dates = lambda d: [longdate(d), shortdate(d)]  # noqa: E731 - either format is fine
    values = {
        "title": ["Performance Improvement Plan"],
        "employee": [e.name, e.title or "", e.employee_id or "", e.department, e.location or "",
                     plan.manager.name, plan.hr.name],
        "role": [plan.role_summary],
        "history": [plan.performance_history.summary,
                    *(x.note for x in plan.performance_history.entries)],
        "areas": [x for a in plan.areas for x in (a.title, *(ev.fact for ev in a.evidence))],
        "goals": [x for g in plan.goals
                  for x in (g.statement, g.metric, g.baseline, g.target,
                            *(m.description for m in g.milestones)) if x],
        "support": [s.description for s in plan.support],
        "checkins": [plan.checkins.timezone, plan.checkins.time.strftime("%H:%M")],
        "outcomes": [plan.outcomes.success, plan.outcomes.extension,
                     plan.outcomes.further_action],
        "signatures": list(SIGNATURE_ANCHORS.values()),
    }
    values = {k: [v for v in vs if v] for k, vs in values.items()}
    values["dates"] = [*dates(schedule.start), *dates(schedule.end),
                       *(x for m in schedule.checkins for x in dates(m.date)),
                       *(x for r in schedule.reviews for x in dates(r.date))]
    return values


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_pdf_holds_every_section_and_value(example, converter):
    plan = load_plan(example)
    pdf = converter.convert(render_plan(plan, resolve_template(plan.template or "standard"),
                                        company_name="Ignored Co"))
    text = squash(pdf_text(pdf, body_only=True))
    values = expected_values(plan)
    date_forms = values.pop("dates")
    for section, expected in values.items():
        missing = [v for v in expected if squash(v) not in text]
        assert not missing, f"{section}: {missing} not in the PDF"
    # Each derived date shows in one of its two formats.
    for long_form, short_form in zip(date_forms[::2], date_forms[1::2], strict=True):
        assert squash(long_form) in text or squash(short_form) in text, long_form
    assert squash(plan.company.name) in squash(pdf_text(pdf))


@pytest.mark.parametrize("template", ["standard", "sales"])
def test_each_template_renders_the_sample(template, plan_data, converter):
    plan = plan_from_data(plan_data)
    pdf = converter.convert(render_plan(plan, resolve_template(template), company_name="X"))
    text = pdf_text(pdf)
    assert "Confidential" in text
    assert re.search(r"Page 1 of \d", text)
    for anchor in SIGNATURE_ANCHORS.values():
        assert anchor in text, anchor  # on one line, as the stamping step will look for it


def test_sales_template_has_a_quota_table(plan_data, converter):
    plan_data["performance_history"]["results"] = [
        {"period": "October 2026", "metric": "New ARR", "target": 80000, "actual": 41200,
         "unit": "USD"}]
    plan = plan_from_data(plan_data)
    text = pdf_text(converter.convert(render_plan(plan, resolve_template("sales"),
                                                  company_name="X")))
    assert "Quota attainment" in text
    assert "$80,000" in text and "$41,200" in text and "52%" in text


SPECIAL = {
    "ampersands and brackets": 'R&D <b>bold</b> "quoted" \'single\' </w:t></w:r>',
    "accents": "Zoë Faßbender-Nuñez, São Paulo, Ålesund",
    "greek and cyrillic": "Ελληνικά и русский текст",
    "cjk": "中文测试，日本語のテキスト，한국어",
    "arabic": "نص عربي للتجربة",  # no lam-alef: extraction splits that ligature
    "emoji": "Great week 🎉 ✅",
    "jinja": "{{ 7*7 }} {% for x in y %} {#",
}


def test_special_characters_survive_into_the_pdf(plan_data, converter):
    plan_data["role_summary"] = " | ".join(SPECIAL.values())
    plan_data["employee"]["name"] = "Zoë O'Brien & Søn"
    long_paragraph = ("The queue grew in every week of the review period. " * 100)[:5000]
    plan_data["notes"] = long_paragraph
    plan = plan_from_data(plan_data)
    docx = render_plan(plan, resolve_template("standard"), company_name="X")
    # Word's own reading of the file: the text is there as text, not as markup.
    word_text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert SPECIAL["ampersands and brackets"] in word_text
    assert "49" not in SPECIAL["jinja"] and SPECIAL["jinja"] in word_text
    pdf = converter.convert(docx)
    text = squash(pdf_text(pdf, body_only=True))
    for name, value in SPECIAL.items():
        assert squash(value) in text, name
    assert squash("Zoë O'Brien & Søn") in text
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "Symbola" in fonts, "emoji were not drawn with a font that has outlines"
    assert squash(long_paragraph) in text


def test_multiline_text_keeps_its_line_breaks(plan_data):
    plan_data["role_summary"] = "First line\nSecond line"
    docx = render_plan(plan_from_data(plan_data), resolve_template("standard"), company_name="X")
    xml = Document(io.BytesIO(docx)).element.xml
    assert re.search(r"First line</w:t>\s*<w:br/>\s*<w:t[^>]*>Second line", xml)


def test_a_template_with_an_unknown_variable_is_a_clear_error(plan_data):
    from tests.docgen.docxkit import docx_with

    with pytest.raises(TemplateError, match="variable the plan does not provide"):
        render_plan(plan_from_data(plan_data), docx_with("{{ employe.name }}"), company_name="X")


def test_a_template_that_is_not_a_docx_is_a_clear_error(plan_data, tmp_path):
    fake = tmp_path / "fake.docx"
    fake.write_text("hello")
    # The file's name: a server's folders are no business of an API client's.
    with pytest.raises(TemplateError, match=r"^template fake\.docx is not a Word \.docx file"):
        render_plan(plan_from_data(plan_data), fake, company_name="X")


def test_templates_cannot_reach_python(plan_data):
    from tests.docgen.docxkit import docx_with

    template = docx_with("{{ employee.name.__class__.__mro__ }}")
    with pytest.raises(TemplateError):
        render_plan(plan_from_data(plan_data), template, company_name="X")

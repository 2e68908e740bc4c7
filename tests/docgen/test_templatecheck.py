"""`templates check`: each Word habit that breaks Jinja tags is caught, and clean
templates pass."""

from __future__ import annotations

import io

import pytest
from docx import Document

from docgen import (
    BUILTIN_TEMPLATES,
    Severity,
    check_template,
    plan_context,
    resolve_template,
    sample_plan,
)
from tests.docgen.docxkit import docx_with


@pytest.fixture(scope="module")
def context():
    return plan_context(sample_plan(), company_name="Sample Co")


def codes(template: bytes, context) -> list[str]:
    return [f.code for f in check_template(template, context)]


def test_a_clean_template_has_no_findings(context):
    template = docx_with("Dear {{ employee.name }},",
                         "{%p for g in goals %}", "{{ g.number }}. {{ g.statement }}",
                         "{%p endfor %}")
    assert check_template(template, context) == []


def test_tag_split_across_runs(context):
    findings = check_template(docx_with(["Dear {{ employee.", "name }},"]), context)
    assert [f.code for f in findings] == ["T102"]
    assert "{{ employee.name }} is split across several runs" in findings[0].message
    assert findings[0].where == "body, paragraph 1"


def test_empty_runs_inside_a_tag_do_not_count_as_a_split(context):
    assert codes(docx_with(["Dear {{ employee.name", "", " }},"]), context) == ["T102"]
    assert codes(docx_with(["Dear ", "{{ employee.name }}", ","]), context) == []


def test_curly_quotes_repaired_and_broken(context):
    assert codes(docx_with("{{ employee.name|default(“n/a”) }}"), context) == ["T104"]
    assert "T103" in codes(docx_with("{{ employee.name|default(„n/a“) }}"), context)


def test_loop_alone_in_a_plain_paragraph_leaves_blank_lines(context):
    findings = check_template(
        docx_with("{% for g in goals %}", "{{ g.statement }}", "{% endfor %}"), context)
    assert [f.code for f in findings] == ["T105", "T105"]
    assert "write it as {%p for ... %}" in findings[0].message


def test_loop_alone_in_a_table_row_suggests_tr(context):
    template = docx_with(table_rows=[["{% for g in goals %}", ""], ["{{ g.statement }}", ""],
                                     ["{% endfor %}", ""]])
    findings = check_template(template, context)
    assert "write it as {%tr for ... %}" in findings[0].message


def test_tag_broken_over_two_paragraphs(context):
    assert "T101" in codes(docx_with("Dear {{ employee.", "name }}"), context)


def test_jinja_syntax_error(context):
    findings = check_template(docx_with("{%p if employee.name %}", "x"), context)
    assert [f.code for f in findings] == ["T201"]
    assert "Jinja syntax error" in findings[0].message


def test_unknown_variable_with_suggestion(context):
    findings = check_template(docx_with("Dear {{ employe.name }}"), context)
    assert [f.code for f in findings] == ["T202"]
    assert findings[0].message.startswith("unknown variable employe (did you mean employee?)")


def test_unknown_attribute_found_by_a_trial_render(context):
    findings = check_template(
        docx_with("{{ employee.nmae }}", "{%p for g in goals %}", "{{ g.metrc }}",
                  "{%p endfor %}"), context)
    messages = [f.message for f in findings]
    assert messages == [
        "unknown attribute nmae (did you mean name?); see templates/VARIABLES.md",
        "unknown attribute metrc (did you mean metric?); see templates/VARIABLES.md",
    ]


def test_not_a_docx(context):
    findings = check_template(b"%PDF-1.7 not a word file", context)
    assert [f.code for f in findings] == ["T001"]


@pytest.mark.parametrize("name", ["standard", "sales"])
def test_shipped_templates_are_clean(name, context):
    assert check_template(BUILTIN_TEMPLATES / f"{name}.docx", context) == []


def test_headers_and_footers_are_checked(context):
    document = Document()
    section = document.sections[0]
    section.footer.paragraphs[0].add_run("Page of {{ employee.nmae }")
    out = io.BytesIO()
    document.save(out)
    findings = check_template(out.getvalue(), context)
    assert findings[0].code == "T101"
    assert findings[0].where == "footer of section 1, paragraph 1"


def test_promises_every_template_keeps(context):
    # No DRAFT mark for a forced plan, a quality claim whatever lint said, milestones
    # called weekly whatever their dates.
    findings = check_template(docx_with(
        "Each goal below is specific and measurable.", "Weekly milestones",
        "{% if plan.lint_passed %}Each goal is SMART.{% endif %}",
        "{{ milestones.heading }}", header="{{ company.name }}"), context)
    assert [(f.code, f.severity, f.where) for f in findings] == [
        ("T301", Severity.WARNING, "header"),
        ("T302", Severity.WARNING, "body, paragraph 1"),
        ("T303", Severity.WARNING, "body, paragraph 2")]
    assert "{%p if plan.draft %}" in findings[0].message


def test_the_shipped_templates_keep_their_promises(context):
    for name in ("standard", "sales"):
        assert check_template(resolve_template(name), context) == [], name

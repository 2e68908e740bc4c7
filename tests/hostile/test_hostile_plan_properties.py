"""Properties over plan data, as HR or a caller of the API might send it: any plan the
model accepts lints, schedules and renders to a valid .docx and PDF (real LibreOffice);
any data it refuses gets a PlanError whose problems each name a field path that leads
into the data, and never any other exception.

tests/docgen/test_render_properties.py already shows that any text reaches the .docx
verbatim; here whole plans vary: every field, list lengths, optional parts left out,
hostile text (Jinja, XML, HTML, bidi overrides, emoji), and, for the refusals, any JSON
value anywhere.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import typing
import zipfile
from typing import Any

import pytest
from docx import Document
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from pydantic import BaseModel
from pypdf import PdfReader

from docgen import (
    SIGNATURE_ANCHORS,
    Plan,
    PlanError,
    lint,
    lint_data,
    load_plan_text,
    plan_from_data,
    render_plan,
    resolve_template,
    sample_plan,
    schedule_for,
)
from tests.pdftext import pdf_text

SAMPLE: dict[str, Any] = sample_plan().model_dump(mode="json", by_alias=True, exclude_none=True)
TEMPLATES = {name: resolve_template(name) for name in ("standard", "sales")}

# -- text --------------------------------------------------------------------------------

SNIPPETS = ["{{ 7*7 }}", "{% for x in y %}", "{%p if x %}", "{#", "}}", "{{", "<w:t>",
            "</w:t></w:r>", "]]>", "&amp;", "&", "<script>alert(1)</script>", "<b>", "\u202e",
            "\u202d", "\u2066", "\u200b", "\ufeff", "\u00ad", "'", '"', "\\", "\t", "\n",
            "🎉", "👩🏽‍💻", "ﷺ", "𝔘", "Zoë", "中文", "עברית", "العربية", "%s", "{0}", "$x"]
# Characters the model keeps: no surrogates, no C0 controls but tab and line breaks.
CHARACTERS = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff")
FREE_TEXT = st.text(CHARACTERS, max_size=40)
PIECES = st.lists(st.one_of(st.sampled_from(SNIPPETS), FREE_TEXT), max_size=6).map("".join)
# What HR type: something that is not blank, as a required field needs.
TEXT = st.tuples(st.text(st.characters(categories=("L", "N")), min_size=1, max_size=3),
                 PIECES).map("".join)
NAME = TEXT.map(lambda s: s[:200])
IDENTIFIER = TEXT.map(lambda s: s[:100])
EMAIL = st.from_regex(r"[a-z0-9._%+-]{1,30}@[a-z0-9-]{1,20}\.[a-z]{2,6}", fullmatch=True)
# Dates that lint, schedule and render (see the known failures at the end for later ones).
DATE = st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))
ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
         "Pacific/Chatham", "Pacific/Kiritimati", "America/St_Johns", "UTC", "Etc/GMT+12"]
AMOUNT = st.one_of(st.none(), st.floats(-1e9, 1e9, allow_nan=False), st.integers(-10**6, 10**6))

# Unknown keys: names, as a misspelt field would be. (A key of "" or "a.b" would give a
# path that reads as another one; the loader writes keys as they are.)
KEY = st.from_regex(r"[a-z_][a-z0-9_]{0,11}", fullmatch=True)
# A JSON value of any shape, for anywhere in the data.
ANY_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
              st.sampled_from(["", " ", "2026-13-01", "25:99", "Mars/Olympus", "\x00", "\x1b",
                               "\ud800", "tuesday", "1" * 50, "not an email"])),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(KEY, children, max_size=3)),
    max_leaves=8)



def optional(path: tuple[str, ...]) -> bool:
    """Whether the plan model lets the field at ``path`` (keys, no list indexes) be left out."""
    model: Any = Plan
    for key in path[:-1]:
        model = _model_in(model.model_fields[_field(key)].annotation)
    return not model.model_fields[_field(path[-1])].is_required()


def _field(key: str) -> str:
    return "with_" if key == "with" else key


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    found = [_model_in(arg) for arg in typing.get_args(annotation)]
    return next((model for model in found if model is not None), None)


ENUMS = {"kind": ["training", "mentoring", "coaching", "workload", "tools", "other"],
         "cadence": ["weekly", "biweekly", "monthly", "Weekly"],
         "weekday": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                     "sunday", "Friday"],
         "manager": ["before", "after", "none"], "hr": ["before", "after", "none"]}


def leaf(path: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """A valid value of the kind the sample holds at ``path`` (keys, no list indexes)."""
    key, parent = path[-1], path[-2] if len(path) > 1 else None
    if key in ("start", "end", "hire_date", "date", "due", "skip", "review_dates"):
        return DATE.map(dt.date.isoformat)
    if key == "email":
        return EMAIL
    if key == "time":
        return st.times().map(lambda t: t.strftime(f"%H:%M{':%S' if t.second else ''}"))
    if key == "timezone":
        return st.sampled_from(ZONES)
    if key == "template":
        return st.sampled_from(list(TEMPLATES))
    if key == "webhook":
        return st.from_regex(r"[a-z0-9][a-z0-9._-]{0,20}", fullmatch=True)
    if key in ENUMS and (key not in ("manager", "hr") or parent == "routing"):
        return st.sampled_from(ENUMS[key])
    if key in ("target", "actual") and parent == "results":
        return AMOUNT
    if key == "length_days":
        return st.integers(1, 120)
    if key == "review_every_days":
        return st.integers(1, 60)
    if key == "duration_minutes":
        return st.integers(1, 480)
    if key == "higher_is_better":
        return st.booleans()
    if key == "name" and parent != "company":
        return NAME
    if key == "employee_id" or key == "plan_id":
        return IDENTIFIER
    if key == "department":
        return NAME
    return TEXT


@st.composite
def plan_data(draw: st.DrawFn) -> dict[str, Any]:
    """The sample plan with every value redrawn (hostile text included), lists of 0 to 3
    items and optional parts left out: a plan HR might write."""

    def vary(value: Any, path: tuple[str, ...]) -> Any:
        if isinstance(value, dict):
            return {k: vary(v, (*path, k)) for k, v in value.items()
                    if not optional((*path, k)) or draw(st.integers(0, 3))}
        if isinstance(value, list):
            return [vary(value[i % len(value)], path)
                    for i in range(draw(st.integers(0, 3)) if value else 0)]
        return draw(leaf(path))

    data = vary(SAMPLE, ())
    # Periods HR would write: an end after the start; the plan's by its length or its end.
    history, timeline = data["performance_history"], data["timeline"]
    history["end"] = after(history["start"], draw(st.integers(0, 400)))
    timeline.pop("length_days", None)
    if draw(st.booleans()):
        timeline["end"] = after(timeline["start"], draw(st.integers(1, 120)))
    else:
        timeline["length_days"] = draw(st.integers(1, 120))
    return data


@st.composite
def hostile_plan_data(draw: st.DrawFn) -> dict[str, Any]:
    """Such a plan with one to three edits anywhere: a part left out (required or not), an
    unknown one added, or any JSON value in place of what was there."""
    data = draw(plan_data())
    for _ in range(draw(st.integers(1, 3))):
        places = list(_places(data))
        parent, key = draw(st.sampled_from(places))
        edit = draw(st.sampled_from(["leave out", "add", "replace"]))
        if edit == "leave out":
            del parent[key]
        elif edit == "add" and isinstance(parent, dict):
            parent[draw(KEY)] = draw(ANY_JSON)
        else:
            parent[key] = draw(ANY_JSON)
    return data


def _places(value: Any) -> Any:
    """(container, key or index) for every value inside ``value``."""
    items = (value.items() if isinstance(value, dict)
             else enumerate(value) if isinstance(value, list) else ())
    for key, inner in list(items):
        yield value, key
        yield from _places(inner)


def after(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


# -- what a refusal must look like ---------------------------------------------------------

_STEP = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def leads_into(data: Any, path: str) -> bool:
    """``goals[2].due`` names something in ``data``: every step but the last exists, and
    the last exists too or is a field missing from an object (``is required``)."""
    steps = [int(i) if i else name for i, name in _STEP.findall(path)]
    if not steps or "".join(f"[{s}]" if isinstance(s, int) else f".{s}"
                            for s in steps).lstrip(".") != path:
        return False
    here = data
    for n, step in enumerate(steps):
        last = n == len(steps) - 1
        found = ((isinstance(step, int) and isinstance(here, list) and step < len(here))
                 or (isinstance(step, str) and isinstance(here, dict) and step in here))
        if found:
            here = here[step]
        else:
            return last and isinstance(step, str) and isinstance(here, dict)
    return True


def plan_or_problems(data: Any) -> Plan | None:
    """The plan, or None after checking that each problem names a field in ``data``."""
    try:
        return plan_from_data(data)
    except PlanError as refused:
        assert refused.problems
        if not isinstance(data, dict):  # the plan as a whole is at fault
            assert [p.path for p in refused.problems] == [""]
            return None
        for problem in refused.problems:
            assert problem.path and leads_into(data, problem.path), problem
            assert problem.message.strip(), problem
        str(refused)  # the message the CLI and API show can be made
        return None


def docx_is_valid(docx: bytes) -> Document:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            if name.endswith(".xml"):
                etree.fromstring(archive.read(name))  # well-formed XML, every part
    return Document(io.BytesIO(docx))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- the properties ------------------------------------------------------------------------


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=plan_data(), template=st.sampled_from(list(TEMPLATES)))
# A right-to-left override before the template syntax: a reader shows it reversed.
@example(data={**SAMPLE, "role_summary": "0\u202e{{ 7*7 }}"}, template="standard")
# A target so near zero that the attainment's ratio overflowed (found by a random run).
@example(data={**SAMPLE, "performance_history": {**SAMPLE["performance_history"], "results": [
    {"period": "Oct", "metric": "Calls", "target": 5e-324, "actual": 1}]}},
    template="standard")
def test_any_plan_the_model_accepts_renders_to_a_valid_docx_and_pdf(converter, data, template):
    plan = plan_or_problems(data)
    if plan is None:
        return
    lint(plan)
    schedule_for(plan)
    docx = render_plan(plan, TEMPLATES[template], company_name="Hostile Input Ltd")
    paragraphs = [p.text for p in docx_is_valid(docx).paragraphs]
    if "\n" not in plan.employee.name and "\t" not in plan.employee.name:
        assert any(plan.employee.name in p for p in paragraphs)  # as typed: nothing ran
    pdf = converter.convert(docx)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    text = pdf_text(pdf)
    assert "Performance Improvement Plan" in text
    for anchor in SIGNATURE_ANCHORS.values():
        assert anchor in text  # on one line, where stamping will look for it
    if "{{ 7*7 }}" in plan.role_summary:
        # Printed as typed, not run (which would print 49). A bidi control typed before
        # it (U+202E and the like) makes readers lay it out right to left, and text
        # extraction gives it in that order: the same characters, reversed.
        assert "{{7*7}}" in squash(text) or "}}7*7{{" in squash(text)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=hostile_plan_data())
def test_any_plan_data_is_a_plan_or_field_path_errors(data):
    plan = plan_or_problems(data)
    if plan is not None:
        lint(plan)
        schedule_for(plan)
        docx_is_valid(render_plan(plan, TEMPLATES["standard"], company_name="X"))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=hostile_plan_data())
def test_lint_over_any_plan_data_reports_problems_and_what_could_be_checked(data):
    result = lint_data(copy.deepcopy(data))
    plan = plan_or_problems(data)
    if plan is not None:
        assert result.valid and result.findings == lint(plan)
    else:
        assert result.problems and (result.linted or not result.findings)
        for finding in result.findings:  # nothing said about what could not be read
            assert all(finding.path != p.path for p in result.problems)


@settings(max_examples=150, deadline=None)
@given(data=st.one_of(ANY_JSON, st.dictionaries(st.sampled_from(sorted(SAMPLE)), ANY_JSON)))
def test_any_json_value_is_a_plan_or_problems(data):
    assert plan_or_problems(data) is None


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(st.text(), st.lists(st.sampled_from(
    ["{", "}", "[", "]", ":", ",", "- ", "\n", "  ", "&a ", "*a", "!!python/object ", "'", '"',
     "employee", "goals", "2026-13-01", "10:30", "null", "~", "? ", "|", ">", "%YAML 1.1\n",
     "---\n"]), max_size=30).map("".join)), fmt=st.sampled_from(["yaml", "json"]))
def test_any_text_is_a_plan_or_a_problem(text, fmt):
    try:
        load_plan_text(text, fmt=fmt)
    except PlanError as refused:
        assert refused.problems and all(p.message.strip() for p in refused.problems)


# -- found by the properties above, in docgen's model and loader: not fixed yet ------------


def _with(change) -> dict[str, Any]:
    data = copy.deepcopy(SAMPLE)
    change(data)
    return data


KNOWN = {
    "NaN target": _with(lambda d: d["performance_history"]["results"][0].update(
        target=float("nan"))),
    "infinite actual": _with(lambda d: d["performance_history"]["results"][0].update(
        actual=float("inf"))),
    "a billion days": _with(lambda d: d["timeline"].update(length_days=10**9)),
    "a plan in 9999": _with(lambda d: d["timeline"].update(start="9999-12-01")),
    "ends on 9999-12-31": _with(lambda d: (d["timeline"].pop("length_days"),
                                           d["timeline"].update(end="9999-12-31"))),
}


# Values that once got past the model and then broke linting, scheduling or rendering
# (ValueError, OverflowError): the model now refuses each, naming the field.
@pytest.mark.parametrize("data", KNOWN.values(), ids=KNOWN.keys())
def test_values_that_cannot_be_rendered_are_refused_by_field(data):
    assert plan_or_problems(data) is None


def test_deeply_nested_json_text_is_a_problem():
    with pytest.raises(PlanError, match="nested too deeply"):
        load_plan_text("[" * 100_000 + "]" * 100_000, fmt="json")

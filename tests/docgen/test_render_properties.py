"""Property: whatever text HR type, the Word document holds exactly that text."""

from __future__ import annotations

import io

from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen import plan_from_data, render_plan, resolve_template

# Any character XML 1.0 allows, except the control characters the model refuses and
# the line-break characters docxtpl turns into Word breaks (checked elsewhere).
TEXT = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\ufffe\uffff"),
    min_size=1, max_size=200,
).filter(lambda s: s.strip() == s and s)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(summary=TEXT, name=TEXT)
def test_any_text_reaches_the_docx_verbatim(plan_data, summary, name):
    plan_data["role_summary"] = summary
    plan_data["employee"]["name"] = name
    docx = render_plan(plan_from_data(plan_data), resolve_template("standard"), company_name="X")
    paragraphs = [p.text for p in Document(io.BytesIO(docx)).paragraphs]
    assert summary in paragraphs
    assert name in paragraphs  # the subtitle under the title holds the name alone

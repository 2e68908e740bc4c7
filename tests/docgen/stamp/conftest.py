"""Real PDFs of a plan, made once per test session with the shared LibreOffice pool."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from docgen import SIGNATURE_ANCHORS, load_plan, render_plan, resolve_template
from tests.conftest import ROOT

PLAN = ROOT / "examples" / "support-agent-30d.yaml"


def _docx(*, drop_anchor: str | None = None) -> bytes:
    plan = load_plan(PLAN)
    docx = render_plan(plan, resolve_template("standard"), company_name="Ignored Co",
                       generated_on=dt.date(2026, 11, 22))
    if drop_anchor is None:
        return docx
    # A template without that signature block: its anchor line, the name under it and
    # its Date: line.
    document = Document(io.BytesIO(docx))
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text.startswith(drop_anchor))
    for paragraph in paragraphs[start:start + 3]:
        paragraph._element.getparent().remove(paragraph._element)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def plan_pdf(converter) -> bytes:
    """The example support-agent plan, as LibreOffice makes it: ``stampkit.PLAN_PAGES``
    pages, the signatures on the last."""
    return converter.convert(_docx())


@pytest.fixture(scope="session")
def no_hr_pdf(converter) -> bytes:
    """The same plan from a template that has no HR signature line."""
    return converter.convert(_docx(drop_anchor=SIGNATURE_ANCHORS["hr"]))

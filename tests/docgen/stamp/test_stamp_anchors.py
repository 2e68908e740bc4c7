"""Finding anchor texts and their fill-in lines in real PDFs from LibreOffice."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from docx import Document

from docgen import SIGNATURE_ANCHORS
from docgen.stamp import find_anchors, stamp
from docgen.stamp.anchors import DATE_LABEL, date_line
from docgen.stamp.scan import scan
from tests.docgen.stamp import stampkit as kit

ANCHORS = list(SIGNATURE_ANCHORS.values())


def docx(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def typed_lines_pdf(converter) -> bytes:
    """A signature block typed with underscores, after prose that names an anchor."""
    return converter.convert(docx(
        "The employee signs on the Employee signature: line at the end of this page.",
        "Some plan text.",
        "Employee signature: ______________________________",
        "Date: ________________",
    ))


def test_anchors_are_where_pdfplumber_sees_them(plan_pdf):
    found = find_anchors(plan_pdf, ANCHORS)
    assert set(found) == set(ANCHORS)
    with pdfplumber.open(io.BytesIO(plan_pdf)) as pdf:
        assert len(pdf.pages) == kit.PLAN_PAGES
        for text, anchor in found.items():
            page = pdf.pages[anchor.page]
            words = page.extract_words()
            first = text.split()[0]
            # pdfplumber's box of the anchor's first word starts where the anchor does.
            word = next(w for w in words if w["text"] == first
                        and abs(w["top"] - anchor.top) < anchor.size)
            assert abs(word["x0"] - anchor.x0) < 1.0
            assert abs(word["bottom"] - anchor.baseline) < 1.0  # pdfplumber: bottom=baseline
            assert anchor.page == kit.SIGNATURES - 1 and anchor.size == pytest.approx(10.5, abs=0.1)


def test_each_anchor_has_the_line_drawn_right_of_it(plan_pdf):
    found = find_anchors(plan_pdf, ANCHORS)
    with pdfplumber.open(io.BytesIO(plan_pdf)) as pdf:
        lines = pdf.pages[kit.SIGNATURES - 1].lines
    for anchor in found.values():
        assert anchor.line is not None
        drawn = [ln for ln in lines if abs(ln["x0"] - anchor.line.x0) < 1
                 and abs(ln["top"] - anchor.line.top) < 1.5]
        assert drawn, anchor.text
        assert anchor.line.x0 >= anchor.x1 and anchor.line.width > 200
        assert 0 < anchor.line.top - anchor.baseline < 3


def test_the_date_line_of_each_signature_block_is_found(plan_pdf):
    pages = scan(plan_pdf, [*ANCHORS, DATE_LABEL])
    found = find_anchors(plan_pdf, ANCHORS)
    dates = [date_line(pages[kit.SIGNATURES - 1], anchor, list(found.values()))
             for anchor in found.values()]
    assert all(d is not None and d.line is not None for d in dates)
    tops = [d.top for d in dates]
    anchor_tops = [a.top for a in found.values()]
    for date_top, anchor_top in zip(tops, anchor_tops, strict=True):
        assert 20 < date_top - anchor_top < 50  # the next lines, not another block's


def test_texts_not_in_the_pdf_are_left_out(plan_pdf):
    assert find_anchors(plan_pdf, ["Witness signature:", ANCHORS[0]]).keys() == {ANCHORS[0]}


def test_a_line_typed_as_underscores_is_the_fill_in_line(typed_lines_pdf):
    anchor = find_anchors(typed_lines_pdf, [ANCHORS[0]])[ANCHORS[0]]
    # The prose mention comes first but has no line; the signature block wins.
    with pdfplumber.open(io.BytesIO(typed_lines_pdf)) as pdf:
        words = pdf.pages[0].extract_words()
    underscores = next(w for w in words if w["text"].startswith("____"))
    assert anchor.line is not None
    assert abs(anchor.line.x0 - underscores["x0"]) < 2
    assert abs(anchor.line.x1 - underscores["x1"]) < 2
    assert abs(anchor.baseline - underscores["bottom"]) < 2


def test_a_name_is_written_on_underscores(typed_lines_pdf):
    completion = kit.completion(typed_lines_pdf, kit.signer("employee", "Léa Brändli"))
    stamped = stamp(typed_lines_pdf, completion)
    assert stamped.notes == ()
    anchor = find_anchors(typed_lines_pdf, [ANCHORS[0]])[ANCHORS[0]]
    with pdfplumber.open(io.BytesIO(stamped.pdf)) as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["fontname"])
    name = [w for w in words if "DancingScript" in w["fontname"]]
    assert " ".join(w["text"] for w in name) == "Léa Brändli"
    assert all(anchor.line.x0 <= w["x0"] and w["x1"] <= anchor.line.x1 for w in name)
    assert "12 January 2027" in " ".join(w["text"] for w in words)


def test_a_crowded_signature_line_sends_the_stamp_to_the_acknowledgement_page(converter):
    filler = ("This paragraph fills the whole width of the page so that nothing can be "
              "written above or below the signature line without covering it. ") * 3
    crowded = converter.convert(docx(
        filler, "Employee signature: ___ and this text runs on to the right margin, "
        "leaving no room at all", filler))
    completion = kit.completion(crowded, kit.signer("employee", "Léa Brändli"))
    stamped = stamp(crowded, completion)
    assert len(stamped.notes) == 1
    assert stamped.notes[0].startswith("'Employee signature:' anchor on page 1: ")
    assert stamped.notes[0].endswith("its stamp is on the acknowledgement page")
    with pdfplumber.open(io.BytesIO(stamped.pdf)) as pdf:
        first = pdf.pages[0].extract_text()
        acknowledgement = pdf.pages[1].extract_text()
    assert "Léa Brändli" not in first
    assert "Certificate p. 3" in acknowledgement

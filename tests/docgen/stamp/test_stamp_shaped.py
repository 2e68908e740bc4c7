"""Shaped lines (docgen.stamp.shaped, docgen.stamp.bidiruns) draw what fpdf2's own cell
draws: the same pixels, the same text for pdftotext and pypdf. These tests fail if fpdf2
changes what the internals they rely on do."""

from __future__ import annotations

import io
import random
import re
import subprocess
from pathlib import Path

import pytest
from fpdf import FPDF
from fpdf.bidi import BidiParagraph, auto_detect_base_direction
from fpdf.enums import TextDirection
from PIL import Image, ImageChops
from pypdf import PdfReader

from docgen.stamp import fonts as stamp_fonts
from docgen.stamp import shaped
from docgen.stamp.bidiruns import bidi_runs
from docgen.stamp.document import Frame, RecordPdf
from docgen.stamp.fonts import document_fonts

A4 = Frame(width=595.3, height=841.9, left=62.4, right=62.4)

LINES = [
    "تُوثّق هذه الصفحة ردّ كل شخص طُلب منه توقيع الخطة.",  # marks placed on letters
    "تم الإقرار بالاستلام بتاريخ 12 يناير 2027، الساعة 9:14 ص UTC",  # digits, Latin
    "Léa Brändli · الموظف",  # a Latin name first: a left-to-right paragraph
    "الرقم الوظيفي AM-3381, Customer Care",
    "CET (Europe/Zurich) 10:14 ص؛ 12 يناير",  # brackets: fpdf2's own bidi
    "e\u0301te\u0301 a\u0300 Zu\u0308rich",  # decomposed accents
    "שלום עולם 42",
]
TEXT = " ".join(LINES) + " محمد أحمد"


def _bidi_reference(text: str) -> tuple[tuple[str, object], ...]:
    paragraph = BidiParagraph(text=text, base_direction=auto_detect_base_direction(text),
                              preserve_bn_chars=True, alias="")
    return tuple(paragraph.get_bidi_fragments())


@pytest.mark.parametrize("alphabet", [
    # one or two characters of each class bidi_runs handles
    "ab" "اب" "אב" "12" "٣٤" "+-" "%$#°" ",.:/،" "\u064e\u0651\u05b0" "!\"→*" "  ",
    # numbers and their separators between letters of both directions: rules W2 to W7
    "a1ب2+%,٣ \u064e!",
])
def test_direction_runs_are_fpdf2s_on_random_texts(alphabet):
    rng = random.Random(18)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16)))
        assert bidi_runs(text) == _bidi_reference(text), text


def test_direction_runs_of_record_lines_are_fpdf2s():
    for text in LINES:
        runs = bidi_runs(text)
        if runs is not None:
            assert runs == _bidi_reference(text), text
    # What it leaves to fpdf2: brackets (rule N0), explicit marks and isolates.
    assert bidi_runs("الخطة (PIP-2027)") is None
    assert bidi_runs("\u2067abc\u2069 مرحبا") is None
    assert bidi_runs("a\u200db") is None
    assert bidi_runs("") == ()


@pytest.fixture
def record():
    with document_fonts(TEXT, []) as fonts:
        pdf = RecordPdf(fonts, A4, company="Acme", running_footer="x")
        pdf.add_page()
        yield pdf


def test_font_fragments_are_fpdf2s_on_random_texts(record):
    rng = random.Random(6)
    alphabet = "abé" "محمد" "\u064e\u0651" "12" " .،" "→" "שלום" "\u0301"
    for style in ("", "B"):
        record.set_font("sans", style, 9.5)
        record.set_text_shaping(True)
        for _ in range(1500):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
            mine = record._shaped._font_fragments(text)
            theirs = record._preload_font_styles(text, False)
            assert [(f.string, f.font.fontkey, f.font_style, f.font_family)
                    for f in mine] == [(f.string, f.font.fontkey, f.font_style,
                                        f.font_family) for f in theirs], text
            assert all(m.text_shaping_parameters == t.text_shaping_parameters
                       for m, t in zip(mine, theirs, strict=True))


def test_widths_are_fpdf2s(record):
    words = [w for line in LINES for w in line.split()] + LINES
    for style, size in (("", 9.5), ("B", 11.0)):
        record.set_font("sans", style, size)
        for text in words:
            record.shaping_for(text)
            if not record.text_shaping:
                continue
            for _ in range(2):  # measured, then remembered
                assert record.get_string_width(text) == pytest.approx(
                    FPDF.get_string_width(record, text), abs=1e-9), text


def _draw(lines: list[str], *, ours: bool, prefix: str = "") -> bytes:
    """A page with each line drawn by RecordPdf.put (ours) or fpdf2's cell."""
    with document_fonts(prefix + TEXT, []) as fonts:
        pdf = RecordPdf(fonts, A4, company="Acme", running_footer="x")
        pdf.add_page()
        if prefix:  # another document's text first: its fonts' glyphs numbered otherwise
            pdf.set_font("sans", "", 9.5)
            pdf.put(70, 60, prefix)
        for size, style in ((9.5, ""), (12.0, "B")):
            pdf.set_font("sans", style, size)
            for i, text in enumerate(lines * 2):  # the second time from memory
                baseline = 100 + i * 22 + (0 if size < 10 else 330)
                if ours:
                    pdf.put(520, baseline, text, align="R")
                else:
                    pdf.shaping_for(text)
                    width = FPDF.get_string_width(pdf, text)
                    pdf.set_xy(520 - width, baseline - 0.8 * pdf.font_size)
                    pdf._emit_font()
                    pdf.cell(width, pdf.font_size, text, align="R")
                    pdf._emit_font()
        return bytes(pdf.output())


def _pixels(pdf: bytes, folder: Path, name: str) -> Image.Image:
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(path),
                    str(folder / name)], check=True)
    return Image.open(folder / f"{name}.png").convert("L")


def _pdftotext(pdf: bytes, folder: Path) -> str:
    path = folder / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_shaped_lines_look_and_read_as_fpdf2_draws_them(tmp_path):
    ours, theirs = _draw(LINES, ours=True), _draw(LINES, ours=False)
    difference = ImageChops.difference(_pixels(ours, tmp_path, "ours"),
                                       _pixels(theirs, tmp_path, "theirs"))
    # A glyph placed on its own (a mark, a kerned pair) is rounded to 0.01 pt in two
    # steps rather than one: the edges of glyphs shade a little differently, nothing a
    # reader could see. A line out of place by a tenth of a point differs in thousands.
    assert sum(difference.histogram()[96:]) < 40
    text = _pdftotext(ours, tmp_path)
    assert text.split() == _pdftotext(theirs, tmp_path).split()
    logical = re.sub("[\u202a-\u202e]", "", text)  # pdftotext's direction marks
    assert "تُوثّق هذه الصفحة ردّ كل شخص" in logical and "Léa Brändli" in logical
    assert ([p.extract_text() for p in PdfReader(io.BytesIO(ours)).pages]
            == [p.extract_text() for p in PdfReader(io.BytesIO(theirs)).pages])


def test_what_a_document_remembers_is_its_own(tmp_path):
    """Two documents with different text (so their fonts' glyphs are numbered otherwise)
    each draw the same lines right: no shaped line or width carries over (what the
    process keeps, shapes before glyph codes, is given each document's own codes)."""
    plain = _draw(LINES, ours=True)
    other = _draw(LINES, ours=True, prefix="ضظغ ثخذ ـ ﻻ ئؤ ةى")
    reference = _draw(LINES, ours=False, prefix="ضظغ ثخذ ـ ﻻ ئؤ ةى")
    assert _pdftotext(other, tmp_path) == _pdftotext(reference, tmp_path)
    drawn = _pdftotext(other, tmp_path)
    alone = _pdftotext(plain, tmp_path)
    first = LINES[0].split()[0]
    assert drawn[drawn.index(first):] == alone[alone.index(first):]
    difference = ImageChops.difference(_pixels(other, tmp_path, "other"),
                                       _pixels(reference, tmp_path, "reference"))
    assert sum(difference.histogram()[96:]) < 40
    with document_fonts(TEXT, []) as fonts:
        first = RecordPdf(fonts, A4, company="Acme", running_footer="x")
        second = RecordPdf(fonts, A4, company="Acme", running_footer="x")
        assert first._shaped is not second._shaped
        first.set_font("sans", "", 9.5)
        first.shaping_for(LINES[0])
        first.get_string_width(LINES[0])
        assert first._shaped._widths and not second._shaped._widths
        first.add_page()
        first.put(300, 100, LINES[0])
        assert first._shaped._lines and not second._shaped._lines


def test_a_line_that_fits_is_measured_once_and_wraps_as_before(record):
    record.set_font("sans", "", 9.5)
    text = "The escalation target depends on Tier 2 answering within a day."
    width = record.get_string_width(text)
    assert record.wrap(text + "  ", width) == [text]
    assert record.wrap("   ", 100) == []
    lines = record.wrap(text, width - 1)  # the last word no longer fits
    assert lines == [text.rsplit(" ", 1)[0], text.rsplit(" ", 1)[1]]


def test_what_the_process_keeps_is_drawn_and_measured_as_fpdf2_does(record):
    """A fragment in a font shared by documents is shaped once per process (before its
    glyphs get a document's codes): drawn with a document's codes, it is what fpdf2's
    render_with_text_shaping writes, and measured, what Fragment.get_width gives, on
    random texts (marks, ligatures, digits, both directions)."""
    rng = random.Random(11)
    alphabet = "abé fi" "محمد" "لا" "\u064e\u0651\u0670" "12" " .،" "\u0301"
    with document_fonts(TEXT + "fi", []) as fonts:
        twin = RecordPdf(fonts, A4, company="Acme", running_footer="x")
        twin.add_page()
        checked = 0
        for style, size in (("", 9.5), ("B", 11.0)):
            for pdf in (record, twin):
                pdf.set_font("sans", style, size)
                pdf.set_text_shaping(True)
            for _ in range(400):
                text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
                for direction in (TextDirection.LTR, TextDirection.RTL):
                    for pdf in (record, twin):  # as ShapedLines._ordered sets them
                        pdf.text_shaping["paragraph_direction"] = direction
                        pdf.text_shaping["fragment_direction"] = direction
                    mine = record._shaped._font_fragments(text)
                    theirs = twin._shaped._font_fragments(text)
                    for ours, fpdf2s in zip(mine, theirs, strict=True):
                        assert stamp_fonts.is_shared(ours.font)
                        shape = shaped._shape_of(ours.font, ours.string, ours.font_size_pt,
                                                 ours.text_shaping_parameters)
                        assert shaped._run(ours.font, ours.font_size_pt, record.k, shape) \
                            == shaped._split(fpdf2s.render_with_text_shaping(0, 0, 0, 0))
                        assert shaped._text_width(
                            ours.font, ours.string, ours.font_size_pt,
                            ours.text_shaping_parameters, record.k) == fpdf2s.get_width()
                        checked += 1
        assert checked > 1000


def _contents(pdf: bytes) -> list[bytes]:
    return [page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_document_drawn_from_what_the_process_keeps_is_the_one_drawn_without(
        monkeypatch):
    """The same lines drawn by a document with nothing kept yet, then by one drawing
    from what the first left (and with a document's own font in the text, which is not
    kept), give the same page, operator for operator; what is kept stays bounded."""
    monkeypatch.setattr(shaped, "_SHAPES", shaped._Recent(shaped._SHAPES.size))
    monkeypatch.setattr(shaped, "_LAYOUTS", shaped._Recent(shaped._LAYOUTS.size))
    cold = _draw(LINES, ours=True)
    assert len(shaped._LAYOUTS) and len(shaped._SHAPES)
    assert _contents(_draw(LINES, ours=True)) == _contents(cold)
    # Kept only so many: the oldest are let go, and drawn again when they recur.
    monkeypatch.setattr(shaped, "_SHAPES", shaped._Recent(5))
    monkeypatch.setattr(shaped, "_LAYOUTS", shaped._Recent(3))
    assert _contents(_draw(LINES, ours=True)) == _contents(cold)
    assert len(shaped._SHAPES) == 5 and len(shaped._LAYOUTS) == 3
    # Hebrew is in a font cut for the document: its lines are drawn by fpdf2's code.
    shaped._LAYOUTS.clear()
    _draw(["שלום עולם 42"], ours=True)
    assert not len(shaped._LAYOUTS)


def test_documents_with_other_fonts_each_draw_their_own(tmp_path):
    """A line whose characters fall back to shared fonts in one document and to a font
    of its own in another (the fallback fonts a document registers depend on its
    text) is drawn right in both, one after the other, in one process."""
    lines = ["مرحبا 12 \u05d0"]  # Arabic, digits and a Hebrew letter
    for prefix in ("", "ש"):
        ours, theirs = (_draw(lines, ours=True, prefix=prefix),
                        _draw(lines, ours=False, prefix=prefix))
        assert _pdftotext(ours, tmp_path) == _pdftotext(theirs, tmp_path)
        difference = ImageChops.difference(_pixels(ours, tmp_path, "ours"),
                                           _pixels(theirs, tmp_path, "theirs"))
        assert sum(difference.histogram()[96:]) < 40

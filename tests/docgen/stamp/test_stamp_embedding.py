"""The record's fonts embedded by HarfBuzz (docgen.stamp.embedding) are fpdf2's, glyph
for glyph: a record written with them looks and reads as one fpdf2 writes itself.
These tests fail if fpdf2 changes what the internals the module relies on do."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from fpdf.output import OutputProducer
from PIL import Image, ImageChops
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from docgen.stamp import document, fonts, stamp
from docgen.stamp.document import Frame, RecordPdf
from docgen.stamp.fonts import document_fonts
from tests.docgen.stamp import stampkit as kit

A4 = Frame(width=595.3, height=841.9, left=62.4, right=62.4)


def _record(plan_pdf: bytes, monkeypatch: pytest.MonkeyPatch, *, fpdf2s: bool = False,
            shared: bool = True) -> bytes:
    """An Arabic record with Chinese, Cyrillic and Arabic comments and a Latin signature:
    Noto Sans regular and bold, the signature hand, the Arabic faces, and Noto Sans CJK
    (CFF outlines, which fpdf2's own code embeds either way). ``fpdf2s``: written by
    fpdf2's own code; ``shared``: with the fonts parsed once per process."""
    with monkeypatch.context() as patch:
        if fpdf2s:
            patch.setattr(document, "RecordOutput", OutputProducer)
        if not shared:
            patch.setattr(fonts, "SHARED", frozenset())
        # And characters no font has, or none draws (a control character).
        comments = (*kit.COMMENTS, "Not in any font: \ue000; a control character: \x00.")
        completion = kit.replace(kit.acknowledged(plan_pdf, comments=comments),
                                 language="ar")
        return stamp(plan_pdf, completion).pdf


Codes = list[tuple[int, str, object, int]]


def _fonts(pdf: bytes) -> dict[str, tuple[Codes, int]]:
    """Every composite TrueType font of ``pdf``, by name: for each code its characters
    (ToUnicode), and the outline and advance width of the glyph it draws (CIDToGIDMap,
    font file); and how many glyphs the font file has."""
    reader = PdfReader(io.BytesIO(pdf))
    found: dict[str, tuple[Codes, int]] = {}
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            font = reader.get_object(IndirectObject(number, 0, reader))
        except Exception:  # a free entry
            continue
        if not isinstance(font, dict) or font.get("/Subtype") != "/Type0":
            continue
        cid_font = font["/DescendantFonts"][0].get_object()
        descriptor = cid_font["/FontDescriptor"].get_object()
        if "/FontFile2" not in descriptor:  # CFF: embedded by fpdf2 itself
            continue
        program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        glyphs, order = program.getGlyphSet(), program.getGlyphOrder()
        gid_map = cid_font["/CIDToGIDMap"].get_object().get_data()
        codes = []
        inside = False
        for line in font["/ToUnicode"].get_object().get_data().decode().splitlines():
            if line.endswith("beginbfchar") or line == "endbfchar":
                inside = line != "endbfchar"
            elif inside:
                code_hex, text_hex = line.strip("<>").split("> <")
                code = int(code_hex, 16)
                gid = int.from_bytes(gid_map[2 * code:2 * code + 2], "big")
                pen = DecomposingRecordingPen(glyphs)  # parts by outline, not name
                glyphs[order[gid]].draw(pen)
                codes.append((code, bytes.fromhex(text_hex).decode("utf-16-be"), pen.value,
                              program["hmtx"][order[gid]][0]))
        assert codes, font["/BaseFont"]
        found[f"{font['/BaseFont']} {number}"] = codes, len(order)
    return found


def _descriptors(pdf: bytes, kind: str) -> list[dict]:
    """The font descriptors of ``pdf`` with a font file of ``kind``."""
    reader = PdfReader(io.BytesIO(pdf))
    found = []
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            value = reader.get_object(IndirectObject(number, 0, reader))
        except Exception:  # a free entry
            continue
        if isinstance(value, dict) and kind in value:
            found.append(value)
    return found


def _pages(pdf: bytes, folder: Path, name: str) -> list[Image.Image]:
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(path), str(folder / name)],
                   check=True)
    return [Image.open(p).convert("RGB") for p in sorted(folder.glob(f"{name}-*.png"))]


def _pdftotext(pdf: bytes, folder: Path) -> str:
    path = folder / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.parametrize("against", ["fpdf2's embedding", "fonts of its own"])
def test_a_record_looks_and_reads_as_with_fpdf2s_embedding_and_its_own_fonts(
        plan_pdf, monkeypatch, tmp_path, against):
    """Written by RecordOutput as by fpdf2's code (each document's fonts its own: fpdf2's
    embedding would cut a font shared by documents in place), and with the fonts shared
    by documents as with each document's own."""
    if against == "fpdf2's embedding":
        ours = _record(plan_pdf, monkeypatch, shared=False)
        theirs = _record(plan_pdf, monkeypatch, fpdf2s=True, shared=False)
    else:
        ours = _record(plan_pdf, monkeypatch)
        theirs = _record(plan_pdf, monkeypatch, shared=False)
    # The same glyphs for the same codes, in every font: the drawing could not differ.
    mine, reference = _fonts(ours), _fonts(theirs)
    assert list(mine) == list(reference)
    for name in reference:
        if against == "fpdf2's embedding":  # and the same glyphs kept
            assert mine[name] == reference[name], name
        else:  # a whole font's first four glyphs are not a cut font's
            assert mine[name][0] == reference[name][0], name
    drawn = {text for codes, _ in mine.values() for _, text, _, _ in codes}
    assert {"م", "Я", "L"} <= drawn  # Arabic, Cyrillic and Latin are there
    assert _descriptors(ours, "/FontFile3")  # and the CJK face, which fpdf2 embeds
    ours_pages, theirs_pages = _pages(ours, tmp_path, "ours"), _pages(theirs, tmp_path,
                                                                       "theirs")
    assert len(ours_pages) == len(theirs_pages) == kit.PLAN_PAGES + 4
    for a, b in zip(ours_pages, theirs_pages, strict=True):
        assert ImageChops.difference(a, b).getbbox() is None
    assert _pdftotext(ours, tmp_path) == _pdftotext(theirs, tmp_path)
    assert ([p.extract_text() for p in PdfReader(io.BytesIO(ours)).pages]
            == [p.extract_text() for p in PdfReader(io.BytesIO(theirs)).pages])


def test_only_the_glyphs_drawn_are_embedded():
    """Each font is cut to what the page draws (and the first four glyphs fpdf2 keeps),
    not to all the document's text the fonts were cut to first."""
    text = "Abc محمد " + "".join(chr(c) for c in range(0x410, 0x450))  # all of Cyrillic
    with document_fonts(text, []) as registered:
        pdf = RecordPdf(registered, A4, company="Acme", running_footer="x")
        pdf.add_page()
        pdf.set_font("sans", "", 9.5)
        pdf.put(70, 100, "Abc محمد")
        written = bytes(pdf.output())
    embedded = _fonts(written)
    assert len(embedded) == 3  # sans, bold (the header) and Arabic: no mono, Arabic bold
    sans = next(codes for name, (codes, _) in embedded.items()
                if name.startswith("/MPDFAA+NotoSans "))
    # What the line and the running footer ("x") draw, fpdf2's reserved code 0 and space.
    assert {text for _, text, _, _ in sans} == {"\x00", " ", "A", "b", "c", "x"}
    arabic = next(codes for name, (codes, _) in embedded.items()
                  if name.startswith("/MPDFAA+NotoSansArabic "))
    assert {text for _, text, _, _ in arabic} == {"\x00", " ", "م", "ح", "د"}
    for name, (codes, glyphs) in embedded.items():
        assert glyphs <= 4 + len(codes), name
    for descriptor in _descriptors(written, "/FontFile2"):
        font = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        assert "GSUB" not in font and "GPOS" not in font  # dropped, as fpdf2 drops them


def test_a_font_no_page_draws_with_is_not_embedded(monkeypatch):
    """A record's fonts are cut to all its wording before it is drawn: an Arabic record
    registers Noto Sans CJK for the arrow of a message it does not draw. Not embedded."""
    monkeypatch.setattr(fonts, "SHARED", frozenset())  # so that fpdf2 may write it too

    def written(producer: type[OutputProducer] | None) -> bytes:
        with document_fonts("Abc محمد ←", []) as registered:
            pdf = RecordPdf(registered, A4, company="Acme", running_footer="x")
            assert any("CJK" in str(font.ttfont["name"].getBestFullName())
                       for font in pdf.fonts.values())
            pdf.add_page()
            pdf.set_font("sans", "", 9.5)
            pdf.put(70, 100, "Abc محمد")
            return bytes(pdf.output(output_producer_class=producer) if producer
                         else pdf.output())

    def names(pdf: bytes) -> list[str]:
        reader = PdfReader(io.BytesIO(pdf))
        return [str(font["/BaseFont"]) for page in reader.pages
                for font in page["/Resources"]["/Font"].values()] + [
            str(d["/FontName"]) for kind in ("/FontFile2", "/FontFile3")
            for d in _descriptors(pdf, kind)]

    assert any("CJK" in name for name in names(written(OutputProducer)))  # fpdf2 would
    assert not any("CJK" in name for name in names(written(None)))


def test_a_document_with_shared_fonts_is_written_by_record_output_only():
    with document_fonts("Abc", []) as registered:
        pdf = RecordPdf(registered, A4, company="Acme", running_footer="x")
        pdf.add_page()
        pdf.set_font("sans", "", 9.5)
        pdf.put(70, 100, "Abc")
        with pytest.raises(ValueError, match="RecordOutput"):
            pdf.output(output_producer_class=OutputProducer)

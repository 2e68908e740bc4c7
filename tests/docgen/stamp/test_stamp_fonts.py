"""Stamping is quick enough to do inline because fonts are parsed once per process: the
fonts every record uses are shared by documents, each with its own copy of what drawing
changes, and the others are cut to each document's text (see docgen/stamp/fonts.py).
These tests check that both hold, that documents sharing fonts each draw their own, and
that what a process keeps is bounded; how fast stamping is, is measured by
bench/bench_finalize.py, not here.
"""

from __future__ import annotations

import io
import subprocess
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from docgen.stamp import fonts, stamp
from docgen.stamp.document import Frame, RecordPdf
from tests.docgen.stamp import stampkit as kit

A4 = Frame(width=595.3, height=841.9, left=62.4, right=62.4)
# Two documents' text: each uses glyphs the other does not, in every shared font.
FIRST = "Zürich, Łódź — ضظغ ثخذ 12:30"
SECOND = "Ångström, Ærø — مرحبا بكم 98%"


def test_a_second_document_parses_no_font_again(plan_pdf):
    completion = kit.acknowledged(plan_pdf, comments=kit.COMMENTS[:1])
    stamp(plan_pdf, completion)  # the first pays for loading fonts, once per process
    before = fonts._face.cache_info()
    stamp(plan_pdf, completion)
    after = fonts._face.cache_info()
    assert after.misses == before.misses
    assert after.hits > before.hits


def test_each_document_gets_fonts_cut_down_to_its_text(plan_pdf, monkeypatch):
    subsets = []
    original = fonts._subset

    def recorded(font, chars, folder, name):
        path = original(font, chars, folder, name)
        subsets.append((font, path.stat().st_size))
        return path

    monkeypatch.setattr(fonts, "_subset", recorded)
    stamp(plan_pdf, kit.acknowledged(plan_pdf, comments=kit.COMMENTS[:1]))
    assert subsets
    for font, size in subsets:
        assert size < font.path.stat().st_size / 2, font.path


def test_the_fonts_every_record_uses_are_parsed_once_per_process(plan_pdf):
    arabic = kit.replace(kit.acknowledged(plan_pdf), language="ar")
    stamp(plan_pdf, arabic)
    parsed = {font: found[0] for font, found in fonts._PARSED.items()}
    assert set(parsed) == fonts.SHARED  # Noto Sans, its bold, mono and the Arabic faces
    stamp(plan_pdf, arabic)
    stamp(plan_pdf, kit.acknowledged(plan_pdf))
    assert {font: found[0] for font, found in fonts._PARSED.items()} == parsed  # the same
    # Nothing a document draws is kept in them: each document has its own subset.
    for font in parsed.values():
        assert not font.missing_glyphs and font.biggest_size_pt == 0
        assert [code for glyph, code in font.subset.items()] == [0, 32]  # fpdf2's reserved
        # Writing a document fills in its font descriptor: each has its own.
        assert font.desc._id is None and font.desc.font_name is None


def _document(text: str, *, shared: bool, monkeypatch: pytest.MonkeyPatch,
              other: str | None = None) -> bytes:
    """A page with ``text`` in regular and bold; with ``other``, another document is
    drawn at the same time, interleaved, before this one is written."""
    with monkeypatch.context() as patch:
        if not shared:
            patch.setattr(fonts, "SHARED", frozenset())
        with fonts.document_fonts(text + (other or ""), []) as document_fonts:
            pdfs = [RecordPdf(document_fonts, A4, company="Acme", running_footer="x")
                    for _ in range(2 if other else 1)]
            for pdf in pdfs:
                pdf.add_page()
            for style, y in (("", 100), ("B", 130)):
                for pdf, line in zip(pdfs, [text, other][:len(pdfs)], strict=True):
                    pdf.set_font("sans", style, 11)
                    pdf.put(70, y, line)
            outputs = [bytes(pdf.output()) for pdf in reversed(pdfs)]
            return outputs[-1]


def _look(pdf: bytes, folder: Path, name: str) -> tuple[Image.Image, str]:
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(path),
                    str(folder / name)], check=True)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return Image.open(folder / f"{name}.png").convert("RGB"), text


def test_documents_sharing_fonts_each_draw_their_own(monkeypatch, tmp_path):
    """Two documents drawn at once with the shared fonts (each numbering its glyphs in
    its own order) look and read as the same document drawn with fonts of its own."""
    alone = _document(FIRST, shared=False, monkeypatch=monkeypatch)
    together = _document(FIRST, shared=True, monkeypatch=monkeypatch, other=SECOND)
    image, text = _look(together, tmp_path, "together")
    reference_image, reference_text = _look(alone, tmp_path, "alone")
    assert ImageChops.difference(image, reference_image).getbbox() is None
    assert text == reference_text
    assert "Łódź" in text and "Ærø" not in text
    page = PdfReader(io.BytesIO(together)).pages[0]
    assert page.extract_text() == PdfReader(io.BytesIO(alone)).pages[0].extract_text()


def test_documents_in_threads_each_get_their_own_record(plan_pdf):
    completions = [kit.replace(kit.acknowledged(plan_pdf), language=language)
                   for language in ("ar", "en")]
    expected = [_text(stamp(plan_pdf, c).pdf) for c in completions]
    results: dict[int, list[str]] = {0: [], 1: []}

    def run(index: int) -> None:
        for _ in range(2):
            results[index].append(_text(stamp(plan_pdf, completions[index]).pdf))

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {0: [expected[0]] * 2, 1: [expected[1]] * 2}


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)

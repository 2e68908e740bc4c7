"""What is already on the original's pages, and where: read with PDFium.

Stamps must sit beside given text and cover nothing, so stamping needs, for each page,
its size, the boxes of everything drawn on it, its thin horizontal lines (signature
lines) and the position of some texts. PDFium (pypdfium2) reads all that from a
six-page plan in about 15 ms; pdfminer-based readers take half a second.

Coordinates here and everywhere in docgen.stamp are PDF points measured from the
top-left corner of the page's visible area (its crop box), with y growing downwards:
the system pdfplumber reports and fpdf2 draws in. PDFium's own (origin at the bottom
left of the media box, y upwards) is converted on the way out.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from docgen.stamp.errors import UnreadablePdf
from docgen.stamp.geometry import Box

# PDFium is not thread-safe: one document at a time in the whole process.
_PDFIUM = threading.Lock()

# A path this flat and at least this long is a rule: a signature line, a table border.
_RULE_MAX_HEIGHT = 2.0
_RULE_MIN_WIDTH = 20.0
# Objects covering most of the page (a background, a watermark) are not content that
# a stamp or footer could cover.
_BACKGROUND_SHARE = 0.6
# A page number the page prints itself, as the templates of each language print it:
# "Page 6 of 6", "Página 6 de 6", "Page 6 sur 6", "Seite 6 von 6", "صفحة 6 من 6".
_PAGE_NUMBER = re.compile(r"(?i)(?:\bpage\s+\d+\s+(?:of|sur)|\bpágina\s+\d+\s+de"
                          r"|\bseite\s+\d+\s+von|صفحة\s+\d+\s+من)\s+\d+\b")


@dataclass(frozen=True)
class TextHit:
    """Where one occurrence of a searched text is."""

    text: str
    box: Box  # the glyphs' extent; bottom is at least the baseline
    baseline: float
    size: float  # font size of its first character, in points
    underscores: Box | None = None  # a run of "_" typed right after it, as a fill-in line


@dataclass(frozen=True)
class PageScan:
    index: int  # 0-based
    width: float
    height: float
    origin: tuple[float, float]  # lower-left corner of the crop box, in PDF user space
    rotation: int  # degrees, as the page's /Rotate says
    ink: tuple[Box, ...]  # everything drawn: text, paths, images, forms
    rules: tuple[Box, ...]  # the thin horizontal lines among them
    hits: dict[str, tuple[TextHit, ...]]
    numbered: bool = False  # the page prints its own page number

    def content_box(self) -> Box | None:
        """The extent of everything drawn on the page, or None for a blank page."""
        if not self.ink:
            return None
        return Box(min(b.x0 for b in self.ink), min(b.top for b in self.ink),
                   max(b.x1 for b in self.ink), max(b.bottom for b in self.ink))


def scan(pdf: bytes, texts: Iterable[str] = ()) -> list[PageScan]:
    """Every page of ``pdf``, with each occurrence of each of ``texts`` (case-sensitive)."""
    wanted = [t for t in dict.fromkeys(texts) if t]
    with _open(pdf) as document:
        return [_scan_page(document, i, wanted) for i in range(len(document))]


@contextmanager
def _open(pdf: bytes) -> Iterator[pdfium.PdfDocument]:
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise UnreadablePdf(f"the original is not a readable PDF: {exc}") from exc
        try:
            yield document
        finally:
            document.close()


def _scan_page(document: pdfium.PdfDocument, index: int, wanted: list[str]) -> PageScan:
    page = document[index]
    try:
        left, bottom, right, top = page.get_cropbox()
        frame = _Frame(left, top)
        width, height = right - left, top - bottom
        ink: list[Box] = []
        rules: list[Box] = []
        # Top-level objects only: a form's own bounds already enclose what it draws.
        for kind, bounds in _objects(page):
            box = frame.box(*bounds)
            if box.width > _BACKGROUND_SHARE * width and box.height > _BACKGROUND_SHARE * height:
                continue
            if kind == pdfium_c.FPDF_PAGEOBJ_TEXT and box.height <= 0.01:
                # Blank text (the tab before an Arabic signature line's underline):
                # nothing shows, so nothing can be covered.
                continue
            ink.append(box)
            if (kind == pdfium_c.FPDF_PAGEOBJ_PATH and box.height <= _RULE_MAX_HEIGHT
                    and box.width >= _RULE_MIN_WIDTH):
                rules.append(box)
        hits: dict[str, tuple[TextHit, ...]] = {}
        textpage = page.get_textpage()
        try:
            for text in wanted:
                hits[text] = tuple(_search(textpage, text, frame))
            numbered = _PAGE_NUMBER.search(textpage.get_text_range()) is not None
        finally:
            textpage.close()
        return PageScan(index=index, width=width, height=height, origin=(left, bottom),
                        rotation=page.get_rotation(), ink=tuple(ink), rules=tuple(rules),
                        hits=hits, numbered=numbered)
    finally:
        page.close()


def _objects(page: pdfium.PdfPage) -> Iterator[tuple[int, tuple[float, float, float, float]]]:
    """The type and bounds (left, bottom, right, top) of each of the page's top-level
    objects, as ``page.get_objects(max_depth=0)`` and ``get_bounds`` give them, by
    PDFium's own calls (an Arabic page has hundreds: the helper objects were half of
    scanning it)."""
    raw = page.raw
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = (ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    count = pdfium_c.FPDFPage_CountObjects(raw)
    if count < 0:
        raise pdfium.PdfiumError("Failed to get number of pageobjects.")
    for i in range(count):
        obj = pdfium_c.FPDFPage_GetObject(raw, i)
        if not obj:
            raise pdfium.PdfiumError("Failed to get pageobject.")
        if not pdfium_c.FPDFPageObj_GetBounds(obj, *refs):
            raise pdfium.PdfiumError("Failed to locate pageobject.")
        yield (pdfium_c.FPDFPageObj_GetType(obj),
               (left.value, bottom.value, right.value, top.value))


@dataclass(frozen=True)
class _Frame:
    """Converts PDFium's coordinates (y upwards from the media box) to ours."""

    left: float
    top: float

    def box(self, x0: float, y0: float, x1: float, y1: float) -> Box:
        return Box(x0 - self.left, self.top - y1, x1 - self.left, self.top - y0)

    def y(self, y: float) -> float:
        return self.top - y


def _search(textpage: pdfium.PdfTextPage, text: str, frame: _Frame) -> Iterator[TextHit]:
    searcher = textpage.search(text, match_case=True)
    try:
        while (found := searcher.get_next()) is not None:
            start, count = found
            boxes = [frame.box(*textpage.get_charbox(i)) for i in range(start, start + count)]
            baseline = _baseline(textpage, start, frame)
            size = pdfium_c.FPDFText_GetFontSize(textpage.raw, start)
            glyphs = Box(min(b.x0 for b in boxes), min(b.top for b in boxes),
                         max(b.x1 for b in boxes), max(max(b.bottom for b in boxes), baseline))
            yield TextHit(text, glyphs, baseline, size,
                          _underscores(textpage, start + count, baseline, frame))
    finally:
        searcher.close()


def _baseline(textpage: pdfium.PdfTextPage, index: int, frame: _Frame) -> float:
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y))
    return frame.y(y.value)


def _underscores(textpage: pdfium.PdfTextPage, index: int, baseline: float,
                 frame: _Frame) -> Box | None:
    """A fill-in line typed as underscores after the text (``Signature: ________``)."""
    total = textpage.count_chars()
    while index < total and textpage.get_text_range(index, 1) in (" ", "\t", "\xa0"):
        index += 1
    boxes = []
    while index < total and textpage.get_text_range(index, 1) == "_":
        box = frame.box(*textpage.get_charbox(index))
        if abs(box.bottom - baseline) > 4:
            break
        boxes.append(box)
        index += 1
    if len(boxes) < 3:
        return None
    return Box(boxes[0].x0, min(b.top for b in boxes), boxes[-1].x1,
               max(b.bottom for b in boxes))

"""The pages stamping draws: an fpdf2 document with the record's typography.

One :class:`RecordPdf` holds both kinds of page stamping makes: the pages appended to
the plan (acknowledgement, comments, certificate), laid out top to bottom with running
page breaks, and one overlay per page of the final document (stamps, footer), drawn
last, when every page number is known, and later merged onto its page. Drawing them
in one document lets them share one subset of each font.

Text is wrapped here rather than by fpdf2's ``multi_cell``, whose line breaking
measures a line again for every character added to it (quadratic in the line's
length); measuring each word once makes laying out a certificate several times faster.
A line is drawn with fpdf2's plain ``text`` when the current font has all its
characters and it needs no shaping, else with ``cell``, which shapes, orders
right-to-left runs and falls back to other fonts.

People's text only ever goes through these helpers, which draw it as text: no
markdown, no HTML, and no fpdf2 page-number alias.

Every piece of text drawn is tagged for screen readers (see :mod:`.tagging`): it goes
into the structure element that is open (:meth:`RecordPdf.element`; :meth:`para` opens a
paragraph of its own by default), and what is page furniture (running header and
footer, rules, lines) is marked as an artifact.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fpdf import FPDF
from fpdf.bidi import auto_detect_base_direction
from fpdf.enums import TextDirection
from fpdf.fonts import TTFFont

from docgen.stamp.embedding import RecordOutput
from docgen.stamp.fonts import DocumentFonts, is_shared
from docgen.stamp.shaped import ShapedLines
from docgen.stamp.tagging import Element, Marked
from docgen.stamp.wording import ENGLISH, RecordWords
from docgen.stamp.writing import is_rtl, needs_shaping

Color = tuple[int, int, int]

# The colours of plansign's Word templates, so appended pages look like the plan's own.
INK: Color = (38, 38, 38)
MUTED: Color = (96, 96, 96)
HEADING: Color = (31, 56, 100)
RULE: Color = (169, 183, 204)
CONFIDENTIAL: Color = (156, 42, 42)
SIGNATURE_INK: Color = (22, 45, 125)
DECISION_COLORS: dict[str, Color] = {
    "acknowledged": (30, 100, 55),
    "confirmed": (30, 100, 55),
    "refused": (156, 42, 42),
    "declined": (156, 42, 42),
    "no_response": (96, 96, 96),
}

BODY = 9.5
_SUBHEADING_SIZE = 10.5
_SUBHEADING_LEADING = 1.3
_SUBHEADING_ABOVE = 4.0
_SUBHEADING_BELOW = 3.0
SMALL = 8.0
LEADING = 1.4  # line height, as a multiple of the font size

# Break opportunities: after spaces, and around every CJK character (those scripts
# use no spaces); closing punctuation stays with the character before it.
_CJK = ("\u2e80-\u2fff\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
        "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef")
_CLOSING = "、。，．：；！？）」』】〕〉》”’"
# A line may break at a space, never at a no-break one: "5:00 م CET" keeps its zone with
# its time (docgen.languages.clock_in_zone), French "Date :" its colon with its word.
_NO_BREAK = "\u00a0\u2007\u202f"
_SPACE = rf"[^\S{_NO_BREAK}]"
_TOKENS = re.compile(rf"[{_CJK}][{_CLOSING}]*{_SPACE}*|(?:[^\s{_CJK}]|[{_NO_BREAK}])+{_SPACE}*"
                     rf"|{_SPACE}+")
# The mark that gives a line its paragraph's direction (RLM, LRM).
_DIRECTION_MARK = {TextDirection.RTL: "\u200f", TextDirection.LTR: "\u200e"}

# Structure types that hold text directly; text drawn while another kind (a section, a
# table row) is the innermost open element gets a paragraph of its own.
_TEXT_TYPES = frozenset({"P", "H1", "H2", "H3", "TH", "TD", "Lbl", "LBody", "Span"})


@dataclass(frozen=True)
class Frame:
    """The page size and margins of appended pages."""

    width: float
    height: float
    left: float
    right: float  # margin, from the right edge
    top: float = 64.0
    bottom: float = 62.0  # room for the running footer and the record's footer below it

    @property
    def text_width(self) -> float:
        return self.width - self.left - self.right


class RecordPdf(FPDF):
    """fpdf2 with the record's fonts, margins, running header and text helpers."""

    def __init__(self, fonts: DocumentFonts, frame: Frame, *, company: str,
                 running_footer: str, words: RecordWords = ENGLISH) -> None:
        super().__init__(unit="pt", format=(frame.width, frame.height))
        # fpdf2 replaces "{nb}" in any text with the page count: never in people's text.
        self.str_alias_nb_pages = ""
        self.frame = frame
        self.company = company
        self.running_footer = running_footer
        self.words = words  # the record's fixed words (the header's) in its language
        # A right-to-left record is laid out mirrored. Each paragraph's direction is
        # still its own (its first strong letter's): forcing HarfBuzz's direction on a
        # line that mixes scripts shapes its Latin runs backwards and fpdf2 then maps
        # their glyphs to the wrong characters; the record's Arabic words begin with an
        # Arabic word, so they read right to left anyway.
        self.rtl = words.rtl
        self.section: str | None = None  # named again at the top of its next pages
        self._section_page = 0
        self._first_overlay: int | None = None
        # The tags: the appended pages' content, and the stamps drawn on the overlays.
        self.pages_structure = Element("Sect")
        self.overlays_structure = Element("Sect")
        self._open: list[Element] = [self.pages_structure]
        self._mcids: dict[int, int] = {}
        self._furniture = 0  # > 0 while drawing what readers skip
        # Words measured, by font and size: a record's words recur (labels, names).
        self._widths: dict[tuple[str, float, str], float] = {}
        self._shaped = ShapedLines(self)  # this document's own: see .shaped
        self._fallback_for: dict[tuple[str, str], str | None] = {}
        fonts.register(self)
        self.set_margins(frame.left, frame.top, frame.right)
        # Page breaks are taken by the helpers below, which know what belongs together.
        self.set_auto_page_break(False)
        self.c_margin = 0
        self.set_creator("plansign")
        self.set_font("sans", "", BODY)

    def output(self, *args: Any, **kwargs: Any) -> Any:
        """fpdf2's output, its fonts embedded by :class:`.embedding.RecordOutput`; then
        what was remembered to draw the text is let go at once (fpdf2's document refers
        to itself, so it is freed only when Python's cycle collector runs, and the
        shaped lines would wait with it)."""
        producer = kwargs.setdefault("output_producer_class", RecordOutput)
        if not issubclass(producer, RecordOutput) and any(map(is_shared, self.fonts.values())):
            raise ValueError("a document with fonts shared by documents is written by "
                             "RecordOutput (see docgen.stamp.fonts.is_shared)")
        result = super().output(*args, **kwargs)
        self._shaped = ShapedLines(self)
        self._fallback_for.clear()
        return result

    # -- page furniture -------------------------------------------------------------------

    def start_overlays(self) -> None:
        """Pages added from now on are overlays: no header or footer."""
        self._first_overlay = self.page + 1
        self._open = [self.overlays_structure]

    # -- tags -----------------------------------------------------------------------------

    @contextmanager
    def element(self, kind: str, title: str | None = None) -> Iterator[Element]:
        """Text drawn inside the block belongs to a new structure element of ``kind``
        (P, H1, Table, TD...), a kid of the element open around it."""
        element = Element(kind, title=title)
        self._open[-1].kids.append(element)
        self._open.append(element)
        try:
            yield element
        finally:
            self._open.pop()

    @contextmanager
    def furniture(self) -> Iterator[None]:
        """What is drawn inside the block is marked as an artifact: readers skip it."""
        self._furniture += 1
        try:
            yield
        finally:
            self._furniture -= 1

    @contextmanager
    def _marked(self) -> Iterator[None]:
        """One marked-content sequence around what the block draws, in the open element
        (or an artifact, for furniture)."""
        if self._furniture:
            self._out("/Artifact BMC")
            yield
            self._out("EMC")
            return
        if self._open[-1].type not in _TEXT_TYPES:
            with self.element("P"), self._marked():
                yield
            return
        element = self._open[-1]
        mcid = self._mcids.get(self.page, 0)
        self._mcids[self.page] = mcid + 1
        self._out(f"/{element.type} <</MCID {mcid}>> BDC")
        yield
        self._out("EMC")
        element.kids.append(Marked(self.page, mcid))

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        # Rules and signature lines are drawing, not content: artifacts.
        self._out("/Artifact BMC")
        super().line(x1, y1, x2, y2)
        self._out("EMC")

    def _is_overlay(self) -> bool:
        return self._first_overlay is not None and self.page >= self._first_overlay

    def new_section(self, title: str) -> None:
        """A new page that begins a section called ``title``."""
        self.section = None
        self.add_page()
        self.section, self._section_page = title, self.page

    def header(self) -> None:
        if self._is_overlay():
            return
        with self.furniture():
            self._header()

    def _header(self) -> None:
        f = self.frame
        self.set_font("sans", "B", 8.5)
        # Mirrored in a right-to-left record: the company where a reader starts.
        start, end = (f.width - f.right, "R"), (f.left, "L")
        if not self.rtl:
            start, end = end, start
        self.put(start[0], 36.0, self.company, color=HEADING, align=start[1])
        self.put(end[0], 36.0, self.words._("Confidential"), color=CONFIDENTIAL,
                 align=end[1])
        self._hline(43.5, RULE, 0.5)
        self.set_xy(f.left, f.top)
        if self.section and self.page > self._section_page:
            self.set_font("sans", "", SMALL)
            self.put(start[0], f.top - 6,
                     self.words._("%(section)s (continued)", section=self.section),
                     color=MUTED, align=start[1])
            self.set_y(f.top + 6)

    def footer(self) -> None:
        if self._is_overlay():
            return
        with self.furniture():
            self._footer()

    def _footer(self) -> None:
        f = self.frame
        self._hline(f.height - 43.0, RULE, 0.5)
        self.set_font("sans", "", 7.5)
        x, align = (f.width - f.right, "R") if self.rtl else (f.left, "L")
        self.put(x, f.height - 32.0, self.running_footer, color=MUTED, align=align)

    # -- text -----------------------------------------------------------------------------

    def put(self, x: float, baseline: float, text: str, *, color: Color = INK,
            align: str = "L") -> float:
        """Draw one line of text in the current font with its baseline at ``baseline``;
        ``align`` says whether ``x`` is its left end, its middle ("C") or its right end
        ("R"). Returns its width."""
        fast = self._plain(text)
        shaped = None if fast or not self._shaped.usable() else self._shaped.line(text)
        width = shaped.width if shaped is not None else self.get_string_width(text)
        left = {"R": x - width, "C": x - width / 2}.get(align, x)
        self.set_text_color(*color)
        with self._marked():
            if fast:
                self.text(left, baseline, text)
            elif shaped is not None:
                # Shaped and ordered once per document (see .shaped), placed here; the
                # position left where fpdf2's cell left it, as the layout has always
                # followed it (a shaped line moves the next one down by its leading).
                self._shaped.draw(shaped, left, baseline)
                self.set_xy(left + width, baseline - 0.8 * self.font_size)
            else:
                size = self.font_size
                # fpdf2 puts a cell's baseline at half its height plus 0.3 of the font
                # size.
                self.set_xy(left, baseline - 0.8 * size)
                # A shaped line that falls back to another font (Arabic in a Latin face)
                # can leave the page's font state on the fallback while fpdf2 takes it
                # for the current font: the next line's Latin letters were then drawn
                # with the fallback's glyph numbers (garbled). Set it before and after.
                self._emit_font()
                self.cell(width, size, text, align="R" if is_rtl(text) else "L")
                self._emit_font()
        return width

    def _emit_font(self) -> None:
        font = self.current_font
        if font is not None and self.page > 0:
            self._out(f"BT /F{font.i} {self.font_size_pt:.2f} Tf ET")

    def get_string_width(self, s: str, normalized: bool = False,
                         markdown: bool = False) -> float:
        """fpdf2's width of ``s``, worked out directly for text the current font has all
        of and that needs no shaping: the sum of its glyphs' advance widths, which is
        what fpdf2 computes too, after building text fragments and copying the graphics
        state for every call (most of the time a long record takes to lay out)."""
        font = self.current_font
        if (markdown or not isinstance(font, TTFFont) or self.char_spacing
                or self.font_stretching != 100):
            return super().get_string_width(s, normalized, markdown)
        size = self.font_size_pt
        if self.text_shaping:
            # Shaped (Arabic, a decomposed accent): fpdf2 runs the bidi algorithm and
            # HarfBuzz for each call; a record in Arabic measures the same words again
            # and again (labels, names, each word of a line being wrapped).
            if self._shaped.usable():
                return self._shaped.width(s)
            return super().get_string_width(s, normalized)
        key = (font.fontkey, size, s)
        width = self._widths.get(key)
        if width is None:
            if not all(ord(c) in font.cmap for c in s):
                return super().get_string_width(s, normalized, markdown)
            widths = font.cw
            width = self._widths[key] = sum(widths[ord(c)] for c in s) * size * 0.001 / self.k
        font.biggest_size_pt = max(font.biggest_size_pt, size)
        return width

    def set_fallback_fonts(self, fallback_fonts: Sequence[str],
                           exact_match: bool = True) -> None:
        super().set_fallback_fonts(fallback_fonts, exact_match)
        self._fallback_for.clear()

    def get_fallback_font(self, char: str, style: str = "") -> str | None:
        """fpdf2's choice of fallback font for ``char``, remembered: fpdf2 asks for every
        character the current font lacks (each letter of an Arabic line), going through
        every fallback font each time."""
        key = (char, style)
        if key not in self._fallback_for:
            self._fallback_for[key] = super().get_fallback_font(char, style)
        return self._fallback_for[key]

    def measure(self, text: str, family: str, style: str, size: float) -> float:
        """The width ``text`` takes in the given font, in points."""
        self.set_font(family, style, size)
        self.shaping_for(text)
        return self.get_string_width(text)

    def para(self, text: str, *, size: float = BODY, style: str = "", color: Color = INK,
             indent: float = 0.0, width: float | None = None, leading: float = LEADING,
             family: str = "sans", space_after: float | None = None,
             tag: str | None = "P") -> None:
        """Draw ``text`` wrapped to the text width (less ``indent``), from the current
        position down, one paragraph per line of it, turning pages as needed.

        Each paragraph gets its own direction: an Arabic paragraph is set right-aligned,
        a Latin one left-aligned, as a reader of each expects. A right-to-left record
        is mirrored: every paragraph is right-aligned, and ``indent`` is taken from the
        right. Each is a structure element of type ``tag``; with None its text goes
        into the element open around it.
        """
        self.set_font(family, style, size)
        height = size * leading
        width = width if width is not None else self.frame.text_width - indent
        left = self.frame.left + indent
        if self.rtl:  # the indent is on the right: the paragraph ends that far in
            left = self.frame.left + self.frame.text_width - indent - width
        for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            paragraph = paragraph.replace("\t", "    ")
            with self._maybe_element(tag if paragraph.strip() else None):
                self._lines(paragraph, family, style, size, height, leading, left, width,
                            color)
        self.ln(size * 0.5 if space_after is None else space_after)

    def _lines(self, paragraph: str, family: str, style: str, size: float, height: float,
               leading: float, left: float, width: float, color: Color) -> None:
        rtl = self.rtl or is_rtl(paragraph)
        for line in self.wrap(paragraph, width) or [""]:
            if self.keep(height):
                self.set_font(family, style, size)
            baseline = self.get_y() + 0.8 * size + (leading - 1) * size / 2
            if line:
                self.put(left + width if rtl else left, baseline, line, color=color,
                         align="R" if rtl else "L")
            self.set_xy(self.frame.left, self.get_y() + height)

    @contextmanager
    def _maybe_element(self, kind: str | None) -> Iterator[None]:
        if kind is None:
            yield
            return
        with self.element(kind):
            yield

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` broken into lines no wider than ``width`` in the current font."""
        self.shaping_for(text)
        # Most lines fit: one measurement of the whole, not one per word (for a shaped
        # line, the same measurement drawing it then reuses). Widths add up, so a text
        # that fits whole is what the word-by-word loop below would give too.
        if self.get_string_width(text) <= width:
            return [text.rstrip()] if text.strip() else []
        return _in_paragraph_direction(text, self._wrapped(text, width))

    def _wrapped(self, text: str, width: float) -> list[str]:
        lines: list[str] = []
        line, line_width = "", 0.0
        for token in _TOKENS.findall(text):
            word = token.rstrip()
            word_width = self.get_string_width(word) if word else 0.0
            if line and line_width + word_width > width:
                lines.append(line.rstrip())
                line, line_width = "", 0.0
                if not word:
                    continue  # spaces at a line break are not drawn
            if word_width > width:
                # A word longer than a line (a URL, a long number): broken anywhere.
                for char in token:
                    char_width = self.get_string_width(char)
                    if line and line_width + char_width > width:
                        lines.append(line.rstrip())
                        line, line_width = "", 0.0
                    line += char
                    line_width += char_width
                continue
            line += token
            line_width += word_width + (self.get_string_width(token[len(word):])
                                        if len(token) > len(word) else 0.0)
        if line.strip():
            lines.append(line.rstrip())
        return lines

    def shaping_for(self, text: str) -> None:
        wanted = needs_shaping(text)
        if wanted != bool(self.text_shaping):
            self.set_text_shaping(wanted)

    def _plain(self, text: str) -> bool:
        """True if fpdf2's fast ``text`` can draw this: one font has it all, no shaping."""
        self.shaping_for(text)
        if self.text_shaping:
            return False
        font = self.current_font
        if not isinstance(font, TTFFont):  # every font registered here is a TrueType file
            return False
        return all(ord(c) in font.cmap for c in text)

    # -- blocks ---------------------------------------------------------------------------

    def heading(self, text: str, *, size: float = 15.0) -> None:
        """A section heading with a rule under it, as in the plan's own sections."""
        self.keep(size * 4)
        self.para(text, size=size, style="B", color=HEADING, leading=1.25, space_after=2,
                  tag="H1")
        self._hline(self.get_y(), RULE, 0.75)
        self.ln(8)

    def subheading(self, text: str) -> None:
        self.keep(60)
        self.ln(_SUBHEADING_ABOVE)
        self.para(text, size=_SUBHEADING_SIZE, style="B", color=HEADING,
                  leading=_SUBHEADING_LEADING, space_after=_SUBHEADING_BELOW, tag="H2")

    def subheading_height(self, text: str) -> float:
        """The height :meth:`subheading` takes for ``text``, gaps included."""
        self.set_font("sans", "B", _SUBHEADING_SIZE)
        lines = max(1, len(self.wrap(text, self.frame.text_width)))
        return (_SUBHEADING_ABOVE + lines * _SUBHEADING_SIZE * _SUBHEADING_LEADING
                + _SUBHEADING_BELOW)

    def label(self, text: str) -> None:
        """A small grey label over the value it names."""
        self.keep(40)  # never alone at the bottom of a page
        self.para(text, size=SMALL, color=MUTED, leading=1.3, space_after=1)

    def quote(self, text: str, *, size: float = BODY) -> None:
        """People's words, verbatim, set off by a bar on the left."""
        self.keep(size * LEADING)
        page, top = self.page, self.get_y()
        with self.element("BlockQuote"):
            self.para(text, size=size, indent=12, space_after=0)
        # A quote that runs over a page break gets its bar on the page where it ends.
        start = top if self.page == page else self.frame.top
        bar = self.frame.width - self.frame.right - 3 if self.rtl else self.frame.left + 3
        self._vline(bar, start + 1, self.get_y() - 1, RULE, 1.5)
        self.ln(size * 0.6)

    def wrapped_table(self, widths: Sequence[float], header: Sequence[str],
              rows: Sequence[Sequence[str]], *, size: float = 7.5) -> None:
        """Rows of wrapped cells; the header row is repeated on a new page."""
        leading, pad = size * 1.3, 2.5
        total = sum(widths)
        scale = self.frame.text_width / total
        widths = [w * scale for w in widths]

        def row(cells: Sequence[str], style: str, color: Color, cell_type: str) -> None:
            self.set_font("sans", style, size)
            wrapped = [self.wrap(text, w - 6) or [""]
                       for text, w in zip(cells, widths, strict=True)]
            height = max(len(lines) for lines in wrapped) * leading + 2 * pad
            if self.keep(height):
                # The header again on the new page, for the eye: readers have it once.
                with self.furniture():
                    row(header, "B", MUTED, "TH")
                self.set_font("sans", style, size)
            top = self.get_y()
            # Columns from the right in a right-to-left record, each line at its
            # cell's right end.
            x = self.frame.width - self.frame.right if self.rtl else self.frame.left
            with self.element("TR"):
                for lines, w in zip(wrapped, widths, strict=True):
                    with self.element(cell_type):
                        for i, line in enumerate(lines):
                            self.put(x, top + pad + i * leading + 0.8 * size + 0.1 * size,
                                     line, color=color, align="R" if self.rtl else "L")
                    x += -w if self.rtl else w
            self.set_y(top + height)
            self._hline(self.get_y(), RULE, 0.4)

        with self.element("Table"):
            row(header, "B", MUTED, "TH")
            for cells in rows:
                row(cells, "", INK, "TD")

    def keep(self, height: float) -> bool:
        """Start a new page unless ``height`` points still fit on this one; True if it did."""
        if self.get_y() + height > self.frame.height - self.frame.bottom:
            self.add_page()
            return True
        return False

    def rule(self, *, gap: float = 8.0) -> None:
        self.ln(gap / 2)
        self._hline(self.get_y(), RULE, 0.5)
        self.ln(gap / 2)

    def _hline(self, y: float, color: Color, width: float) -> None:
        self.set_draw_color(*color)
        self.set_line_width(width)
        self.line(self.frame.left, y, self.frame.width - self.frame.right, y)

    def _vline(self, x: float, top: float, bottom: float, color: Color, width: float) -> None:
        self.set_draw_color(*color)
        self.set_line_width(width)
        self.line(x, top, x, bottom)


def _in_paragraph_direction(paragraph: str, lines: list[str]) -> list[str]:
    """``lines`` (``paragraph`` wrapped), each drawn in the paragraph's direction. A
    line is drawn on its own, and fpdf2 gives it the direction of its first strong
    letter outside an isolate: the second line of an Arabic sentence that begins with
    "UTC)" (a Latin name, an isolated zone) would be set left to right, its bracket on
    the wrong side. Such a line begins with the paragraph's direction mark (invisible,
    zero width; RLM in Arabic)."""
    if len(lines) < 2 or paragraph.isascii():
        return lines
    direction = auto_detect_base_direction(paragraph)
    mark = _DIRECTION_MARK[direction]
    return [line if n == 0 or auto_detect_base_direction(line) == direction else mark + line
            for n, line in enumerate(lines)]

"""Shaped lines (Arabic, a decomposed accent): ordered and shaped once per document.

fpdf2 (2.8) draws a line that needs shaping with ``cell``, which runs the Unicode bidi
algorithm over it, splits it into fragments by fallback font, and shapes every fragment
with HarfBuzz three times (to measure it, to place it, and to draw it); its
``get_string_width`` does the bidi pass and the shaping once more. A record in Arabic
shapes nearly every line it draws, and the same lines recur (labels, names, dates), so
that was most of the time an Arabic record took.

Here each distinct line (font, size, text) is ordered and cut into fragments once per
document, and the text operators that draw it (which glyphs, in which font, where) are
made once, with the line's baseline starting at the origin. Drawing it again anywhere
is that run of operators placed by a translation (``q 1 0 0 1 x y cm ... Q``), which
leaves the page's graphics and text state as it was. The operators are fpdf2's own
(``Fragment.render_with_text_shaping``), so a reader sees what ``cell`` draws, and text
extracts in logical order as before.

A run is only valid in the document it was made in: the glyph numbers in it are
positions in that document's font subsets, which fpdf2 fills as glyphs are first used.
So the cache belongs to one FPDF instance and is never shared.

This is the one module that uses fpdf2's internals (``_preload_bidirectional_text``,
``_resource_catalog``, :class:`fpdf.line_break.TextLine` and ``Fragment``);
``tests/docgen/stamp/test_stamp_shaped.py`` checks that what it draws is what fpdf2's
``cell`` draws (the same text extracted, the same pixels), so a change in fpdf2's
behaviour fails there rather than in a record.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import Align, PDFResourceType, TextDirection
from fpdf.fonts import TTFFont
from fpdf.line_break import Fragment, TextLine


@dataclass(frozen=True)
class ShapedLine:
    """One line, shaped and in reading order, ready to be placed."""

    width: float  # in the document's unit
    fonts: tuple[int, ...]  # fpdf2's font numbers (/F1...) the run uses
    run: str  # text operators drawing the line, its baseline's left end at the origin


_Key = tuple[str, float, str, object]

# Bidi classes of a text the Unicode bidi algorithm leaves in one run at the paragraph's
# level: with no strong letter of the other direction, no numbers that would be raised a
# level (Arabic digits; European ones in right-to-left text), and no explicit embeddings
# or isolates, every neutral and weak character takes the paragraph's direction. Most
# words measured for wrapping, and many whole lines, are such texts.
_ONE_RUN_RTL = frozenset({"R", "AL", "NSM", "ON", "CS", "ES", "ET", "WS"})
_ONE_RUN_LTR = frozenset({"L", "EN", "NSM", "ON", "CS", "ES", "ET", "WS"})


def one_run(text: str) -> TextDirection | None:
    """The direction of ``text`` if the bidi algorithm gives it as one run in the
    direction of its first strong letter (left to right without one), else None."""
    classes = {unicodedata.bidirectional(char) for char in text}
    if "R" in classes or "AL" in classes:
        return TextDirection.RTL if classes <= _ONE_RUN_RTL else None
    return TextDirection.LTR if classes <= _ONE_RUN_LTR else None


class ShapedLines:
    """The shaped lines and widths of one document, by font, size and text."""

    def __init__(self, pdf: FPDF) -> None:
        self._pdf = pdf
        self._fragments: dict[_Key, tuple[tuple[Fragment, ...], tuple[float, ...],
                                          float]] = {}
        self._lines: dict[_Key, ShapedLine] = {}

    def usable(self) -> bool:
        """True if the current settings are ones this module draws as fpdf2 does: a
        TrueType font, shaping on, no character spacing or stretching."""
        pdf = self._pdf
        return (bool(pdf.text_shaping) and isinstance(pdf.current_font, TTFFont)
                and not pdf.char_spacing and pdf.font_stretching == 100
                and not pdf.underline and not pdf.strikethrough)

    def width(self, text: str) -> float:
        """The width of ``text`` in the current font and size, shaped."""
        return self._ordered(text)[2]

    def line(self, text: str) -> ShapedLine:
        """``text`` in the current font and size, shaped and ordered."""
        key = self._key(text)
        line = self._lines.get(key)
        if line is None:
            fragments, widths, width = self._ordered(text)
            parts: list[str] = []
            fonts: list[int] = []
            x = 0.0
            current: tuple[int, float] | None = None
            for fragment, fragment_width in zip(fragments, widths, strict=True):
                font = fragment.font
                if (font.i, fragment.font_size_pt) != current:
                    current = (font.i, fragment.font_size_pt)
                    parts.append(f"/F{font.i} {fragment.font_size_pt:.2f} Tf")
                    if font.i not in fonts:
                        fonts.append(font.i)
                # fpdf2 gives the baseline's position from the page's top and the page's
                # height; 0 and 0 put it at the origin of the run's own space.
                rendered = fragment.render_with_text_shaping(x, 0.0, 0.0, 0.0)
                if rendered:
                    parts.append(rendered)
                x += fragment_width
            line = self._lines[key] = ShapedLine(width=width, fonts=tuple(fonts),
                                                 run=" ".join(parts))
        return line

    def draw(self, line: ShapedLine, left: float, baseline: float) -> None:
        """Draw ``line`` in the current text colour with its baseline's left end at
        (``left``, ``baseline``), from the page's top-left, in the document's unit."""
        pdf = self._pdf
        if not line.run:
            return
        for number in line.fonts:
            pdf._resource_catalog.add(PDFResourceType.FONT, number, pdf.page)
        color = pdf.text_color.serialize().lower()
        k = pdf.k
        pdf._out(f"q 1 0 0 1 {left * k:.2f} {(pdf.h - baseline) * k:.2f} cm {color} "
                 f"BT {line.run} ET Q")

    def _key(self, text: str) -> _Key:
        pdf = self._pdf
        font = pdf.current_font
        assert font is not None  # usable() was checked
        shaping = pdf.text_shaping
        options = (shaping["direction"], shaping["script"], shaping["language"],
                   tuple(sorted((shaping["features"] or {}).items()))) if shaping else None
        return (font.fontkey, pdf.font_size_pt, text, options)

    def _ordered(self, text: str) -> tuple[tuple[Fragment, ...], tuple[float, ...], float]:
        key = self._key(text)
        found = self._fragments.get(key)
        if found is None:
            pdf = self._pdf
            text = pdf.normalize_text(text)
            direction = one_run(text)
            if direction is None or pdf.text_shaping["direction"]:
                # What cell() does: the bidi algorithm and the fallback fonts give the
                # fragments in logical order.
                fragments = pdf._preload_bidirectional_text(text, False)
            else:
                # What _preload_bidirectional_text gives for a text in one run, without
                # running the bidi algorithm over it.
                pdf.text_shaping["paragraph_direction"] = direction
                pdf.text_shaping["fragment_direction"] = direction
                fragments = pdf._preload_font_styles(text, False)
            # TextLine puts them in the order they are drawn, as cell() does.
            ordered = tuple(TextLine(fragments, text_width=0, number_of_spaces=0,
                                     align=Align.L, height=pdf.font_size,
                                     max_width=None).get_ordered_fragments())
            widths = tuple(fragment.get_width() for fragment in ordered)
            found = self._fragments[key] = (ordered, widths, sum(widths))
        return found

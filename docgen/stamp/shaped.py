"""Shaped lines (Arabic, a decomposed accent): ordered and shaped once per document.

fpdf2 (2.8) draws a line that needs shaping with ``cell``, which runs the Unicode bidi
algorithm over it, splits it into fragments by fallback font, and shapes every fragment
with HarfBuzz three times (to measure it, to place it, and to draw it); its
``get_string_width`` does the bidi pass and the shaping once more. A record in Arabic
shapes nearly every line it draws, and the same lines recur (labels, names, dates), so
that was most of the time an Arabic record took.

Here each distinct line (font, size, text) is ordered and cut into fragments once per
document, each distinct fragment (in Arabic, a word) is measured and turned into text
operators (which glyphs, in which font, where) once per document, and a line's operators
are put together once, with the line's baseline starting at the origin. Drawing it anywhere is that
run of operators with its few absolute moves (a mark placed on its letter) shifted to
the line's place, in a ``q ... Q`` that leaves the page's graphics and text state as it
was. The operators are fpdf2's own (``Fragment.render_with_text_shaping``) and absolute
as fpdf2 writes them, so a reader sees what ``cell`` draws, and text extracts (pdftotext,
pypdf) in logical order as before.

A run is only valid in the document it was made in: the glyph numbers in it are
positions in that document's font subsets, which fpdf2 fills as glyphs are first used.
So the cache belongs to one FPDF instance and is never shared.

This is the one module that uses fpdf2's internals (``_preload_bidirectional_text``,
``_preload_font_styles``, whose cutting by font :meth:`ShapedLines._font_fragments`
repeats, ``_get_current_graphics_state``, ``_resource_catalog``, ``_out``,
:class:`fpdf.line_break.TextLine` and ``Fragment``); with :mod:`.bidiruns`, which repeats
fpdf2's bidi rules. ``tests/docgen/stamp/test_stamp_shaped.py`` checks that what it
draws is what fpdf2's ``cell`` draws (the same text extracted by pdftotext and pypdf, the
same pixels but for the shading of a few glyph edges), and that its runs, fragments and
widths are fpdf2's on random texts, so a change in fpdf2's behaviour fails there rather
than in a record.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from fpdf import FPDF
from fpdf.bidi import BidiParagraph, auto_detect_base_direction
from fpdf.enums import Align, PDFResourceType
from fpdf.fonts import TTFFont
from fpdf.graphics_state import GraphicsState
from fpdf.line_break import Fragment, TextLine
from fpdf.unicode_script import UnicodeScript, get_unicode_script

from docgen.stamp.bidiruns import bidi_runs


class ShapedLine(NamedTuple):
    """One line, shaped and in reading order, ready to be placed. (A tuple of strings
    and numbers, as every key and value remembered here is: Python's cycle collector
    stops looking at those, and a document remembers thousands.)"""

    width: float  # in the document's unit
    fonts: tuple[int, ...]  # fpdf2's font numbers (/F1...) the run uses
    # Text operators drawing the line, its baseline's left end at the origin: the pieces
    # between its moves (text matrices set to a point, in points, from that origin).
    pieces: tuple[str, ...]
    moves: tuple[tuple[float, float], ...]


_Key = tuple[str, float, str, object]
_RECENT = 16  # texts whose fragments are kept
_FragmentKey = tuple[int, float, str, object]
_Run = tuple[tuple[str, ...], tuple[tuple[float, float], ...]]  # pieces, moves between them

# fpdf2 places a glyph that is not where the previous one's advance leaves it (a mark on
# its letter, a kerned pair) by setting the text matrix to a point on the page.
_MOVE = re.compile(r"1 0 0 1 (-?\d+\.\d+) (-?\d+\.\d+) Tm")


class ShapedLines:
    """The shaped lines and widths of one document, by font, size and text."""

    def __init__(self, pdf: FPDF) -> None:
        self._pdf = pdf
        # The fragments of the texts measured last: a line is drawn just after it is
        # measured (to wrap it). Not all of them, being objects the cycle collector
        # would go through again and again.
        self._fragments: dict[_Key, tuple[tuple[Fragment, ...], tuple[float, ...],
                                          float]] = {}
        self._lines: dict[_Key, ShapedLine] = {}
        self._widths: dict[_Key, float] = {}
        # Each fragment (a word, most often, in Arabic: the spaces between words are in
        # another font) measured and rendered once, wherever it recurs.
        self._fragment_widths: dict[_FragmentKey, float] = {}
        self._fragment_runs: dict[_FragmentKey, _Run] = {}

    def usable(self) -> bool:
        """True if the current settings are ones this module draws as fpdf2 does: a
        TrueType font, shaping on, no character spacing or stretching."""
        pdf = self._pdf
        return (bool(pdf.text_shaping) and isinstance(pdf.current_font, TTFFont)
                and not pdf.char_spacing and pdf.font_stretching == 100
                and not pdf.underline and not pdf.strikethrough)

    def width(self, text: str) -> float:
        """The width of ``text`` in the current font and size, shaped."""
        key = self._key(text)
        width = self._widths.get(key)
        if width is None:
            width = self._one_font_width(text)
            if width is None:
                return self._ordered(text)[2]
            self._widths[key] = width
        return width

    def _one_font_width(self, text: str) -> float | None:
        """The width of a text (most often a word being wrapped) that fpdf2 would make
        one fragment of: in one bidi run, one font and one script. Measured as fpdf2's
        fragment measures itself, without making the fragment (copies of the graphics
        state, a pass over each character). None for any other text."""
        pdf = self._pdf
        text = pdf.normalize_text(text)
        runs = bidi_runs(text)
        shaping = pdf.text_shaping
        assert shaping is not None  # usable() was checked
        if runs is None or len(runs) != 1 or shaping["direction"]:
            return None
        direction = runs[0][1]
        scripts = {get_unicode_script(char) for char in text}
        if len(scripts - {UnicodeScript.COMMON, UnicodeScript.UNKNOWN}) > 1:
            return None  # fpdf2 starts a fragment where the script changes
        font = pdf.current_font
        assert isinstance(font, TTFFont)  # usable() was checked
        if not all(ord(char) in font.cmap for char in text):
            if any(ord(char) in font.cmap for char in text):
                return None
            style = ("B" if "B" in pdf.font_style else "") + ("I" if "I" in pdf.font_style
                                                                else "")
            fallbacks = {pdf.get_fallback_font(char, style) for char in text}
            if len(fallbacks) != 1:
                return None
            name = fallbacks.pop()
            if name is None:
                return None
            fallback = pdf.fonts[name]
            assert isinstance(fallback, TTFFont)  # every font registered is a file
            font = fallback
        fragment_shaping = dict(shaping, paragraph_direction=direction,
                                fragment_direction=direction)
        key = (font.i, pdf.font_size_pt, text, _options(fragment_shaping))
        width = self._fragment_widths.get(key)
        if width is None:
            width = self._fragment_widths[key] = font.get_text_width(
                text, pdf.font_size_pt, fragment_shaping)[1] / pdf.k
        return width

    def line(self, text: str) -> ShapedLine:
        """``text`` in the current font and size, shaped and ordered."""
        key = self._key(text)
        line = self._lines.get(key)
        if line is None:
            fragments, widths, width = self._ordered(text)
            pieces = [""]
            moves: list[tuple[float, float]] = []
            fonts: list[int] = []
            x = 0.0
            current: tuple[int, float] | None = None
            for fragment, fragment_width in zip(fragments, widths, strict=True):
                font = fragment.font
                if (font.i, fragment.font_size_pt) != current:
                    current = (font.i, fragment.font_size_pt)
                    pieces[-1] += f" /F{font.i} {fragment.font_size_pt:.2f} Tf "
                    if font.i not in fonts:
                        fonts.append(font.i)
                run_pieces, run_moves = self._fragment_run(fragment)
                pieces[-1] += " " + run_pieces[0]
                for (dx, dy), piece in zip(run_moves, run_pieces[1:], strict=True):
                    moves.append((dx + x * self._pdf.k, dy))
                    pieces.append(piece)
                x += fragment_width
            line = self._lines[key] = ShapedLine(width=width, fonts=tuple(fonts),
                                                 pieces=tuple(pieces), moves=tuple(moves))
        return line

    def draw(self, line: ShapedLine, left: float, baseline: float) -> None:
        """Draw ``line`` in the current text colour with its baseline's left end at
        (``left``, ``baseline``), from the page's top-left, in the document's unit."""
        pdf = self._pdf
        if not "".join(line.pieces).strip():
            return
        for number in line.fonts:
            pdf._resource_catalog.add(PDFResourceType.FONT, number, pdf.page)
        k = pdf.k
        x, y = left * k, (pdf.h - baseline) * k
        run = [line.pieces[0]]
        for (dx, dy), piece in zip(line.moves, line.pieces[1:], strict=True):
            run.append(f"1 0 0 1 {x + dx:.2f} {y + dy:.2f} Tm{piece}")
        color = pdf.text_color
        assert color is not None  # fpdf2 always has one
        pdf._out(f"q {color.serialize().lower()} BT {x:.2f} {y:.2f} Td {''.join(run)} ET Q")

    def _key(self, text: str) -> _Key:
        pdf = self._pdf
        font = pdf.current_font
        assert font is not None  # usable() was checked
        shaping = pdf.text_shaping
        # Not the direction fpdf2 last set for a fragment: a line's own are worked out.
        return (font.fontkey, pdf.font_size_pt, text, _options(shaping, fragment=False))

    def _ordered(self, text: str) -> tuple[tuple[Fragment, ...], tuple[float, ...], float]:
        key = self._key(text)
        found = self._fragments.get(key)
        if found is None:
            pdf = self._pdf
            text = pdf.normalize_text(text)
            shaping = pdf.text_shaping
            assert shaping is not None  # usable() was checked
            # What cell() does (_preload_bidirectional_text): the text cut into runs of
            # one direction, each run cut into fragments by font, in logical order. The
            # runs worked out quickly (see .bidiruns), or by fpdf2's bidi algorithm for
            # a text that has brackets or explicit marks, or a direction forced.
            forced = shaping["direction"]
            runs = None if forced else bidi_runs(text)
            shaping["paragraph_direction"] = forced or auto_detect_base_direction(text)
            if runs is None:
                runs = BidiParagraph(text=text, base_direction=shaping["paragraph_direction"],
                                     preserve_bn_chars=True,
                                     alias=pdf.str_alias_nb_pages).get_bidi_fragments()
            fragments: list[Fragment] = []
            for run, direction in runs:
                shaping["fragment_direction"] = direction
                fragments.extend(self._font_fragments(run))
            # TextLine puts them in the order they are drawn, as cell() does.
            ordered = tuple(TextLine(fragments, text_width=0, number_of_spaces=0,
                                     align=Align.L, height=pdf.font_size,
                                     max_width=None).get_ordered_fragments())
            widths = tuple(self._fragment_width(fragment) for fragment in ordered)
            found = self._fragments[key] = (ordered, widths, sum(widths))
            self._widths[key] = found[2]
            if len(self._fragments) > _RECENT:
                del self._fragments[next(iter(self._fragments))]
        return found

    def _font_fragments(self, text: str) -> list[Fragment]:
        """``text`` (one direction run) cut into fragments by font, as fpdf2's
        ``_preload_font_styles`` cuts it (without markdown or a page-count alias): a new
        fragment where the font changes (a character the current font lacks goes to the
        fallback font fpdf2 chooses) and where the script changes. The fragments of one
        font share one copy of the graphics state, which fpdf2 copies for each."""
        pdf = self._pdf
        if pdf.str_alias_nb_pages or not text:
            return list(pdf._preload_font_styles(text, False))
        primary = pdf.current_font
        assert isinstance(primary, TTFFont)  # usable() was checked
        cmap = primary.cmap
        style = ("B" if "B" in pdf.font_style else "") + ("I" if "I" in pdf.font_style
                                                            else "")
        states: dict[str | None, GraphicsState] = {}
        fragments: list[Fragment] = []
        chars: list[str] = []
        fallback: str | None = None
        script: UnicodeScript | None = None

        def cut() -> None:
            nonlocal chars, fallback, script
            state = states.get(fallback)
            if state is None:
                state = states[fallback] = pdf._get_current_graphics_state()
                state.font_style = style
                state.strikethrough = bool(pdf.strikethrough)
                state.underline = bool(pdf.underline)
                if fallback is not None:
                    state.font_family = fallback.replace("B", "").replace("I", "")
                    state.font_style = "".join(c for c in fallback if c in "BI")
                    state.current_font = pdf.fonts[fallback]
            fragments.append(Fragment(chars, state, pdf.k))
            chars = []
            if fallback is not None:
                fallback = None
                script = None

        for char in text:
            char_script = get_unicode_script(char)
            if char_script not in (UnicodeScript.COMMON, UnicodeScript.UNKNOWN, script):
                if chars and script:
                    cut()
                script = char_script
            if char != "\n" and ord(char) not in cmap:
                other = pdf.get_fallback_font(char, style)
                if other:
                    if other != fallback:
                        if chars:
                            cut()
                        fallback = other
                    chars.append(char)
                    continue
            if fallback:
                if chars:
                    cut()
                fallback = None
            chars.append(char)
        if chars:
            cut()
        return fragments

    def _fragment_width(self, fragment: Fragment) -> float:
        key = _fragment_key(fragment)
        width = self._fragment_widths.get(key)
        if width is None:
            width = self._fragment_widths[key] = fragment.get_width()
        return width

    def _fragment_run(self, fragment: Fragment) -> _Run:
        """The operators drawing ``fragment``, its baseline's left end at the origin."""
        key = _fragment_key(fragment)
        run = self._fragment_runs.get(key)
        if run is None:
            # fpdf2 gives the baseline's position from the page's top and the page's
            # height; 0 and 0 put it at the origin.
            split = _MOVE.split(fragment.render_with_text_shaping(0.0, 0.0, 0.0, 0.0))
            run = self._fragment_runs[key] = (
                tuple(split[::3]),
                tuple((float(x), float(y)) for x, y in zip(split[1::3], split[2::3],
                                                           strict=True)))
        return run


def _options(shaping: dict[str, Any] | None, fragment: bool = True) -> object:
    """What of fpdf2's text shaping settings changes how a text is shaped (with the
    direction fpdf2 set for a fragment, or without it), as strings."""
    if not shaping:
        return None
    direction = shaping.get("fragment_direction") if fragment else None
    forced = shaping.get("direction")
    features = shaping.get("features")
    return (direction.value if direction else None, forced.value if forced else None,
            shaping.get("script"), shaping.get("language"),
            tuple(sorted(features.items())) if features else ())


def _fragment_key(fragment: Fragment) -> _FragmentKey:
    return (fragment.font.i, fragment.font_size_pt, fragment.string,
            _options(fragment.text_shaping_parameters))

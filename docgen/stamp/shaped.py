"""Shaped lines (Arabic, a decomposed accent): ordered and shaped once per document,
and, in the fonts documents share, once per process.

fpdf2 (2.8) draws a line that needs shaping with ``cell``, which runs the Unicode bidi
algorithm over it, splits it into fragments by fallback font, and shapes every fragment
with HarfBuzz three times (to measure it, to place it, and to draw it); its
``get_string_width`` does the bidi pass and the shaping once more. A record in Arabic
shapes nearly every line it draws, and the same lines recur (labels, names, dates), so
that was most of the time an Arabic record took.

Here each distinct line (font, size, text) is ordered and cut into fragments once per
document, each distinct fragment (in Arabic, a word) is measured and turned into text
operators (which glyphs, in which font, where) once per document, and a line's operators
are put together once, with the line's baseline starting at the origin. Drawing it
anywhere is that run of operators with its few absolute moves (a mark placed on its
letter) shifted to the line's place, in a ``q ... Q`` that leaves the page's graphics
and text state as it was. The operators are fpdf2's own
(``Fragment.render_with_text_shaping``) and absolute as fpdf2 writes them, so a reader
sees what ``cell`` draws, and text extracts (pdftotext, pypdf) in logical order as
before.

A run is only valid in the document it was made in: the glyph codes in it are given by
that document's fonts as glyphs are first used. So what a document remembers is its own
(:class:`ShapedLines`). But a record's lines recur from record to record (its wording
is the same in every record in a language), and the fonts every record uses are parsed
once per process and numbered the same everywhere (:func:`.fonts.shared_source`). So for
those fonts the process keeps, for the most recent texts and bounded (``_SHAPES``,
``_LAYOUTS``), what comes before the codes: each fragment's glyphs from HarfBuzz as
fpdf2's ``shape_text`` has them, and each line's fragments in drawing order with their
widths (a line whose every character is in such fonts: which fonts its characters fall
back to is part of what it is kept by). A document draws those with its own codes
(:func:`_run`, fpdf2's ``render_with_text_shaping`` written out), in any thread.

This is the one module that uses fpdf2's internals (``_preload_bidirectional_text``,
``_preload_font_styles``, whose cutting by font :meth:`ShapedLines._font_fragments`
repeats, ``shape_text`` and ``render_with_text_shaping``, which :func:`_shape` and
:func:`_run` repeat, ``_get_current_graphics_state``, ``_resource_catalog``, ``_out``,
:class:`fpdf.line_break.TextLine` and ``Fragment``); with :mod:`.bidiruns`, which repeats
fpdf2's bidi rules. ``tests/docgen/stamp/test_stamp_shaped.py`` checks that what it
draws is what fpdf2's ``cell`` draws (the same text extracted by pdftotext and pypdf, the
same pixels but for the shading of a few glyph edges), that its runs, fragments and
widths are fpdf2's on random texts, and that a document drawn from what the process
keeps is the one drawn without, so a change in fpdf2's behaviour fails there rather
than in a record.
"""

from __future__ import annotations

import re
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, NamedTuple

from fpdf import FPDF
from fpdf.bidi import BidiParagraph, auto_detect_base_direction
from fpdf.enums import Align, PDFResourceType
from fpdf.fonts import TTFFont
from fpdf.graphics_state import GraphicsState
from fpdf.line_break import Fragment, TextLine
from fpdf.unicode_script import UnicodeScript, get_unicode_script

from docgen.stamp.bidiruns import bidi_runs
from docgen.stamp.fonts import shared_source


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
        # The shared font each character falls back to, by style ("": none; None: a
        # font of this document's own), and this document's shared fonts by which.
        self._sources: dict[tuple[str, str], str | None] = {}
        self._shared_fonts: dict[str, TTFFont] | None = None

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
                layout = self._layout(text)
                return layout.width if layout is not None else self._ordered(text)[2]
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
            width = self._fragment_widths[key] = _text_width(font, text, pdf.font_size_pt,
                                                             fragment_shaping, pdf.k)
        return width

    def line(self, text: str) -> ShapedLine:
        """``text`` in the current font and size, shaped and ordered."""
        key = self._key(text)
        line = self._lines.get(key)
        if line is None:
            # Each fragment: its font, size, text, shaping options, width, and its shape
            # (a line the process keeps) or itself (fpdf2 draws it).
            parts: list[tuple[TTFFont, float, str, object, float, _Shape | Fragment]] = []
            layout = self._layout(text)
            if layout is not None:
                width = layout.width
                fonts_by_source = self._by_source
                for source, size, fragment_text, options, fragment_width, shape in zip(
                        layout.sources, layout.sizes, layout.texts, layout.options,
                        layout.widths, layout.shapes, strict=True):
                    parts.append((fonts_by_source[source], size, fragment_text, options,
                                  fragment_width, shape))
            else:
                fragments, widths, width = self._ordered(text)
                for fragment, fragment_width in zip(fragments, widths, strict=True):
                    assert isinstance(fragment.font, TTFFont)  # usable() was checked
                    parts.append((fragment.font, fragment.font_size_pt, fragment.string,
                                  _options(fragment.text_shaping_parameters),
                                  fragment_width, fragment))
            pieces = [""]
            moves: list[tuple[float, float]] = []
            fonts: list[int] = []
            x = 0.0
            current: tuple[int, float] | None = None
            for font, size, fragment_text, options, fragment_width, drawn in parts:
                if (font.i, size) != current:
                    current = (font.i, size)
                    pieces[-1] += f" /F{font.i} {size:.2f} Tf "
                    if font.i not in fonts:
                        fonts.append(font.i)
                run_key = (font.i, size, fragment_text, options)
                run = self._fragment_runs.get(run_key)
                if run is None:
                    run = self._fragment_runs[run_key] = (
                        _run(font, size, self._pdf.k, drawn) if isinstance(drawn, _Shape)
                        else self._fragment_run(drawn))
                run_pieces, run_moves = run
                pieces[-1] += " " + run_pieces[0]
                for (dx, dy), piece in zip(run_moves, run_pieces[1:], strict=True):
                    moves.append((dx + x * self._pdf.k, dy))
                    pieces.append(piece)
                x += fragment_width
            line = self._lines[key] = ShapedLine(width=width, fonts=tuple(fonts),
                                                 pieces=tuple(pieces), moves=tuple(moves))
        return line

    def _layout(self, text: str) -> _Layout | None:
        """``text``'s fragments, in drawing order, shaped, from what the process keeps
        (see _LAYOUTS): for a text in the current font whose every character is in it or
        in a fallback font that is shared by documents too. None for any other text."""
        pdf = self._pdf
        source = shared_source(pdf.current_font)
        if source is None:
            return None
        sources = self._fallback_sources(text)
        if sources is None:
            return None
        key = (source, pdf.font_size_pt, pdf.k, text, _options(pdf.text_shaping,
                                                                fragment=False), sources)
        layout: _Layout | None = _LAYOUTS.get(key)
        if layout is None:
            fragments, widths, width = self._ordered(text)
            used: list[str] = []
            texts: list[str] = []
            options: list[object] = []
            shapes: list[_Shape] = []
            for fragment in fragments:
                fragment_source = shared_source(fragment.font)
                if fragment_source is None or not isinstance(fragment.font, TTFFont):
                    return None  # cannot be: every font was checked
                used.append(fragment_source)
                texts.append(fragment.string)
                options.append(_options(fragment.text_shaping_parameters))
                shapes.append(_shape_of(fragment.font, texts[-1], fragment.font_size_pt,
                                        fragment.text_shaping_parameters))
            layout = _Layout(width, tuple(used),
                             array("d", (fragment.font_size_pt for fragment in fragments)),
                             tuple(texts), tuple(options), array("d", widths),
                             tuple(shapes))
            _LAYOUTS.put(key, layout)
        else:
            self._widths[self._key(text)] = layout.width
        return layout

    def _fallback_sources(self, text: str) -> tuple[str, ...] | None:
        """Which shared font each character of ``text`` the current font lacks falls
        back to ("" for none), in the order they first occur; None if one falls back to
        a font of this document's own."""
        pdf = self._pdf
        font = pdf.current_font
        assert isinstance(font, TTFFont)  # usable() was checked
        cmap = font.cmap
        style = ("B" if "B" in pdf.font_style else "") + ("I" if "I" in pdf.font_style
                                                            else "")
        sources = []
        for char in dict.fromkeys(text):
            if ord(char) in cmap or char == "\n":
                continue
            key = (char, style)
            if key in self._sources:
                found = self._sources[key]
            else:
                name = pdf.get_fallback_font(char, style)
                found = self._sources[key] = (
                    "" if name is None else shared_source(pdf.fonts[name]))
            if found is None:
                return None
            sources.append(found)
        return tuple(sources)

    @property
    def _by_source(self) -> dict[str, TTFFont]:
        """This document's fonts shared by documents, by which font they are."""
        if self._shared_fonts is None:
            self._shared_fonts = {}
            for font in self._pdf.fonts.values():
                source = shared_source(font)
                if source is not None and isinstance(font, TTFFont):
                    self._shared_fonts.setdefault(source, font)
        return self._shared_fonts

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
                # The isolates and marks have given the runs their order: not drawn.
                # HarfBuzz gives each an invisible glyph of no advance, but the font's
                # width for it is a space's, so pdftotext took one for a character
                # standing over the next and cut the word ("C ET").
                run = _DIRECTION_CONTROLS.sub("", run)
                if not run:
                    continue
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
            font = fragment.font
            width = self._fragment_widths[key] = (
                _text_width(font, fragment.string, fragment.font_size_pt,
                            fragment.text_shaping_parameters, fragment.k)
                if isinstance(font, TTFFont) and shared_source(font) is not None
                else fragment.get_width())
        return width

    def _fragment_run(self, fragment: Fragment) -> _Run:
        """The operators drawing ``fragment``, its baseline's left end at the origin."""
        key = _fragment_key(fragment)
        run = self._fragment_runs.get(key)
        if run is None:
            font = fragment.font
            if isinstance(font, TTFFont) and shared_source(font) is not None:
                run = _run(font, fragment.font_size_pt, fragment.k, _shape_of(
                    font, fragment.string, fragment.font_size_pt,
                    fragment.text_shaping_parameters))
            else:
                # fpdf2 gives the baseline's position from the page's top and the page's
                # height; 0 and 0 put it at the origin.
                run = _split(fragment.render_with_text_shaping(0.0, 0.0, 0.0, 0.0))
            self._fragment_runs[key] = run
        return run


# -- what documents share ------------------------------------------------------------------

class _Shape(NamedTuple):
    """A text shaped in a font shared by documents, the same in every document: each
    glyph as fpdf2's shape_text has it before giving it the document's code (see _run).
    Packed in arrays, which hold no Python objects: a process keeps thousands."""

    # Six numbers a glyph: its number, its width in 1/1000 em (fpdf2's rounding), then
    # HarfBuzz's x and y advance and x and y offset.
    glyphs: array[int]
    characters: str  # the characters each glyph stands for, one glyph's after another
    counts: array[int]  # how many characters each glyph stands for
    advances: array[int]  # each position's x advance in 1/1000 em, as fpdf2 rounds it


class _Layout(NamedTuple):
    """A line in fonts shared by documents, and its fragments in drawing order: each
    one's font (which shared font), size, text, shaping options, width and shape."""

    width: float
    sources: tuple[str, ...]
    sizes: array[float]
    texts: tuple[str, ...]
    options: tuple[object, ...]
    widths: array[float]
    shapes: tuple[_Shape, ...]


class _Recent:
    """A mapping that keeps its ``size`` most recently used entries; for any thread."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[object, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: object, value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# What the process keeps of the texts it shaped in fonts shared by documents (a record's
# words and lines recur from record to record: labels, headings, the certificate's
# sentences; an Arabic record draws about 600 words and 400 lines): the most recently
# used, at most about 5 MB when full. Only strings, numbers, arrays and tuples of them,
# which Python's cycle collector stops looking at.
# The characters that only order text (Unicode's explicit directional marks, embeddings
# and isolates).
_DIRECTION_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SHAPES = _Recent(2048)  # by font, size, text and shaping options
_LAYOUTS = _Recent(1024)  # by font, size, text, options and the fallback fonts used


def _shape_of(font: TTFFont, text: str, size: float, shaping: dict[str, Any] | None
              ) -> _Shape:
    """``text`` shaped in ``font`` (shared by documents), as the process keeps it."""
    key = (shared_source(font), size, text, _options(shaping))
    shape: _Shape | None = _SHAPES.get(key)
    if shape is None:
        shape = _shape(font, text, size, shaping)
        _SHAPES.put(key, shape)
    return shape


def _shape(font: TTFFont, text: str, size: float, shaping: dict[str, Any] | None) -> _Shape:
    """What fpdf2's ``TTFFont.shape_text`` and ``shaped_text_width`` work out, but the
    glyph codes: HarfBuzz's glyphs, each with the characters of its cluster."""
    glyphs, counts, advances = array("i"), array("i"), array("i")
    if not text:
        return _Shape(glyphs, "", counts, advances)
    infos, positions = font.perform_harfbuzz_shaping(text, size, shaping)
    if positions is None:
        return _Shape(glyphs, "", counts, advances)
    clusters = sorted(int(info.cluster) for info in infos)
    cluster_characters: dict[int, list[int]] = {}
    for index in range(len(text)):
        cluster_characters.setdefault(_cluster_of(clusters, index), []).append(index)
    metrics = font.ttfont["hmtx"].metrics
    characters = []
    for info, position in zip(infos, positions, strict=True):
        mine = "".join(text[i] for i in cluster_characters.pop(info.cluster, ()))
        characters.append(mine)
        counts.append(len(mine))
        name = font.ttfont.getGlyphName(info.codepoint)
        glyphs.extend((info.codepoint, round(font.scale * metrics[name][0]),
                       position.x_advance, position.y_advance, position.x_offset,
                       position.y_offset))
        advances.append(round(font.scale * position.x_advance + 0.001))
    return _Shape(glyphs, "".join(characters), counts, advances)


def _cluster_of(clusters: Sequence[int], index: int) -> int:
    """fpdf2's cluster of the character at ``index`` (shape_text)."""
    position = bisect_left(clusters, index)
    if position == 0:
        return clusters[0]
    if position == len(clusters) or clusters[position] != index:
        return clusters[position - 1]
    return clusters[position]


def _text_width(font: TTFFont, text: str, size: float, shaping: dict[str, Any] | None,
                k: float) -> float:
    """fpdf2's width of ``text`` shaped in ``font`` (``Fragment.get_width``)."""
    if shared_source(font) is None:
        return font.get_text_width(text, size, shaping)[1] / k
    font.biggest_size_pt = max(font.biggest_size_pt, size)
    width = 0.0
    for advance in _shape_of(font, text, size, shaping).advances:
        width += advance * size * 0.001
    return width / k


def _run(font: TTFFont, size: float, k: float, shape: _Shape) -> _Run:
    """The operators drawing ``shape`` in ``font`` (its glyphs given this document's
    codes), its baseline's left end at the origin: what fpdf2's
    ``Fragment.render_with_text_shaping(0, 0, 0, 0)`` writes, for no character spacing,
    word spacing or stretching, cut at its moves as :func:`_split` cuts it."""
    subset = font.subset
    subset.pick(ord(" "))  # as fpdf2 does first
    name_of = font.ttfont.getGlyphName
    scale = font.scale
    h = pos_x = pos_y = 0.0
    pieces: list[str] = []
    moves: list[tuple[float, float]] = []
    out = ""
    text = ""
    glyphs, characters = shape.glyphs, shape.characters
    start = 0
    for index, count in enumerate(shape.counts):
        glyph_id, width, x_advance, y_advance, x_offset, y_offset = glyphs[6 * index:
                                                                           6 * index + 6]
        unicode = tuple(map(ord, characters[start:start + count]))
        start += count
        glyph = subset.get_glyph(glyph=glyph_id, unicode=unicode,
                                 glyph_name=name_of(glyph_id), glyph_width=width)
        if glyph is None:
            continue
        code = subset.pick_glyph(glyph)
        if code is None:
            continue
        if x_offset != 0 or y_offset != 0:
            if text:
                out += f"({text}) Tj "
                text = ""
            offset_x = pos_x + x_offset * scale * size * 1.0 / 1000 / k
            offset_y = pos_y - y_offset * scale * size * 1.0 / 1000 / k
            # fpdf2 writes "1 0 0 1 x y Tm " here, x and y to two decimals.
            pieces.append(out)
            moves.append((float(f"{(offset_x) * k:.2f}"), float(f"{(h - offset_y) * k:.2f}")))
            out = " "
        text += font.escape_text(chr(code))
        pos_x += x_advance * scale * size * 1.0 / 1000 / k + 0.0
        pos_y += y_advance * scale * size * 1.0 / 1000 / k
        if width != x_advance or x_offset != 0 or y_offset != 0 or y_advance != 0:
            if text:
                out += f"({text}) Tj "
                text = ""
            pieces.append(out)
            moves.append((float(f"{(pos_x) * k:.2f}"), float(f"{(h - pos_y) * k:.2f}")))
            out = " "
    if text:
        out += f"({text}) Tj"
    pieces.append(out)
    return tuple(pieces), tuple(moves)


def _split(operators: str) -> _Run:
    """Text operators cut at their absolute moves (see _MOVE)."""
    split = _MOVE.split(operators)
    return (tuple(split[::3]),
            tuple((float(x), float(y)) for x, y in zip(split[1::3], split[2::3],
                                                       strict=True)))


def _options(shaping: dict[str, Any] | None, fragment: bool = True) -> object:
    """What of fpdf2's text shaping settings changes how a text is shaped (with the
    direction fpdf2 set for a fragment, or without it), as strings."""
    if not shaping:
        return None
    direction = shaping.get("fragment_direction") if fragment else None
    forced = shaping.get("direction")
    features = shaping.get("features")
    options = (direction.value if direction else None, forced.value if forced else None,
               shaping.get("script"), shaping.get("language"),
               tuple(sorted(features.items())) if features else ())
    # One tuple for each of the few settings there are, not one per text kept.
    return _OPTIONS.setdefault(options, options) if len(_OPTIONS) < 64 else options


_OPTIONS: dict[object, object] = {}


def _fragment_key(fragment: Fragment) -> _FragmentKey:
    return (fragment.font.i, fragment.font_size_pt, fragment.string,
            _options(fragment.text_shaping_parameters))

"""Where a signer's stamp goes on the original page: beside its anchor, covering nothing.

The headline sits on the signature line, a little above it, as a hand-written name
would; a long name is set smaller until it fits the line. The small print goes where
there is room: right of the line, else under its right end, else above it. The date
goes on the block's ``Date:`` line. Everything is checked against what the page already
shows; when nothing fits, the caller puts the stamp on the acknowledgement page, and
the reason becomes a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from docgen.stamp.anchors import Anchor, date_line
from docgen.stamp.document import RecordPdf
from docgen.stamp.fonts import DocumentFonts
from docgen.stamp.geometry import Box
from docgen.stamp.marks import (
    DATE_SIZE,
    SMALL_LEADING,
    SMALL_SIZE,
    WIDEST_PAGE,
    Mark,
    Spot,
)
from docgen.stamp.scan import PageScan

MIN_SIGNATURE_SIZE = 12.0
MIN_OVERRUN_SIZE = 9.0  # a name past its line's end is set no smaller than this
MIN_DATE_SIZE = 7.0
# How far above its line a headline's baseline sits, and how close a stamp may come
# to what is already on the page.
_ABOVE_LINE = 2.0
_CLEARANCE = 1.0
# Nothing is drawn closer than this to the paper's edge.
_PAPER_MARGIN = 20.0
# Noto Sans reaches about this far above and below its baseline, in ems.
_SANS_ABOVE, _SANS_BELOW = 0.76, 0.24


@dataclass(frozen=True)
class NoRoom:
    """Why a stamp could not go beside its anchor."""

    reason: str


def place(pdf: RecordPdf, fonts: DocumentFonts, page: PageScan, anchor: Anchor,
          others: Sequence[Anchor], mark: Mark) -> Spot | NoRoom:
    """A spot for ``mark`` beside ``anchor`` on ``page`` that covers nothing, or why not."""
    if page.rotation % 360:
        return NoRoom("its page is rotated")
    rtl = anchor.rtl  # an Arabic plan: its lines are left of their labels
    line = anchor.line or (
        Box(max(anchor.x0 - 226, 2 * _PAPER_MARGIN), anchor.baseline + 1.0, anchor.x0 - 6,
            anchor.baseline + 1.5) if rtl else
        Box(anchor.x1 + 6, anchor.baseline + 1.0,
            min(anchor.x1 + 226, page.width - 2 * _PAPER_MARGIN), anchor.baseline + 1.5))
    dated = date_line(page, anchor, others)
    ours = [line, anchor.box, *((dated.line, dated.box) if dated and dated.line else ())]
    clear = [b for b in page.ink if not any(_part_of(b, o) for o in ours)]

    headline = _headline(pdf, fonts, mark, page, line, clear, rtl)
    if headline is None:
        return NoRoom("there is no free room on or above the signature line")
    x, baseline, size, box = headline
    small = _small_print(pdf, mark, page, line, [*clear, box], rtl)
    if small is None:
        return NoRoom("there is no free room beside the signature line for the decision "
                      "and time")
    small_x, small_baseline, align = small
    date_x = date_baseline = None
    date_size = DATE_SIZE
    if mark.date and dated is not None:
        date_x, date_baseline, date_size = _date(pdf, mark.date, dated, clear, rtl)
    return Spot(mark=mark, page=anchor.page, headline_x=x, headline_baseline=baseline,
                headline_size=size, small_x=small_x, small_baseline=small_baseline,
                small_align=align, date_x=date_x, date_baseline=date_baseline,
                date_size=date_size)


def _part_of(box: Box, ours: Box) -> bool:
    """True for the anchor's own text and lines, which a stamp is meant to touch."""
    if box.height <= 2.0 and box.intersects(ours, 0.5):
        return True
    return ours.contains(box, slack=1.0) or box.contains(ours, slack=0.5)


def _headline(pdf: RecordPdf, fonts: DocumentFonts, mark: Mark, page: PageScan, line: Box,
              clear: Sequence[Box], rtl: bool) -> tuple[float, float, float, Box] | None:
    """The headline's place and size: on the line, at the largest size that fits it;
    for a name too long even at a small size, running on past the line's end (its left
    end, right to left)."""
    baseline = line.top - _ABOVE_LINE
    if mark.in_script:
        above, below = fonts.ink_extent(mark.family, mark.headline)
    else:
        above, below = _SANS_ABOVE, _SANS_BELOW
    largest = mark.headline_size
    smallest = MIN_SIGNATURE_SIZE if mark.is_signature else largest - 2
    # How far the headline may reach past its start: the line's end, then the paper's.
    room = ((line.x1 - 6 - (line.x0 + 4), line.x1 - 6 - 2 * _PAPER_MARGIN) if rtl else
            (line.x1 - 4 - (line.x0 + 6), page.width - 2 * _PAPER_MARGIN - (line.x0 + 6)))
    attempts = [(room[0], largest, smallest), (room[1], smallest - 1, MIN_OVERRUN_SIZE)]
    for widest, size, stop in attempts:
        while size >= stop:
            width = pdf.measure(mark.headline, mark.family, mark.style, size)
            x = line.x1 - 6 - width if rtl else line.x0 + 6
            box = Box(x, baseline - above * size, x + width, baseline + below * size)
            if width <= widest and not _collides(box, clear):
                return x, baseline, size, box
            size -= 1.0
    return None


def _small_print(pdf: RecordPdf, mark: Mark, page: PageScan, line: Box,
                 clear: Sequence[Box], rtl: bool) -> tuple[float, float, str] | None:
    lines = mark.small_lines(WIDEST_PAGE)
    widths = [pdf.measure(text, "sans", "B" if i == 0 else "", SMALL_SIZE)
              for i, text in enumerate(lines)]
    width = max(widths)
    ascent, descent = _SANS_ABOVE * SMALL_SIZE, _SANS_BELOW * SMALL_SIZE
    height = ascent + (len(lines) - 1) * SMALL_LEADING + descent
    if rtl:  # mirrored: left of the line, else under or above its left end, set right
        candidates = (
            ("R", line.x0 - 8, line.top - height / 2),
            ("R", line.x0 + width, line.bottom + 3),
            ("R", line.x0 + width, line.top - 28 - height),
        )
    else:
        candidates = (
            ("L", line.x1 + 8, line.top - height / 2),  # right of the line, centred on it
            ("R", line.x1, line.bottom + 3),  # under the line's right end
            ("R", line.x1, line.top - 28 - height),  # above the line, clear of the name
        )
    for align, x, top in candidates:
        left = x if align == "L" else x - width
        block = Box(left, top, left + width, top + height)
        on_paper = (block.x0 >= _PAPER_MARGIN and block.top >= _PAPER_MARGIN
                    and block.x1 <= page.width - _PAPER_MARGIN
                    and block.bottom <= page.height - _PAPER_MARGIN)
        if on_paper and not _collides(block, clear):
            return x, top + ascent, align
    return None


def _date(pdf: RecordPdf, text: str, dated: Anchor, clear: Sequence[Box],
          rtl: bool) -> tuple[float | None, float | None, float]:
    """Where the date goes on the ``Date:`` line, at the size that fits the line (its
    right end, right to left)."""
    size = DATE_SIZE
    if dated.line is not None:
        room = dated.line.x1 - dated.line.x0 - 6
        baseline = dated.line.top - _ABOVE_LINE
        while size > MIN_DATE_SIZE and pdf.measure(text, "sans", "", size) > room:
            size -= 0.5
    else:
        baseline = dated.baseline
    width = pdf.measure(text, "sans", "", size)
    if dated.line is not None:
        x = dated.line.x1 - 6 - width if rtl else dated.line.x0 + 6
    else:
        x = dated.x0 - 6 - width if rtl else dated.x1 + 6
    box = Box(x, baseline - _SANS_ABOVE * size, x + width, baseline + _SANS_BELOW * size)
    if _collides(box, clear):
        return None, None, size
    return x, baseline, size


def _collides(box: Box, clear: Sequence[Box]) -> bool:
    return any(box.intersects(other, _CLEARANCE) for other in clear)

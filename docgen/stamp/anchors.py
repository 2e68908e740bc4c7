"""Anchor texts: the fixed words a signature line starts with, found in the PDF.

Like the "anchor tabs" of commercial e-signature services, a stamp is placed relative
to a text the template prints (``Employee signature:``), not at fixed coordinates, so
HR can move signature blocks in Word without telling plansign.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docgen.stamp.geometry import Box
from docgen.stamp.writing import is_rtl

if TYPE_CHECKING:
    from docgen.stamp.scan import PageScan, TextHit

# The label of the date line under a signature line in plansign's templates, in each
# of their languages (scripts/template_words.py; PDFium reads French's no-break space
# before the colon as a space).
DATE_LABEL = "Date:"
DATE_LABELS = (DATE_LABEL, "Fecha:", "Date :", "Datum:", "التاريخ:")
# A signature line's former wordings, by its wording now: a plan sent before a template's
# line was reworded has its PDF from then, and its line is found as it was written.
FORMER_ANCHORS: dict[str, tuple[str, ...]] = {
    # French wrote "(e)" until the templates stopped guessing a gender (issue 18).
    "Signature de la personne salariée :": ("Signature du ou de la salarié(e) :",),
}
# How far right of its anchor a signature line may start, and how far below the
# anchor's baseline it may run, in points.
_LINE_MAX_GAP = 60.0
_LINE_MAX_DROP = 5.0


@dataclass(frozen=True)
class Anchor:
    """Where an anchor text is.

    Coordinates are PDF points from the top-left corner of the page's visible area
    (crop box), y growing downwards: the system pdfplumber reports (``top``,
    ``bottom``) and fpdf2 draws in. ``bottom`` is at least the baseline.
    """

    text: str
    page: int  # 0-based
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float
    size: float  # font size, points
    line: Box | None = None  # the fill-in line right of it (drawn, or typed as "___")

    @property
    def box(self) -> Box:
        return Box(self.x0, self.top, self.x1, self.bottom)

    @property
    def rtl(self) -> bool:
        """True for a right-to-left label (Arabic): its line is left of it, and the
        block's parts line up on their right ends."""
        return is_rtl(self.text)


def find_anchors(pdf: bytes, texts: Iterable[str]) -> dict[str, Anchor]:
    """Each text of ``texts`` found in ``pdf``, with where it is; texts not found are absent.

    A text found more than once resolves to the occurrence followed by a fill-in line,
    the last such one if several: a signature block comes after any prose that
    mentions it.
    """
    from docgen.stamp.scan import scan  # PDFium: imported when first needed

    texts = list(dict.fromkeys(texts))
    return anchors_in(scan(pdf, with_former(texts)), texts)


def with_former(texts: Iterable[str]) -> list[str]:
    """``texts`` and their former wordings (:data:`FORMER_ANCHORS`): what to scan for."""
    return [t for text in texts for t in (text, *FORMER_ANCHORS.get(text, ()))]


def anchors_in(pages: Sequence[PageScan], texts: Iterable[str]) -> dict[str, Anchor]:
    """Like :func:`find_anchors`, over pages already scanned for ``texts``
    (:func:`with_former`): a text absent in a document made before it was reworded is
    found by its former wording, under its own."""
    found: dict[str, Anchor] = {}
    for text in texts:
        candidates: list[Anchor] = []
        for wording in (text, *FORMER_ANCHORS.get(text, ())):
            candidates = [_anchor(page, hit) for page in pages
                          for hit in page.hits.get(wording, ())]
            if candidates:
                break
        if candidates:
            lined = [a for a in candidates if a.line is not None]
            found[text] = (lined or candidates)[-1]
    return found


def date_line(page: PageScan, anchor: Anchor, others: Iterable[Anchor]) -> Anchor | None:
    """The ``Date:`` line that belongs to ``anchor``'s signature line, if there is one.

    It is the nearest ``Date:`` label below the anchor (in any of the templates'
    languages), starting where the anchor starts (ending where it ends, right to left),
    within a few lines, and with no other signature line in between.
    """
    limit = anchor.bottom + 5 * anchor.size
    between = [o.top for o in others if o.page == anchor.page and o is not anchor
               and anchor.top < o.top]
    if between:
        limit = min(limit, *between)
    labels = [_anchor(page, hit) for label in DATE_LABELS for hit in page.hits.get(label, ())]
    below = [a for a in labels
             if (abs(a.x1 - anchor.x1) if anchor.rtl else abs(a.x0 - anchor.x0)) <= 4
             and anchor.bottom < a.top < limit]
    return min(below, key=lambda a: a.top, default=None)


def _anchor(page: PageScan, hit: TextHit) -> Anchor:
    line = hit.underscores or (_rule_before(page, hit) if is_rtl(hit.text)
                               else _rule_after(page, hit))
    return Anchor(text=hit.text, page=page.index, x0=hit.box.x0, x1=hit.box.x1,
                  top=hit.box.top, bottom=hit.box.bottom, baseline=hit.baseline,
                  size=hit.size, line=line)


def _rule_after(page: PageScan, hit: TextHit) -> Box | None:
    """The drawn line that starts right of the text, on or just under its baseline."""
    candidates = [r for r in page.rules
                  if hit.box.x1 - 2 <= r.x0 <= hit.box.x1 + _LINE_MAX_GAP
                  and -2 <= r.top - hit.baseline <= _LINE_MAX_DROP]
    return min(candidates, key=lambda r: r.x0, default=None)


def _rule_before(page: PageScan, hit: TextHit) -> Box | None:
    """Right to left: the drawn line that ends left of the text (after it, as it reads)."""
    candidates = [r for r in page.rules
                  if hit.box.x0 - _LINE_MAX_GAP <= r.x1 <= hit.box.x0 + 2
                  and -2 <= r.top - hit.baseline <= _LINE_MAX_DROP]
    return max(candidates, key=lambda r: r.x1, default=None)

"""The record's footer on every page: the envelope, and one page number per page.

The original pages keep their own footer (with their own page count); the record's
line goes below it, small and grey, in the strip between the lowest thing the page
shows and the paper's edge, so it never covers the original's footer.

One numbering per page. A plan page that prints its own number ("Page 6 of 6") gets no
second one: the record's line says instead that these are the plan's pages as sent and
on which pages the record follows. The pages plansign adds continue the count of the
whole file ("Page 7 of 9"). Why this way, for a tribunal reader: the plan's own numbers
cannot be changed (the original must stay byte for byte what the employee was sent),
and they are what the employee and the manager cited while the plan ran; the added
pages carry the file's page numbers, which match a PDF reader's page count and what
the stamps on the plan cite ("Certificate p. 9"). A plan page that has no number of its
own gets the file's ("page 3 of 9") on the record's line.
"""

from __future__ import annotations

from docgen.stamp import kinds
from docgen.stamp.model import THE_PLAN, DocumentKind
from docgen.stamp.scan import PageScan
from docgen.stamp.wording import ENGLISH, RecordWords

SIZE = 6.5
_ABOVE, _BELOW = 0.76 * SIZE, 0.24 * SIZE
_CLEARANCE = 3.0
_PAPER_MARGIN = 7.0  # closer to the edge than this, a printer may cut it off
_PREFERRED = 14.0  # baseline distance from the bottom edge when there is room


def footer_text(envelope_id: str, page: int, total: int, *, originals: int,
                numbered: bool, words: RecordWords = ENGLISH,
                document: DocumentKind = THE_PLAN) -> str:
    """The record's line on page ``page`` (1-based) of ``total``; the first ``originals``
    pages are the document's (``document``), ``numbered`` if this one prints its own
    page number."""
    w = words
    if page > originals:
        return w._("Page %(page)d of %(total)d · Final record of envelope %(envelope)s",
                   page=page, total=total, envelope=envelope_id)
    if not numbered:
        return w._("Final record of envelope %(envelope)s · page %(page)d of %(total)d",
                   page=page, total=total, envelope=envelope_id)
    pages = (w._("page 1") if originals == 1
             else w._("pages 1–%(last)d", last=originals))
    rest = (w._("page %(page)d", page=total) if total == originals + 1
            else w._("pages %(first)d–%(last)d", first=originals + 1, last=total))
    return w.about(kinds.FOOTER_AS_SENT, document, envelope=envelope_id, plan=pages,
                   pages=pages, rest=rest)


def footer_baseline(page: PageScan) -> float | None:
    """Where the footer's baseline goes on ``page`` (points from the top), or None when
    no strip at the bottom or the top of the page is free."""
    content = page.content_box()
    if content is None:
        return page.height - _PREFERRED
    lowest = content.bottom + _CLEARANCE + _ABOVE
    highest = page.height - _PAPER_MARGIN - _BELOW
    if lowest <= highest:
        return min(max(page.height - _PREFERRED, lowest), highest)
    # No room under the content: above it, if the page leaves a strip there.
    top = _PAPER_MARGIN + _ABOVE
    if top + _BELOW + _CLEARANCE <= content.top:
        return max(top, min(_PREFERRED, content.top - _CLEARANCE - _BELOW))
    return None

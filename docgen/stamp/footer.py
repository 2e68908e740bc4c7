"""The record's footer on every page: the envelope and the page's number in the record.

The original pages keep their own footer (with their own page count); the record's
line goes below it, small and grey, in the strip between the lowest thing the page
shows and the paper's edge, so it never covers the original's footer.
"""

from __future__ import annotations

from docgen.stamp.scan import PageScan

SIZE = 6.5
_ABOVE, _BELOW = 0.76 * SIZE, 0.24 * SIZE
_CLEARANCE = 3.0
_PAPER_MARGIN = 7.0  # closer to the edge than this, a printer may cut it off
_PREFERRED = 14.0  # baseline distance from the bottom edge when there is room


def footer_text(envelope_id: str, page: int, total: int) -> str:
    return f"Final record of envelope {envelope_id} · page {page} of {total}"


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

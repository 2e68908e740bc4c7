"""Rectangles on a page, in the coordinates docgen.stamp uses throughout.

Points from the top-left corner of the page's visible area (its crop box), y growing
downwards: what pdfplumber reports and fpdf2 draws in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """A rectangle: left, top, right, bottom."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def intersects(self, other: Box, gap: float = 0.0) -> bool:
        """True if the boxes overlap or come closer than ``gap``."""
        return (self.x0 < other.x1 + gap and other.x0 < self.x1 + gap
                and self.top < other.bottom + gap and other.top < self.bottom + gap)

    def contains(self, other: Box, slack: float = 0.5) -> bool:
        return (self.x0 - slack <= other.x0 and other.x1 <= self.x1 + slack
                and self.top - slack <= other.top and other.bottom <= self.bottom + slack)

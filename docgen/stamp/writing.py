"""What a piece of people's text needs to be drawn right: shaping, and its direction.

Shaping (HarfBuzz, through fpdf2) is what joins Arabic letters and places marks, but in
fpdf2 it costs several times plain drawing; Latin, Greek, Cyrillic and CJK text looks
the same without it. So it is switched on only for text that needs it.
"""

from __future__ import annotations

import re
import unicodedata

# Right-to-left scripts, combining marks, joiners, and the scripts whose letters change
# shape or order in context. A regular expression, because every line drawn is checked.
_NEEDS_SHAPING = re.compile(
    "["
    "\u0300-\u036f"  # combining diacritical marks (a decomposed é)
    "\u0483-\u0489"  # Cyrillic combining marks
    "\u0590-\u08ff"  # Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic
    "\u0900-\u0dff"  # Indic: Devanagari to Sinhala
    "\u0e00-\u0fff"  # Thai, Lao, Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u18af"  # Khmer, Mongolian
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"  # more combining marks
    "\u1b00-\u1bff\ua980-\ua9df"  # Balinese, Sundanese, Batak, Javanese
    "\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069"  # joiners, direction marks
    "\ufb1d-\ufdff\ufe70-\ufeff"  # Hebrew and Arabic presentation forms
    "\U00010800-\U00010fff\U0001e800-\U0001efff"  # historic and other RTL scripts
    "]"
)


def needs_shaping(text: str) -> bool:
    return not text.isascii() and _NEEDS_SHAPING.search(text) is not None


def is_rtl(text: str) -> bool:
    """True if the paragraph reads right to left: its first strong letter is RTL (the
    Unicode bidi algorithm's rule P2)."""
    if text.isascii():
        return False
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False

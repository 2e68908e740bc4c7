"""A line's direction runs as fpdf2's bidi algorithm gives them, worked out quickly for
the texts a record is made of.

fpdf2 (2.8) runs the Unicode bidi algorithm in Python, building an object per character
and a class per call: about half a millisecond for a line, and an Arabic record's lines
that mix in numbers or Latin names (dates, ids, names) all need it. Its result for a
text with no explicit embeddings, isolates, brackets or separators depends only on the
characters' bidi classes, through a handful of rules that fit in one pass each over a
list of strings. :func:`bidi_runs` applies fpdf2's own rules (``fpdf.bidi.IsolatingRun``:
W1 to W7, N1 and N2, I1 and I2, in its order, with its choices) to such texts, and says
None for any other text, which then goes through fpdf2's algorithm.

``tests/docgen/stamp/test_stamp_shaped.py`` compares it with fpdf2's ``BidiParagraph``
on thousands of random texts over every class it accepts, so a change in fpdf2 fails
there.
"""

from __future__ import annotations

import unicodedata

from fpdf.bidi import BIDI_BRACKETS
from fpdf.enums import TextDirection

# The classes handled here: strong letters, numbers and their separators, marks, other
# neutrals and spaces. Not: explicit embeddings, overrides and isolates, paragraph and
# segment separators, boundary neutrals (zero-width joiners).
_SIMPLE = frozenset({"L", "R", "AL", "EN", "AN", "ES", "ET", "CS", "NSM", "ON", "WS"})
_NEUTRAL = frozenset({"WS", "ON"})


def bidi_runs(text: str) -> tuple[tuple[str, TextDirection], ...] | None:
    """``text`` cut into runs of one direction, in logical order, as fpdf2's
    ``BidiParagraph(text).get_bidi_fragments()`` (the paragraph's direction its first
    strong letter's) cuts it; None if ``text`` holds anything this does not handle."""
    if not text:
        return ()
    classes = [unicodedata.bidirectional(char) for char in text]
    if not _SIMPLE.issuperset(classes):
        return None
    if any(char in BIDI_BRACKETS for char in text):
        return None  # rule N0 (paired brackets): left to fpdf2
    base = next((c for c in classes if c in ("L", "R", "AL")), "L")
    level = 0 if base == "L" else 1
    edge = "L" if level == 0 else "R"  # sos and eos: one run at the paragraph's level
    last = len(classes) - 1

    # W1: a mark takes the class of what it is on (sos at the start).
    for i, c in enumerate(classes):
        if c == "NSM":
            classes[i] = edge if i == 0 else classes[i - 1]
    # W2, W3: European digits after Arabic letters are Arabic numbers; AL is R.
    strong = edge
    for i, c in enumerate(classes):
        if c in ("R", "L", "AL"):
            strong = c
        if c == "AL":
            classes[i] = "R"
        elif c == "EN" and strong == "AL":
            classes[i] = "AN"
    # W4: one separator between two numbers of a kind joins them.
    for i in range(1, last):
        c, before, after = classes[i], classes[i - 1], classes[i + 1]
        if c == "ES" and before == "EN" and after == "EN":
            classes[i] = "EN"
        elif c == "CS" and before in ("AN", "EN") and after == before:
            classes[i] = before
    # W5, W6: terminators next to European numbers are numbers; other separators and
    # terminators are neutral. (In order, as fpdf2 does: a terminator looks back
    # through terminators already resolved.)
    for i, c in enumerate(classes):
        if c == "ET" and (_en_before(classes, i) or _en_after(classes, i)):
            classes[i] = "EN"
        elif c in ("ET", "ES", "CS"):
            classes[i] = "ON"
    # W7: European numbers after a left-to-right letter (or sos) are left to right.
    strong = edge
    for i, c in enumerate(classes):
        if c in ("R", "L"):
            strong = c
        elif c == "EN" and strong == "L":
            classes[i] = "L"
    # N1, N2: a neutral between two of one direction takes it, else the paragraph's.
    for i, c in enumerate(classes):
        if c in _NEUTRAL:
            before = _strong_before(classes, i, edge)
            classes[i] = before if before == _strong_after(classes, i, edge) else edge
    # I1, I2, then runs by the parity of each character's level.
    runs: list[tuple[str, TextDirection]] = []
    start = 0
    current = None
    for i, c in enumerate(classes):
        # I1: on an even level R goes up one, AN and EN two; I2: on an odd level, L,
        # EN and AN go up one.
        odd = c == "R" if level == 0 else c not in ("L", "EN", "AN")
        if odd != current:
            if current is not None:
                runs.append((text[start:i], TextDirection.RTL if current else
                             TextDirection.LTR))
            start, current = i, odd
    runs.append((text[start:], TextDirection.RTL if current else TextDirection.LTR))
    return tuple(runs)


def _en_before(classes: list[str], i: int) -> bool:
    while i > 0 and classes[i - 1] == "ET":
        i -= 1
    return i > 0 and classes[i - 1] == "EN"


def _en_after(classes: list[str], i: int) -> bool:
    last = len(classes) - 1
    while i < last and classes[i + 1] == "ET":
        i += 1
    return i < last and classes[i + 1] == "EN"


def _strong_before(classes: list[str], i: int, edge: str) -> str:
    while i > 0:
        c = classes[i - 1]
        if c == "L":
            return "L"
        if c in ("R", "AN", "EN"):
            return "R"
        i -= 1
    return edge


def _strong_after(classes: list[str], i: int, edge: str) -> str:
    last = len(classes) - 1
    while i < last:
        c = classes[i + 1]
        if c == "L":
            return "L"
        if c in ("R", "AN", "EN"):
            return "R"
        i += 1
    return edge

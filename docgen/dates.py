"""Dates written in words for a reader, by the locale's own forms (Babel), with the one
thing Babel's patterns leave out: French writes the first day of a month as an ordinal,
"1er août 2027" ("le 1er août", never "le 1 août"; the 2nd is "2 août").

Every date plansign writes in words goes through here: the documents' context
(:mod:`docgen.doclang`), the pages it adds to the final PDF and the case file
(:mod:`docgen.stamp.wording`, :mod:`docgen.casefile.pages`), the charts, the signer's
pages and the console (``signing.web.timefmt``) and the emails
(``signing.domain.mail.compose``). A form whose day is numeric only ("01/08/2027"), an
ISO date, a weekday alone, and English (which each caller writes as plansign always has)
are left as they are. The signer's page rewrites a time in the browser's zone with the
same rule (``signing/web/static/sign.js``), as the browser's own ``Intl`` has it neither.

A date in a document's prose (the Word templates' dates, which LibreOffice lays out, and
the pages plansign draws into the final PDF and the case file) is held together: its
spaces are no-break spaces (:func:`held_together`, ``date_words(..., held=True)``), so
that a line never ends on "7" with "décembre 2026" on the next; a printed line is where
it falls for good. The pages and the emails keep ordinary spaces: they are laid out anew
for each reader's screen (no line of theirs is fixed), and a date in them is text a
reader searches for and copies ("7 décembre" typed into a mailbox's search, pasted into
a calendar), which a no-break space would make a different string.
"""

from __future__ import annotations

import datetime as dt
import re

from babel import Locale
from babel.dates import format_date, match_skeleton

_NAMED = ("full", "long", "medium", "short")
# A pattern's quoted literals ('de', '' for a quote) and its field letters.
_LITERAL = re.compile(r"('(?:[^']|'')*')")
_WORD_MONTH = re.compile(r"[ML]{3,}")
_ONE_DIGIT_DAY = re.compile(r"(?<!d)d(?!d)")
NO_BREAK_SPACE = "\u00a0"


def date_words(value: dt.date, form: str, locale: Locale | str, *,
               held: bool = False) -> str:
    """``value`` in ``locale``'s ``form``: one of Babel's ``full``, ``long``, ``medium``
    and ``short``, or a date pattern (``EEEE d MMMM y``); "1er août 2027" in French
    where the month is a word. ``held``: for a document's prose (:func:`held_together`)."""
    where = Locale.parse(locale)
    pattern = where.date_formats[form].pattern if form in _NAMED else form
    text = format_date(value, _first_of_month(pattern, value, where), locale=where)
    return held_together(text) if held else text


def held_together(date: str) -> str:
    """A date written in words for a document's prose, its day, month and year (and
    weekday) kept on one line: each space a no-break space ("7\u00a0décembre\u00a02026",
    "7\u00a0de\u00a0diciembre\u00a0de\u00a02026"). English dates, which their
    callers write themselves, go through here too."""
    return date.replace(" ", NO_BREAK_SPACE)


def date_skeleton(value: dt.date, skeleton: str, locale: Locale | str) -> str:
    """``value`` by a CLDR skeleton (``yMMMd``, ``MMMd``), resolved to ``locale``'s
    pattern as Babel's ``format_skeleton`` does, with the same first-of-month rule."""
    where = Locale.parse(locale)
    known = where.datetime_skeletons
    key = skeleton if skeleton in known else (match_skeleton(skeleton, known) or skeleton)
    return date_words(value, known[key].pattern, where)


def _first_of_month(pattern: str, value: dt.date, locale: Locale) -> str:
    """``pattern`` with its day written "1er" on the first of a month in French, where the
    month is a word (``d MMMM y``, ``EEEE d MMMM y``, ``d MMM``); ``dd/MM/y`` unchanged."""
    if locale.language != "fr" or value.day != 1:
        return pattern
    parts = _LITERAL.split(pattern)  # odd indexes are quoted literals
    fields = "".join(parts[0::2])
    if not _WORD_MONTH.search(fields) or len(_ONE_DIGIT_DAY.findall(fields)) != 1:
        return pattern
    return "".join(part if i % 2 else _ONE_DIGIT_DAY.sub("d'er'", part)
                   for i, part in enumerate(parts))

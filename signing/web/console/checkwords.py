"""The checks of ``plansign verify`` (signing.domain.verification) as the console's
verify page shows them, in its reader's language.

A check says what it looked at and what it found as
:class:`~signing.domain.errors.Wording`: its English is what the command line, the API
and the logs print, its ``msgid`` and ``values`` what this page translates. Each value
is written as the page writes it: a moment in the reader's language and time zone, to
the precision the record states it (:class:`~docgen.words.Moment`); a count by the
reader's locale; words inside words translated in turn; a library's own message, which
plansign cannot word (:class:`~docgen.words.Foreign`), as it is, marked as English; and
anything else (an envelope id, a hash, a PAdES level, a file name, a certificate's
subject) as it is, isolated (``<bdi>``) so that it keeps its own direction in a
right-to-left sentence.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import get_domain
from markupsafe import Markup, escape

from docgen.words import N_, Foreign, Moment
from signing.web import language, timefmt
from signing.web.console.accesswords import english


def check_words(words: object, zone: str) -> Markup:
    """``words`` (a check's name or detail) for a page whose times are in ``zone``."""
    msgid = getattr(words, "msgid", None)
    if isinstance(msgid, str):
        return _translated(words, msgid, zone)
    return _value(words, zone)


def check_line(name: object, detail: object, zone: str) -> Markup:
    """A check's name and what it found, as one line: "Sceau : valide (PAdES B-B) …"
    (the name begins the line, so with a capital where the language has them; the
    command line prints it as it is, "seal: valid …")."""
    translations = get_domain().get_translations()
    label = check_words(name, zone)
    if label[:1].isalpha():  # a word, not markup: "sceau" -> "Sceau"
        label = Markup(label[:1].upper()) + label[1:]
    return escape(translations.ugettext(N_("%(label)s: %(detail)s"))) % {
        "label": label, "detail": check_words(detail, zone)}


def _translated(words: object, msgid: str, zone: str) -> Markup:
    translations = get_domain().get_translations()
    plural, number = getattr(words, "plural", None), getattr(words, "number", None)
    if isinstance(plural, str) and isinstance(number, int):
        text = translations.ungettext(msgid, plural, number)
    else:
        text = translations.ugettext(msgid)
    values: dict[str, object] = getattr(words, "values", None) or {}
    if not values:  # a message without values is not formatted: a "%" stays as it is
        return escape(text)
    return escape(text) % {name: _value(value, zone) for name, value in values.items()}


def _value(value: object, zone: str) -> Markup:
    lang = language.current()
    if isinstance(getattr(value, "msgid", None), str):
        return check_words(value, zone)
    if isinstance(value, Foreign):
        return english(value)
    if isinstance(value, Moment) and isinstance(value.at, dt.datetime):
        if value.precision == "day":
            return timefmt.bdi(timefmt.long_date(value.at.date(), lang))
        return timefmt.bdi(timefmt.local_time(value.at, zone, lang,
                                              seconds=value.precision == "seconds"))
    if isinstance(value, int) and not isinstance(value, bool):
        return escape(timefmt.number(value, lang))
    return timefmt.bdi(value)

"""Sentences docgen tells people (lint findings, problems with plan data, a refused
address) with their values kept apart, so a page can show them in its reader's language.

docgen imports neither Flask nor signing, so the idea lives here and
``signing.domain.errors.Wording`` builds on it: a :class:`Words` is a ``str`` (the English
sentence the command line, the API and the logs show, as before) that also carries its
``msgid`` (marked :func:`N_` where it is written, so ``make translations`` extracts it into
the console's catalog, ``messages``) and ``values``; for a count, ``plural`` and
``number`` (:meth:`Words.counted`, marked :func:`NN_`). The console translates it by
those attributes (``signing.web.errortext.words_text``).
"""

from __future__ import annotations


class Words(str):
    """An English sentence, and the message id and values it was made from."""

    msgid: str
    values: dict[str, object]
    plural: str | None = None
    number: int | None = None

    def __new__(cls, msgid: str, **values: object) -> Words:
        made = super().__new__(cls, msgid % _english(values) if values else msgid)
        made.msgid, made.values = msgid, values
        return made

    @classmethod
    def counted(cls, forms: tuple[str, str], count: int, **values: object) -> Words:
        """The sentence of ``forms`` (singular, plural: :func:`NN_`) for ``count``, which
        fills ``%(count)s`` and chooses the form."""
        singular, plural = forms
        values = {"count": count, **values}
        chosen = singular if count == 1 else plural
        made = super().__new__(cls, chosen % _english(values))
        made.msgid, made.values, made.plural, made.number = singular, values, plural, count
        return made

    @classmethod
    def coded(cls, code: str, msgid: str) -> Words:
        """A code the command line prints as it is ("no_response"), which a page says in
        words (``msgid``, marked :func:`N_`: "no response (expired)")."""
        made = super().__new__(cls, code)
        made.msgid, made.values = msgid, {}
        return made

    def sentence(self) -> Words:
        """The same words, their English ending with a full stop (a page in another
        language ends the translated sentence itself)."""
        made = super().__new__(type(self), self.rstrip(".") + ".")
        made.msgid, made.values, made.plural, made.number = (
            self.msgid, self.values, self.plural, self.number)
        return made


def _english(values: dict[str, object]) -> dict[str, object]:
    """Whole numbers with thousands separated ("20,000"), as the English has written
    them; a page writes them by its reader's locale."""
    return {name: f"{value:,}" if isinstance(value, int) and not isinstance(value, bool)
            else value for name, value in values.items()}


def N_(text: str) -> str:
    """Marks ``text`` for extraction into the console's catalog (``messages``)."""
    return text


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a sentence's singular and plural for extraction (``NN_:1,2``)."""
    return singular, plural


class Moment(str):
    """A moment put into a sentence: as a ``str``, the English the command line has always
    written (``at`` by ``english``, a :meth:`~datetime.datetime.strftime` format: "2026-12-07
    05:31:41 UTC"); a page writes ``at`` in its reader's language and time zone, to the
    same precision (``precision``: "seconds", "minutes" or "day"), with the zone named."""

    at: object  # a datetime.datetime
    english: str
    precision: str

    def __new__(cls, at: object, english: str, precision: str = "seconds") -> Moment:
        made = super().__new__(cls, format(at, english))
        made.at, made.english, made.precision = at, english, precision
        return made

    def __getnewargs__(self) -> tuple[object, str, str]:  # type: ignore[override]
        """What copying and pickling make it again from."""
        return self.at, self.english, self.precision


class Foreign(str):
    """Words plansign did not write and cannot word (a library's error message, put into
    a sentence as its detail): shown as they are, and on a page marked as English."""


def joined(parts: list[str]) -> str:
    """``parts`` as one sentence, separated by semicolons ("a; b; c") in English and by
    each language's own in a translation; nothing for no parts."""
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return Words(N_("%(first)s; %(then)s"), first=parts[0], then=joined(parts[1:]))

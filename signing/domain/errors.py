"""The exceptions the signing package raises. Every one derives from :class:`SigningError`."""

from __future__ import annotations


class SigningError(Exception):
    """Base class of every error the signing package raises on purpose."""


class Wording(str):
    """An error's message with its values kept apart: as a ``str`` it is the English
    sentence the API, the command line and the logs show; a page in its reader's language
    translates ``msgid`` (marked ``N_`` where it is written, so extraction finds it) and
    fills in ``values`` (signing.web.console.signedin.problem_text). A sentence about a
    count is made by :meth:`counted`, from the pair :func:`NN_` marks: ``plural`` and
    ``number`` choose the language's form (``ngettext``)."""

    msgid: str
    values: dict[str, object]
    plural: str | None = None
    number: int | None = None  # the count that chose the form (str has a count())

    def __new__(cls, msgid: str, **values: object) -> Wording:
        made = super().__new__(cls, msgid % _english(values) if values else msgid)
        made.msgid, made.values = msgid, values
        return made

    @classmethod
    def counted(cls, forms: tuple[str, str], count: int, **values: object) -> Wording:
        """The sentence of ``forms`` (singular, plural: :func:`NN_`) for ``count``, which
        fills ``%(count)s`` (and decides the form; the other values may be any)."""
        singular, plural = forms
        values = {"count": count, **values}
        chosen = singular if count == 1 else plural
        made = super().__new__(cls, chosen % _english(values))
        made.msgid, made.values, made.plural, made.number = singular, values, plural, count
        return made


def _english(values: dict[str, object]) -> dict[str, object]:
    """``values`` as the English sentence writes them: whole numbers with thousands
    separated ("20,000"); a page writes them by its own language's locale."""
    return {name: f"{value:,}" if isinstance(value, int) and not isinstance(value, bool)
            else value for name, value in values.items()}


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a sentence's singular and plural for extraction (``make translations`` reads
    ``NN_:1,2``); :meth:`Wording.counted` picks between them."""
    return singular, plural


def wording_of(exc: BaseException) -> Wording | None:
    """The :class:`Wording` an error was raised with, if it was."""
    first = exc.args[0] if exc.args else None
    if isinstance(first, Wording):
        return first
    # The archive's errors keep theirs apart the same way (archive.errors.ArchiveError):
    # the archive does not import this package, so they are read by their attributes.
    msgid, values = getattr(exc, "msgid", None), getattr(exc, "values", None)
    if isinstance(msgid, str):
        return Wording(msgid, **dict(values or {}))
    return None


def first_line(exc: BaseException) -> str:
    """What a library's error says, in one line for an operator: the driver's own message
    (SQLAlchemy wraps it and appends the SQL and its parameters, which stay out)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

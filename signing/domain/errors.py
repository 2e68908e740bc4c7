"""The exceptions the signing package raises. Every one derives from :class:`SigningError`."""

from __future__ import annotations

from docgen.words import Words


class SigningError(Exception):
    """Base class of every error the signing package raises on purpose."""


class Wording(Words):
    """An error's message with its values kept apart: as a ``str`` it is the English
    sentence the API, the command line and the logs show; a page in its reader's language
    translates ``msgid`` (marked ``N_`` where it is written, so extraction finds it) and
    fills in ``values`` (signing.web.errortext.problem_text). A sentence about a count is
    made by :meth:`counted`, from the pair :func:`NN_` marks: ``plural`` and ``number``
    choose the language's form (``ngettext``). The same idea as docgen's
    :class:`~docgen.words.Words` (docgen cannot import this package), whose construction
    it takes; a distinct class, so a page can tell signing's errors apart."""


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

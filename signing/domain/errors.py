"""The exceptions the signing package raises. Every one derives from :class:`SigningError`."""

from __future__ import annotations


class SigningError(Exception):
    """Base class of every error the signing package raises on purpose."""


class Wording(str):
    """An error's message with its values kept apart: as a ``str`` it is the English
    sentence the API, the command line and the logs show; a page in its reader's language
    translates ``msgid`` (marked ``N_`` where it is written, so extraction finds it) and
    fills in ``values`` (signing.web.console.signedin.problem_text)."""

    msgid: str
    values: dict[str, object]

    def __new__(cls, msgid: str, **values: object) -> Wording:
        made = super().__new__(cls, msgid % values if values else msgid)
        made.msgid, made.values = msgid, values
        return made


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

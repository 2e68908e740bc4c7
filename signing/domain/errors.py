"""The exceptions the signing package raises. Every one derives from :class:`SigningError`."""

from __future__ import annotations


class SigningError(Exception):
    """Base class of every error the signing package raises on purpose."""


def first_line(exc: BaseException) -> str:
    """What a library's error says, in one line for an operator: the driver's own message
    (SQLAlchemy wraps it and appends the SQL and its parameters, which stay out)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

"""The exceptions docgen.stamp raises. Every one derives from :class:`StampError`.

A :class:`StampError` is also a :class:`~docgen.errors.DocgenError`, so a caller that
handles every docgen failure in one place keeps doing so.
"""

from __future__ import annotations

from docgen.errors import DocgenError


class StampError(DocgenError):
    """Base class of every error docgen.stamp raises on purpose."""


class CompletionInvalid(StampError):
    """Completion data that cannot go into a record: names the field (``signers[1].at``)."""


class OriginalMismatch(StampError):
    """The PDF given is not the one the completion describes (its SHA-256 differs)."""


class UnreadablePdf(StampError):
    """The original is not a PDF that can be read (damaged, encrypted, not a PDF)."""


class FontMissing(StampError):
    """A font the record is drawn with is not installed; the message names the package."""

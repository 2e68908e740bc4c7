"""The archive's errors: one base class, with the data a caller needs on each."""

from __future__ import annotations

from collections.abc import Mapping


def N_(text: str) -> str:
    """Marks a message for the console's catalog (babel.cfg extracts it); the archive
    itself speaks English, and the console translates ``msgid`` with ``values``."""
    return text


class ArchiveError(Exception):
    """Base class of every error the archive raises. One a person may meet on a page
    keeps its message before its values apart (``msgid``, ``values``), as
    signing.domain.errors.Wording does (the archive does not import the signing
    package): its ``str`` stays the English sentence."""

    msgid: str | None = None
    values: Mapping[str, object] | None = None

    def worded(self, msgid: str, **values: object) -> str:
        """The English of ``msgid`` filled with ``values``, kept apart for translation."""
        self.msgid, self.values = msgid, values
        return msgid % values if values else msgid


class BlobNotFound(ArchiveError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(self.worded(N_("no blob %(key)s in the archive"), key=key))


class BlobCorrupted(ArchiveError):
    """A stored blob no longer hashes to its key: never served as if it were fine."""

    def __init__(self, key: str, actual: str) -> None:
        self.key, self.actual = key, actual
        super().__init__(self.worded(N_("blob %(key)s is corrupted: its content now hashes to "
                                        "%(actual)s"), key=key, actual=actual))


class InvalidKey(ArchiveError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__("a blob key is 64 lowercase hexadecimal characters (a SHA-256)")


class StoreUnavailable(ArchiveError):
    """The store could not be written or read just now (disk full, permissions, network);
    the caller may retry."""


class RecordNotFound(ArchiveError):
    def __init__(self, envelope_id: str) -> None:
        self.envelope_id = envelope_id
        super().__init__(f"no archived record for envelope {envelope_id}")


class NoCaseFile(ArchiveError):
    """The record's plan has no case file: its case has not closed (or its case file is
    still being made)."""

    def __init__(self, envelope_id: str) -> None:
        self.envelope_id = envelope_id
        super().__init__(f"the plan of envelope {envelope_id} has no case file yet: its "
                         "case has not closed, or its case file is still being made")


class NoSuchDocument(ArchiveError):
    """The record has no document of that name (a check-in record's version that was
    never made)."""

    def __init__(self, envelope_id: str, name: str) -> None:
        self.envelope_id, self.name = envelope_id, name
        super().__init__(f"the record of envelope {envelope_id} has no document {name}")


class RecordConflict(ArchiveError):
    """An envelope archived again with different content: the first record stands."""

    def __init__(self, envelope_id: str, field: str) -> None:
        self.envelope_id, self.field = envelope_id, field
        super().__init__(f"envelope {envelope_id} is already archived with a different {field}")

"""The exceptions docgen.seal raises. Every one derives from :class:`SealError`.

A :class:`SealError` is also a :class:`~docgen.errors.DocgenError`, so a caller that
handles every docgen failure in one place keeps doing so.
"""

from __future__ import annotations

from docgen.errors import DocgenError


class SealError(DocgenError):
    """Base class of every error docgen.seal raises on purpose.

    ``transient`` says whether trying again later may succeed (a timestamp authority
    that is down), as opposed to a fault someone has to fix (a wrong passphrase).
    """

    transient: bool = False


class SealKeyError(SealError):
    """The sealing key or certificate cannot be used. ``setting`` names what to fix."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        self.setting = setting
        super().__init__(message)


class SealKeyUnreadable(SealKeyError):
    """A key or certificate file that is missing, unreadable, or holds the wrong thing."""


class SealPassphraseError(SealKeyError):
    """A passphrase that is missing or wrong for an encrypted key or PKCS#12 file."""


class SealCertificateMismatch(SealKeyError):
    """The certificate is not the private key's: its public key is another one."""


class SealCertificateExpired(SealKeyError):
    """The sealing certificate is not valid at the moment of sealing (expired, or not yet)."""


class TimestampUnavailable(SealError):
    """The timestamp authority could not be reached or gave no usable answer.

    Transient: the document was not sealed, and sealing it again later may succeed.
    """

    transient = True


class SealingFailed(SealError):
    """The PDF could not be sealed (not a readable PDF, encrypted, or refused by pyHanko)."""

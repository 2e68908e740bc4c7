"""The exceptions the signing package raises. Every one derives from :class:`SigningError`."""

from __future__ import annotations


class SigningError(Exception):
    """Base class of every error the signing package raises on purpose."""

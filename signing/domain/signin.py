"""How people sign in to the console: passwords (argon2 hashes, argon2-cffi). The
second factor, lockout and single sign-on build on this module.

Pure but for the hashing: a person row and what was typed in, a verdict out."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from signing.domain.people import PersonError

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of a new password; raises :class:`PersonError` for one too short
    or too long to be a good password."""
    if len(password) < MIN_PASSWORD:
        raise PersonError(f"a password needs at least {MIN_PASSWORD} characters; a few "
                          "unrelated words make one that is easy to remember", "password")
    if len(password) > MAX_PASSWORD:
        raise PersonError(f"a password may be up to {MAX_PASSWORD} characters", "password")
    return _HASHER.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made from (False for a
    person without a password, and for an over-long attempt, unhashed)."""
    if password_hash is None or len(password) > MAX_PASSWORD:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False

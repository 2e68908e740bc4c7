"""How people sign in to the console with a password: argon2 hashes (argon2-cffi), the
lockout after repeated failures, and the optional TOTP second factor (pyotp). Single
sign-on is :mod:`signing.domain.oidc`'s.

What the sign-in page answers is decided here, so that it cannot leak: an unknown
username, a wrong password, a disabled person and a locked account all get the same
:attr:`Outcome.REFUSED`, after the same work (one argon2 verification each). A locked
account's password is not even checked: if a right password during the lockout got
another answer ("locked until ..."), the lockout would stop nobody, since an attacker
could go on guessing at full speed and only wait for the lock to lift once the answer
changed. The page says instead, to everyone, that repeated failures lock an account for
a while, and an admin can unlock it at once (``plansign users unlock``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from signing.domain.models import PersonRow
from signing.domain.people import Person, PersonError

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
_HASHER = PasswordHasher()
# Verified against when there is no hash to check, so that an unknown or locked account
# costs what a real one does (made on first use: hashing is argon2's full work).
_STAND_IN: list[str] = []
TOTP_STEP = 30  # seconds: what every authenticator app uses (RFC 6238)
# Codes one step either side of now are taken: phone clocks drift, and people type slowly.
TOTP_DRIFT_STEPS = 1
WRONG_CODE = "wrong or used second-factor code"


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


def _waste_a_verification(password: str) -> None:
    """The work of one real check, for an attempt that has nothing to check against."""
    if not _STAND_IN:
        _STAND_IN.append(_HASHER.hash("plansign stand-in password"))
    password_matches(_STAND_IN[0], password[:MAX_PASSWORD])


def password_fingerprint(password_hash: str | None) -> str:
    """A short digest of a person's current password hash: a token that carries it is
    void once the password changes."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


# -- lockout --------------------------------------------------------------------------


@dataclass(frozen=True)
class LockoutPolicy:
    attempts: int  # failures in a row that lock the account
    duration: dt.timedelta


def is_locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    return locked_until is not None and now < locked_until


def count_failure(failed_attempts: int, policy: LockoutPolicy,
                  now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """After one more failure: the count to keep and, if this one locks the account,
    until when. The count starts again after a lock, so each lock lets in another
    ``policy.attempts`` tries, never more."""
    failed = failed_attempts + 1
    if failed >= policy.attempts:
        return 0, now + policy.duration
    return failed, None


# -- an attempt ---------------------------------------------------------------------------


class Outcome(StrEnum):
    SIGNED_IN = "signed in"  # open a session
    SECOND_FACTOR = "second factor"  # the password was right; now the TOTP code
    REFUSED = "refused"  # the one answer for every failure


@dataclass(frozen=True)
class Attempt:
    """What a sign-in attempt came to: the outcome the page shows, the person if one
    was named (for the log), why it failed (for the log only, never the page), and the
    lock this attempt set, if any."""

    outcome: Outcome
    person: Person | None
    reason: str = ""
    locked_until: dt.datetime | None = None


def _fail(row: PersonRow, policy: LockoutPolicy, now: dt.datetime, reason: str) -> Attempt:
    row.failed_attempts, locked = count_failure(row.failed_attempts or 0, policy, now)
    if locked is not None:
        row.locked_until = locked
    return Attempt(Outcome.REFUSED, Person.of(row), reason, locked)


def _locked(row: PersonRow) -> str:
    return f"locked until {row.locked_until:%Y-%m-%d %H:%M} UTC"


def _succeed(row: PersonRow) -> None:
    row.failed_attempts = 0
    row.locked_until = None


def check_password(session: Session, username: str, password: str, *,
                   policy: LockoutPolicy, now: dt.datetime) -> Attempt:
    """The first step of a password sign-in. Counts the failure (and maybe locks the
    account) in ``session``; the caller commits it whatever the outcome."""
    username = username.strip().lower()
    row = session.scalar(select(PersonRow).where(PersonRow.username == username)
                         .with_for_update()) if username else None
    if row is None:
        _waste_a_verification(password)
        return Attempt(Outcome.REFUSED, None, "no such person")
    if is_locked(row.locked_until, now):
        _waste_a_verification(password)
        return Attempt(Outcome.REFUSED, Person.of(row), _locked(row))
    if row.disabled_at is not None:
        _waste_a_verification(password)
        return Attempt(Outcome.REFUSED, Person.of(row), "disabled")
    if row.password_hash is None:
        _waste_a_verification(password)
        return Attempt(Outcome.REFUSED, Person.of(row), "no password: signs in by single sign-on")
    if not password_matches(row.password_hash, password):
        return _fail(row, policy, now, "wrong password")
    if row.totp_secret is not None:
        # Not yet a success: the count goes on until the code is right too, so guessing
        # codes behind a known password locks the account like guessing passwords does.
        return Attempt(Outcome.SECOND_FACTOR, Person.of(row))
    _succeed(row)
    return Attempt(Outcome.SIGNED_IN, Person.of(row))


def check_second_factor(session: Session, person_id: str, code: str, *,
                        password_print: str, policy: LockoutPolicy,
                        now: dt.datetime) -> Attempt:
    """The second step: the TOTP code of someone whose password was right moments ago
    (``password_print``: :func:`password_fingerprint` of the hash it matched, so that a
    password changed in between voids the step)."""
    row = session.scalar(select(PersonRow).where(PersonRow.id == person_id).with_for_update())
    if row is None:
        return Attempt(Outcome.REFUSED, None, "no such person")
    if is_locked(row.locked_until, now):
        return Attempt(Outcome.REFUSED, Person.of(row), _locked(row))
    if (row.disabled_at is not None or row.totp_secret is None
            or not hmac.compare_digest(password_fingerprint(row.password_hash), password_print)):
        return Attempt(Outcome.REFUSED, Person.of(row), "the password step is void")
    step = totp_step_accepted(row.totp_secret, code, row.totp_last_step, now)
    if step is None:
        return _fail(row, policy, now, WRONG_CODE)
    row.totp_last_step = step
    _succeed(row)
    return Attempt(Outcome.SIGNED_IN, Person.of(row))


def check_current_password(session: Session, person_id: str, password: str, *,
                           policy: LockoutPolicy, now: dt.datetime) -> bool:
    """Whether a signed-in person typed their current password (to change it, or their
    second factor). A wrong one counts toward the lockout, as at sign-in: a session left
    open is no way round it."""
    row = session.scalar(select(PersonRow).where(PersonRow.id == person_id).with_for_update())
    if row is None or is_locked(row.locked_until, now):
        return False
    if password_matches(row.password_hash, password):
        return True
    _fail(row, policy, now, "wrong current password")
    return False


# -- the TOTP second factor ---------------------------------------------------------------


def new_totp_secret() -> str:
    """A new random secret (160 bits, base32, as authenticator apps take it)."""
    return pyotp.random_base32(32)


def totp_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app takes (by QR code or pasted)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The secret in groups of four, as people type it into an app."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def totp_step_accepted(secret: str, code: str, last_step: int | None,
                       now: dt.datetime) -> int | None:
    """The time step ``code`` is the code of, if it is one of now's (give or take
    :data:`TOTP_DRIFT_STEPS`) and later than ``last_step``: a code is taken once, and
    never one older than a code already taken. None otherwise."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // TOTP_STEP
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * TOTP_STEP), code):
            return step
    return None


def totp_code(secret: str, now: dt.datetime) -> str:
    """The code an authenticator app shows at ``now`` (for the demo and tests)."""
    return pyotp.TOTP(secret).at(int(now.timestamp()))

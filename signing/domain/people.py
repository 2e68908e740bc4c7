"""People who use the console, and their signed-in sessions.

A person has a role (:class:`~signing.domain.access.Role`: manager, hr, records, admin)
and, for managers and HR, maybe an HR team; the console acts as them through
:func:`principal_of`, under the same access rules as API keys. People are never deleted,
since trails name them (``person:<username>``): they are disabled, which ends their
sessions.

A session is a random token in the browser's cookie; only its SHA-256 is stored. It ends
at sign-out, after ``idle`` without a request, ``absolute`` after sign-in, or when the
person is disabled. How people sign in (passwords, second factor, single sign-on) is
:mod:`signing.domain.signin`'s; this module only opens sessions for whoever it let in.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
import uuid
import zoneinfo
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from docgen.languages import SUPPORTED
from signing.domain.access import Principal, Role, team_name
from signing.domain.errors import SigningError, Wording
from signing.domain.models import ConsoleSessionRow, PersonRow
from signing.domain.wording import N_

ACTOR_PREFIX = "person:"
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MAX_NAME = 200
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A session's last_seen_at is written at most this often: a page is a read, not a write.
SEEN_EVERY = dt.timedelta(minutes=1)


class PersonError(SigningError):
    """A person cannot be made or changed as asked; ``field`` names what to correct."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PersonNotFound(SigningError):
    def __init__(self, username: str) -> None:
        super().__init__(f"no person is called {username!r}; `plansign users list` shows them")
        self.username = username


@dataclass(frozen=True)
class Person:
    """A person as the console and the command line see them (no secrets)."""

    id: str
    username: str
    display_name: str
    email: str
    role: Role
    team: str | None
    has_password: bool
    has_totp: bool
    single_sign_on: bool
    disabled: bool
    created_at: dt.datetime
    last_sign_in_at: dt.datetime | None
    language: str | None = None
    time_zone: str | None = None

    @property
    def actor(self) -> str:
        return actor_of(self.username)

    @classmethod
    def of(cls, row: PersonRow) -> Person:
        return cls(row.id, row.username, row.display_name, row.email, Role(row.role),
                   row.team, row.password_hash is not None, row.totp_secret is not None,
                   row.oidc_subject is not None, row.disabled_at is not None, row.created_at,
                   row.last_sign_in_at, row.language, row.time_zone)


def actor_of(username: str) -> str:
    """How trails, owners and the access log name a person."""
    return ACTOR_PREFIX + username


def principal_of(person: Person, ip: str | None = None) -> Principal:
    """The person as the access rules see them."""
    return Principal(person.actor, person.role, person.team, label=person.display_name,
                     ip=ip)


def create_person(session: Session, *, username: str, display_name: str, email: str,
                  role: str | Role, team: str | None, password_hash: str | None,
                  now: dt.datetime, created_by: str, oidc_issuer: str | None = None,
                  oidc_subject: str | None = None, language: str | None = None,
                  time_zone: str | None = None) -> Person:
    """A new person; raises :class:`PersonError` naming the field to correct. The password
    arrives hashed (:mod:`signing.domain.signin` hashes and checks passwords)."""
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise PersonError(Wording(N_("a username is 2 to 64 lower-case letters, digits, dots, "
                                     "dashes or underscores, starting with a letter or digit")),
                          "username")
    display_name, email, role, team = _checked(display_name, email, role, team)
    language, time_zone = checked_language(language), checked_time_zone(time_zone)
    if session.scalar(select(PersonRow.id).where(PersonRow.username == username)):
        raise PersonError(Wording(N_("the username %(username)s is taken"), username=username),
                          "username")
    row = PersonRow(id=str(uuid.uuid4()), username=username, display_name=display_name,
                    email=email, role=role.value, team=team, password_hash=password_hash,
                    failed_attempts=0, created_at=now, created_by=created_by,
                    oidc_issuer=oidc_issuer, oidc_subject=oidc_subject,
                    language=language, time_zone=time_zone)
    session.add(row)
    session.flush()
    return Person.of(row)


def _checked(display_name: str, email: str, role: str | Role,
             team: str | None) -> tuple[str, str, Role, str | None]:
    """A person's details, tidied, or :class:`PersonError` naming the one to correct."""
    display_name = " ".join(display_name.split())
    if not display_name or len(display_name) > MAX_NAME:
        raise PersonError(Wording(N_("a name of 1 to %(most)s characters is needed"),
                                  most=MAX_NAME), "display_name")
    email = email.strip()
    if not EMAIL.fullmatch(email) or len(email) > 320:
        raise PersonError(Wording(N_("an email address such as %(example)s is needed"),
                                  example="dana@example.com"), "email")
    checked_role, tidy_team = role_and_team(role, team)
    return display_name, email, checked_role, tidy_team


def role_and_team(role: str | Role, team: str | None) -> tuple[Role, str | None]:
    """A role and team that go together, tidied, or :class:`PersonError` naming the
    field: only HR and managers belong to a team (admins see every plan, records staff
    the archive)."""
    try:
        checked = Role(role)
    except ValueError:
        raise PersonError(Wording(N_("the role is one of %(roles)s"),
                                  roles=", ".join(r.value for r in Role)),
                          "role") from None
    tidy = team_name(team)
    if tidy is not None and checked not in (Role.HR, Role.MANAGER):
        raise PersonError(Wording(N_("only HR and managers belong to a team; admin see every "
                                     "plan")) if checked is Role.ADMIN else
                          Wording(N_("only HR and managers belong to a team; records see the "
                                     "archive")), "team")
    if tidy is not None and (len(tidy) > 200 or not tidy.isprintable()):
        raise PersonError(Wording(N_("a team is 1 to %(most)s printable characters"), most=200),
                          "team")
    return checked, tidy


def update_details(session: Session, row: PersonRow, *, display_name: str, email: str,
                   role: str | Role, team: str | None) -> list[str]:
    """Change a person's name, address, role and team (as single sign-on reports them);
    returns what changed, in words, for the access log."""
    display_name, email, role, team = _checked(display_name, email, role, team)
    changes = [f"{label} {getattr(row, attr)!r} -> {value!r}"
               for label, attr, value in (("name", "display_name", display_name),
                                          ("email", "email", email),
                                          ("role", "role", role.value), ("team", "team", team))
               if getattr(row, attr) != value]
    row.display_name, row.email, row.role, row.team = display_name, email, role.value, team
    session.flush()
    return changes


def checked_language(value: str | None) -> str | None:
    """A person's language (one plansign speaks, lower case), None for "not chosen" (the
    ``default_language`` setting then), or :class:`PersonError` naming ``language``."""
    code = (value or "").strip().lower().replace("_", "-")
    if not code:
        return None
    if code not in SUPPORTED:
        raise PersonError(f"the language is one of {', '.join(SUPPORTED)}, not {value!r}",
                          "language")
    return code


def checked_time_zone(value: str | None) -> str | None:
    """A person's time zone as an IANA name ("Europe/Paris"), None for "not chosen" (each
    page's own zone then), or :class:`PersonError` naming ``time_zone``."""
    name = (value or "").strip()
    if not name:
        return None
    if name not in _time_zones():
        raise PersonError(f"{value!r} is not a time zone; give its IANA name, such as "
                          "Europe/Paris or America/Chicago", "time_zone")
    return name


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def language_of_locale(claim: object) -> str | None:
    """The language plansign speaks that a BCP 47 locale names (an OIDC ``locale`` claim,
    "fr-CA", "de_DE", "ar"), or None: a claim is a hint, never refused."""
    if not isinstance(claim, str):
        return None
    code = claim.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in SUPPORTED else None


def set_preferences(session: Session, row: PersonRow, *, language: str | None,
                    time_zone: str | None) -> list[str]:
    """Set the language the console and plansign's emails speak to a person and the zone
    their times are shown in (None: not chosen), each checked (:class:`PersonError`
    naming the field); returns what changed, in words, for the access log."""
    values = {"language": checked_language(language),
              "time_zone": checked_time_zone(time_zone)}
    changes = [f"{name} {getattr(row, name)!r} -> {value!r}"
               for name, value in values.items() if getattr(row, name) != value]
    row.language, row.time_zone = values["language"], values["time_zone"]
    session.flush()
    return changes


def row_of(session: Session, username: str) -> PersonRow:
    row = session.scalar(select(PersonRow).where(PersonRow.username == username.strip().lower()))
    if row is None:
        raise PersonNotFound(username)
    return row


def find(session: Session, username: str) -> Person:
    return Person.of(row_of(session, username))


def get(session: Session, person_id: str) -> Person | None:
    row = session.get(PersonRow, person_id)
    return None if row is None else Person.of(row)


def list_people(session: Session) -> list[Person]:
    return [Person.of(r) for r in session.scalars(select(PersonRow).order_by(PersonRow.username))]


def disable(session: Session, username: str, now: dt.datetime) -> Person:
    """Disable a person and end their sessions at once; doing it again changes nothing."""
    row = row_of(session, username)
    if row.disabled_at is None:
        row.disabled_at = now
    end_sessions_of(session, row.id, now)
    session.flush()
    return Person.of(row)


def set_password(session: Session, username: str, password_hash: str | None,
                 now: dt.datetime) -> Person:
    """Give a person a new password (hashed by :mod:`signing.domain.signin`; None: none,
    single sign-on only). Every session of theirs ends: whoever knew the old password
    may be signed in with it. A lockout ends too, as an admin's fresh start."""
    row = row_of(session, username)
    row.password_hash = password_hash
    row.failed_attempts, row.locked_until = 0, None
    end_sessions_of(session, row.id, now)
    session.flush()
    return Person.of(row)


def unlock(session: Session, username: str) -> Person:
    """End a lockout now (the failures counted so far are forgotten too)."""
    row = row_of(session, username)
    row.failed_attempts, row.locked_until = 0, None
    session.flush()
    return Person.of(row)


def set_totp(session: Session, person_id: str, secret: str | None, *,
             confirmed_step: int | None, now: dt.datetime) -> Person:
    """Turn the TOTP second factor on (``secret``, confirmed by the code of
    ``confirmed_step``, which is then never taken again) or off (None). Turning it off
    ends every session of theirs, as a changed password does."""
    row = session.get(PersonRow, person_id)
    if row is None:
        raise PersonNotFound(person_id)
    row.totp_secret, row.totp_last_step = secret, confirmed_step
    if secret is None:
        end_sessions_of(session, row.id, now)
    session.flush()
    return Person.of(row)


def reset_totp(session: Session, username: str, now: dt.datetime) -> Person:
    """Remove a person's second factor (a lost phone): they sign in with their password
    alone and may enrol again."""
    return set_totp(session, row_of(session, username).id, None, confirmed_step=None, now=now)


def find_by_subject(session: Session, issuer: str, subject: str) -> PersonRow | None:
    """The person single sign-on links to ``issuer``'s ``subject``, if any."""
    return session.scalar(select(PersonRow).where(PersonRow.oidc_issuer == issuer,
                                                  PersonRow.oidc_subject == subject))


# -- sessions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionLimits:
    idle: dt.timedelta
    absolute: dt.timedelta


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, person_id: str, *, method: str, now: dt.datetime,
                 limits: SessionLimits, ip: str | None = None,
                 user_agent: str | None = None) -> str:
    """A new session for a person who has just signed in; returns the token for the
    cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(ConsoleSessionRow(token_hash=hash_token(token), person_id=person_id,
                                  created_at=now, last_seen_at=now,
                                  expires_at=now + limits.absolute, method=method, ip=ip,
                                  user_agent=(user_agent or None) and user_agent[:500]))
    session.execute(update(PersonRow).where(PersonRow.id == person_id)
                    .values(last_sign_in_at=now))
    session.flush()
    return token


@dataclass(frozen=True)
class SignedIn:
    """The person behind a live session, and the session's hash (for sign-out)."""

    person: Person
    token_hash: str
    method: str
    started_at: dt.datetime


def check_session(session: Session, token: str | None, *, now: dt.datetime,
                  limits: SessionLimits) -> tuple[SignedIn | None, SessionChange]:
    """The person whose live session ``token`` is, and what to write of it: nothing,
    its last request time (at most once a :data:`SEEN_EVERY`), or that it has ended
    (idle, past its absolute limit, its person disabled). Reads only, so that a page
    needs no write lock: the caller writes the change (:func:`apply_change`)."""
    if not token or len(token) > 100:
        return None, SessionChange.NONE
    digest = hash_token(token)
    row = session.get(ConsoleSessionRow, digest)
    if row is None or row.ended_at is not None:
        return None, SessionChange.NONE
    person = session.get(PersonRow, row.person_id)
    if (person is None or person.disabled_at is not None or now >= row.expires_at
            or now - row.last_seen_at >= limits.idle):
        return None, SessionChange.END
    change = SessionChange.TOUCH if now - row.last_seen_at >= SEEN_EVERY else SessionChange.NONE
    return SignedIn(Person.of(person), digest, row.method, row.created_at), change


class SessionChange(StrEnum):
    NONE = "none"
    TOUCH = "touch"
    END = "end"


def apply_change(session: Session, token: str, change: SessionChange, now: dt.datetime) -> None:
    if change is SessionChange.TOUCH:
        session.execute(update(ConsoleSessionRow)
                        .where(ConsoleSessionRow.token_hash == hash_token(token))
                        .values(last_seen_at=now))
    elif change is SessionChange.END:
        end_session(session, hash_token(token), now)


def end_session(session: Session, token_hash: str, now: dt.datetime) -> None:
    session.execute(update(ConsoleSessionRow)
                    .where(ConsoleSessionRow.token_hash == token_hash,
                           ConsoleSessionRow.ended_at.is_(None))
                    .values(ended_at=now))


def end_sessions_of(session: Session, person_id: str, now: dt.datetime) -> None:
    session.execute(update(ConsoleSessionRow)
                    .where(ConsoleSessionRow.person_id == person_id,
                           ConsoleSessionRow.ended_at.is_(None))
                    .values(ended_at=now))

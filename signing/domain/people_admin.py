"""What an administrator changes of people, beyond what :mod:`signing.domain.people`
does itself: a person's role and team, a temporary password to hand over, and the
rules that keep an administrator from locking themselves out.

Built only on :mod:`signing.domain.people`'s public functions, so that it does not
depend on how sign-in (passwords, second factor, single sign-on) is kept.
"""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from signing.domain import people
from signing.domain.access import Role
from signing.domain.errors import Wording
from signing.domain.people import Person, PersonError, row_of
from signing.domain.wording import N_

# Words a temporary password is made of: no look-alikes (l, 1, O, 0) to misread.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_LENGTH = 20


def temporary_password() -> str:
    """A random password to give a new person once (about 115 bits), in groups of
    five so that it can be read out: ``Xk3pq-7fHwz-...``."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(TEMPORARY_LENGTH))
    return "-".join(raw[i:i + 5] for i in range(0, TEMPORARY_LENGTH, 5))


def change_role(session: Session, username: str, *, role: str | Role, team: str | None,
                by: str) -> tuple[Person, Person]:
    """Give a person another role and team; returns them before and after. ``by`` is
    the administrator's username: nobody changes their own role (an admin who made
    themselves records staff could not undo it)."""
    checked, tidy = people.role_and_team(role, team)
    row = row_of(session, username)
    before = Person.of(row)
    if row.username == by.strip().lower() and checked is not before.role:
        raise PersonError(Wording(N_("you cannot change your own role; ask another "
                                     "administrator")),
                          "role")
    row.role, row.team = checked.value, tidy
    session.flush()
    return before, Person.of(row)


def disable_problem(username: str, *, by: str) -> Wording | None:
    """Why ``by`` may not disable ``username``, or None."""
    if username.strip().lower() == by.strip().lower():
        return Wording(N_("you cannot disable your own account; ask another administrator"))
    return None

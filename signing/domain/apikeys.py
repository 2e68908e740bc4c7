"""API keys for HR, records and admin callers of the HTTP API.

A key is ``psk_`` followed by 43 random URL-safe characters. It is shown once, when it
is created; the database keeps only its SHA-256 and its prefix (the first
:data:`PREFIX_LENGTH` characters), which names the key in listings and audit trails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

import webhooks
from archive.models import ArchivedRecord
from signing.domain.access import Role, team_name
from signing.domain.errors import SigningError, Wording
from signing.domain.models import ApiKey, EnvelopeRow
from signing.domain.wording import N_

KEY_PREFIX = "psk_"
PREFIX_LENGTH = len(KEY_PREFIX) + 8
MAX_NAME = 200


class KeyNotFound(SigningError):
    def __init__(self, which: str) -> None:
        self.which = which
        super().__init__(f"no API key {which}")


class AmbiguousKey(SigningError):
    def __init__(self, which: str) -> None:
        self.which = which
        super().__init__(f"more than one API key starts with {which}; give its id")


# The roles a key may have: systems call the API as HR, records staff or an admin.
KEY_ROLES = (Role.HR, Role.RECORDS, Role.ADMIN)


def actor(prefix: str) -> str:
    """How owners and audit trails name a key: ``apikey:psk_ab12cd34``."""
    return f"apikey:{prefix}"


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_key(session: Session, name: str, role: str | Role, now: dt.datetime, *,
               team: str | None = None) -> tuple[ApiKey, str]:
    """A new key; returns its row and the key itself, which is never stored. ``team``
    (hr keys only) is the HR team whose keys share the plans each of them sends."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ValueError(Wording(N_("a key needs a name of 1 to %(most)s characters"),
                                 most=MAX_NAME))
    role = Role(role)
    if role not in KEY_ROLES:
        raise ValueError(Wording(N_("a key's role is one of %(roles)s: managers work in the "
                                    "console, as people, not through keys"),
                                 roles=", ".join(KEY_ROLES)))
    team = _check_team(team, role)
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, role=role.value, prefix=plaintext[:PREFIX_LENGTH],
                 key_hash=hash_key(plaintext), created_at=now, team=team)
    session.add(row)
    session.flush()
    return row, plaintext


def authenticate(session: Session, presented: str | None) -> ApiKey | None:
    """The live key ``presented`` is, or None for a missing, unknown or revoked one."""
    if not presented or not presented.startswith(KEY_PREFIX) or len(presented) > 200:
        return None
    digest = hash_key(presented)
    candidates = session.scalars(
        select(ApiKey).where(ApiKey.prefix == presented[:PREFIX_LENGTH]))
    for row in candidates:
        if hmac.compare_digest(row.key_hash, digest):
            return row if row.revoked_at is None else None
    return None


def find(session: Session, prefix_or_id: str) -> ApiKey:
    """A key by its id or its prefix (as ``keys list`` shows them)."""
    which = prefix_or_id.strip()
    if which.isdigit():
        row = session.get(ApiKey, int(which))
        if row is None:
            raise KeyNotFound(which)
        return row
    rows = list(session.scalars(select(ApiKey).where(ApiKey.prefix == which[:PREFIX_LENGTH])))
    if not rows or len(which) < PREFIX_LENGTH:
        raise KeyNotFound(which)
    if len(rows) > 1:
        raise AmbiguousKey(which)
    return rows[0]


def revoke(session: Session, prefix_or_id: str, now: dt.datetime) -> ApiKey:
    """Revoke a key at once; revoking it again keeps the first time."""
    row = find(session, prefix_or_id)
    if row.revoked_at is None:
        row.revoked_at = now
        # Its webhook endpoints stop too: no one answers for them any more.
        webhooks.follow_owner(session, actor(row.prefix), team=row.team, revoked_at=now)
        session.flush()
    return row


def set_team(session: Session, prefix_or_id: str, team: str | None, *,
             with_plans: bool = False) -> tuple[ApiKey, int]:
    """Put an hr key in a team (or in none): from now on it sees that team's plans, and
    the team sees the plans it sends from now on; ``with_plans``, also those it sent
    before, out for signature and archived (how a key's plans are handed to a team, when
    it is rotated or its holder leaves; a revoked key's too). Returns the key and how
    many plans changed team."""
    row = find(session, prefix_or_id)
    row.team = _check_team(team, Role(row.role))
    moved = 0
    if with_plans:
        owner = actor(row.prefix)
        moved = len(session.scalars(select(EnvelopeRow.id)
                                    .where(EnvelopeRow.owner == owner)).all())
        session.execute(update(EnvelopeRow).where(EnvelopeRow.owner == owner)
                        .values(team=row.team))
        session.execute(update(ArchivedRecord).where(ArchivedRecord.sent_by == owner)
                        .values(team=row.team))
    # Its webhook endpoints hear of what it may see: the new team's plans, not the old's.
    webhooks.follow_owner(session, actor(row.prefix), team=row.team)
    session.flush()
    return row, moved


def _check_team(team: str | None, role: Role) -> str | None:
    checked = team_name(team)
    if checked is None:
        return None
    if role is not Role.HR:
        raise ValueError(Wording(N_("only hr keys belong to a team; an admin key sees every "
                                    "plan already")) if role is Role.ADMIN
                         else Wording(N_("only hr keys belong to a team; a records key sees "
                                         "the archive already")))
    if len(checked) > MAX_NAME or not checked.isprintable():
        raise ValueError(Wording(N_("a team is 1 to %(most)s printable characters"),
                                 most=MAX_NAME))
    return checked


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))

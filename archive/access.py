"""The archive's access log: every search, view and download, allowed or denied, with who
(the API key's name or the CLI user), when, what and from where. Written in the same
transaction as nothing else: a read is logged even when what it read was corrupt."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import AccessEntry

MAX_DETAIL = 2000
ACTION_CHARS = 40  # the column's length (migration 0006)


@dataclass(frozen=True)
class Reader:
    """Who reads: ``actor`` as people know them (``apikey:psk_ab12cd34 (Records team)``,
    ``cli:riley``), their role, and their address when they came over the network."""

    actor: str
    role: str | None = None
    ip: str | None = None


def log_access(session: Session, reader: Reader, action: str, *, now: dt.datetime,
               envelope_id: str | None = None, detail: str | None = None,
               allowed: bool = True) -> AccessEntry:
    entry = AccessEntry(at=now, actor=reader.actor[:200], role=reader.role,
                        action=action[:ACTION_CHARS],
                        envelope_id=envelope_id[:36] if envelope_id else None,
                        detail=detail[:MAX_DETAIL] if detail else None, ip=reader.ip,
                        allowed=allowed)
    session.add(entry)
    session.flush()
    return entry


def access_log(session: Session, *, envelope_id: str | None = None, limit: int = 100,
               denied_only: bool = False) -> list[AccessEntry]:
    """The newest entries first."""
    query = select(AccessEntry).order_by(AccessEntry.at.desc(), AccessEntry.id.desc())
    if envelope_id:
        query = query.where(AccessEntry.envelope_id == envelope_id)
    if denied_only:
        query = query.where(AccessEntry.allowed.is_(False))
    return list(session.scalars(query.limit(limit)))

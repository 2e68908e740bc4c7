"""Envelopes and webhook endpoints as a principal may have them: the rules of
:mod:`signing.access` checked, and every read of an envelope and every refusal written
to the access log (the archive's, so that one log answers who read a person's record,
before and after it was archived).

A refusal is told as the not-found error of the thing asked for, exactly as for an id
that does not exist, so an id that is not the caller's is never confirmed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import webhooks
from archive import log_access
from signing import access
from signing.access import Principal
from signing.envelopes import EnvelopeNotFound
from signing.models import EnvelopeRow

_E = EnvelopeRow.__table__
_OWNERSHIP = select(_E.c.owner, _E.c.team, _E.c.state)


def check_read(sessions: sessionmaker[Session], principal: Principal, envelope_id: str,
               action: str, *, now: dt.datetime) -> None:
    """Allow ``principal`` to read ``envelope_id`` (``action`` names what, for the log:
    ``status``, ``events``, ``download original.pdf``) and log the read; or log the
    refusal and raise :class:`EnvelopeNotFound`."""
    _check(sessions, principal, envelope_id, action, now=now, change=False)


def check_change(sessions: sessionmaker[Session], principal: Principal, envelope_id: str,
                 action: str, *, now: dt.datetime) -> None:
    """Allow ``principal`` to change ``envelope_id`` (void it, resend a link), which its
    audit trail then records; or log the refusal and raise :class:`EnvelopeNotFound`."""
    _check(sessions, principal, envelope_id, action, now=now, change=True)


def _check(sessions: sessionmaker[Session], principal: Principal, envelope_id: str,
           action: str, *, now: dt.datetime, change: bool) -> None:
    with sessions() as session:
        row = session.execute(_OWNERSHIP.where(_E.c.id == envelope_id)).one_or_none()
    detail: str | None
    if row is None:
        allowed, detail = False, "no such envelope"
    elif change:
        allowed = access.may_change_envelope(principal, owner=row.owner, team=row.team)
        detail = None if allowed else f"denied: not this {principal.role}'s envelope"
    else:
        allowed = access.may_read_envelope(principal, owner=row.owner, team=row.team,
                                           state=row.state)
        detail = None if allowed else f"denied: not this {principal.role}'s envelope"
    if allowed and change:
        return  # the audit trail records what was done
    with sessions.begin() as session:
        log_access(session, access.access_reader(principal), f"envelope {action}", now=now,
                   envelope_id=envelope_id, allowed=allowed, detail=detail)
    if not allowed:
        raise EnvelopeNotFound(envelope_id)


def check_endpoint(sessions: sessionmaker[Session], principal: Principal, endpoint_id: str,
                   action: str, *, now: dt.datetime) -> None:
    """Allow ``principal`` to manage webhook endpoint ``endpoint_id``; or log the refusal
    and raise :class:`webhooks.EndpointNotFound`."""
    with sessions() as session:
        try:
            owner = webhooks.get_endpoint(session, endpoint_id).created_by
        except webhooks.EndpointNotFound:
            owner = None
    if owner is None or not access.may_manage_endpoint(principal, created_by=owner):
        _refuse(sessions, principal, f"webhook {action}", now=now,
                detail=f"webhook endpoint {endpoint_id[:40]}: "
                       + ("no such endpoint" if owner is None else "denied: not its owner"))
        raise webhooks.EndpointNotFound(endpoint_id)


def check_message(sessions: sessionmaker[Session], principal: Principal, message_id: str,
                  action: str, *, now: dt.datetime) -> None:
    """Allow ``principal`` to see or redeliver webhook message ``message_id`` (its
    endpoint's owner, or an admin); or log the refusal and raise
    :class:`webhooks.MessageNotFound`."""
    with sessions() as session:
        try:
            message = webhooks.get_message(session, message_id)
            owner: str | None = webhooks.get_endpoint(session, message.endpoint_id).created_by
        except (webhooks.MessageNotFound, webhooks.EndpointNotFound):
            owner = None
    if owner is None or not access.may_manage_endpoint(principal, created_by=owner):
        _refuse(sessions, principal, f"webhook {action}", now=now,
                detail=f"webhook message {message_id[:40]}: "
                       + ("no such message" if owner is None else "denied: not its owner"))
        raise webhooks.MessageNotFound(message_id)


def _refuse(sessions: sessionmaker[Session], principal: Principal, action: str, *,
            now: dt.datetime, detail: str, envelope_id: str | None = None) -> None:
    with sessions.begin() as session:
        log_access(session, access.access_reader(principal), action, now=now,
                   envelope_id=envelope_id, allowed=False, detail=detail)

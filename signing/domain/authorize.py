"""Envelopes and webhook endpoints as a principal may have them: the rules of
:mod:`signing.domain.access` checked, and every read of an envelope and every refusal written
to the access log (the archive's, so that one log answers who read a person's record,
before and after it was archived).

A refusal is told as the not-found error of the thing asked for, exactly as for an id
that does not exist, so an id that is not the caller's is never confirmed. Ownership is
read with a reading session (no write lock); only the log entry is a write.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Select, false, or_, select

import webhooks
from archive import log_access
from signing.domain import access
from signing.domain.access import Principal
from signing.domain.envelopes import EnvelopeNotFound
from signing.domain.models import EnvelopeRow

if TYPE_CHECKING:
    from signing.services import Services

_E = EnvelopeRow.__table__
_OWNERSHIP = select(_E.c.owner, _E.c.team, _E.c.state, _E.c.drafted_by)


def check_read(services: Services, principal: Principal, envelope_id: str, action: str, *,
               now: dt.datetime) -> None:
    """Allow ``principal`` to read ``envelope_id`` (``action`` names what, for the log:
    ``status``, ``events``, ``download original.pdf``) and log the read; or log the
    refusal and raise :class:`EnvelopeNotFound`."""
    _check(services, principal, envelope_id, action, now=now, change=False)


def check_change(services: Services, principal: Principal, envelope_id: str, action: str, *,
                 now: dt.datetime) -> None:
    """Allow ``principal`` to change ``envelope_id`` (void it, resend a link), which its
    audit trail then records; or log the refusal and raise :class:`EnvelopeNotFound`."""
    _check(services, principal, envelope_id, action, now=now, change=True)


def check_case(services: Services, principal: Principal, envelope_id: str, action: str, *,
               now: dt.datetime) -> None:
    """Allow ``principal`` to read or record on ``envelope_id``'s case (``action``:
    ``case``, ``record check-in``), and log it, allowed or not: a case holds what was
    said about a person at each meeting. Refused as :class:`EnvelopeNotFound`."""
    with services.readers() as session:
        row = session.execute(_OWNERSHIP.where(_E.c.id == envelope_id)).one_or_none()
    allowed = row is not None and access.may_work_case(
        principal, owner=row.owner, team=row.team, drafted_by=row.drafted_by)
    detail = (None if allowed else "no such envelope" if row is None
              else f"denied: not this {principal.role}'s case")
    _log(services, principal, action, now=now, envelope_id=envelope_id, allowed=allowed,
         detail=detail)
    if not allowed:
        raise EnvelopeNotFound(envelope_id)


def visible_envelopes(principal: Principal) -> Select[tuple[str]] | None:
    """The ids of the envelopes ``principal`` may read, as a subquery for listings; None
    for a principal who may read every one."""
    if principal.sees_all:
        return None
    if principal.role is access.Role.RECORDS:
        return select(_E.c.id).where(_E.c.state.in_(access.RECORDS_STATES))
    if principal.role is access.Role.MANAGER:
        return select(_E.c.id).where(_E.c.drafted_by == principal.actor)
    return select(_E.c.id).where(or_(
        _E.c.owner == principal.actor,
        _E.c.team == principal.team if principal.team is not None else false()))


def check_endpoint(services: Services, principal: Principal, endpoint_id: str, action: str,
                   *, now: dt.datetime) -> None:
    """Allow ``principal`` to manage webhook endpoint ``endpoint_id``; or log the refusal
    and raise :class:`webhooks.EndpointNotFound`."""
    with services.readers() as session:
        try:
            owner: str | None = webhooks.get_endpoint(session, endpoint_id).created_by
        except webhooks.EndpointNotFound:
            owner = None
    if owner is None or not access.may_manage_endpoint(principal, created_by=owner):
        refuse(services, principal, f"webhook {action}", now=now,
               detail=f"webhook endpoint {endpoint_id[:40]}: "
                      + ("no such endpoint" if owner is None else "denied: not its owner"))
        raise webhooks.EndpointNotFound(endpoint_id)


def check_message(services: Services, principal: Principal, message_id: str, action: str, *,
                  now: dt.datetime) -> None:
    """Allow ``principal`` to see or redeliver webhook message ``message_id``: its
    endpoint's owner, about a plan the owner may still see, or an admin; or log the
    refusal and raise :class:`webhooks.MessageNotFound`."""
    problem = None
    with services.readers() as session:
        try:
            message = webhooks.get_message(session, message_id)
            owner = webhooks.get_endpoint(session, message.endpoint_id).created_by
        except (webhooks.MessageNotFound, webhooks.EndpointNotFound):
            problem = "no such message"
        else:
            envelope = session.execute(_OWNERSHIP.where(_E.c.id == message.ordering_key)
                                       ).one_or_none()
            if not access.may_manage_endpoint(principal, created_by=owner):
                problem = "denied: not its endpoint's owner"
            elif not principal.sees_all and (envelope is None or not access.may_read_envelope(
                    principal, owner=envelope.owner, team=envelope.team,
                    state=envelope.state, drafted_by=envelope.drafted_by)):
                problem = "denied: about a plan its owner may not see"
    if problem is not None:
        refuse(services, principal, f"webhook {action}", now=now,
               detail=f"webhook message {message_id[:40]}: {problem}")
        raise webhooks.MessageNotFound(message_id)


def refuse(services: Services, principal: Principal, action: str, *, now: dt.datetime,
           detail: str, envelope_id: str | None = None) -> None:
    """Log a refusal of ``principal``'s request (the caller then says no)."""
    _log(services, principal, action, now=now, envelope_id=envelope_id, allowed=False,
         detail=detail)


def _check(services: Services, principal: Principal, envelope_id: str, action: str, *,
           now: dt.datetime, change: bool) -> None:
    with services.readers() as session:
        row = session.execute(_OWNERSHIP.where(_E.c.id == envelope_id)).one_or_none()
    detail: str | None
    if row is None:
        allowed, detail = False, "no such envelope"
    else:
        allowed = (access.may_change_envelope(principal, owner=row.owner, team=row.team)
                   if change else
                   access.may_read_envelope(principal, owner=row.owner, team=row.team,
                                            state=row.state, drafted_by=row.drafted_by))
        detail = None if allowed else f"denied: not this {principal.role}'s envelope"
    if allowed and change:
        return  # the audit trail records what was done
    _log(services, principal, f"envelope {action}", now=now, envelope_id=envelope_id,
         allowed=allowed, detail=detail)
    if not allowed:
        raise EnvelopeNotFound(envelope_id)


def _log(services: Services, principal: Principal, action: str, *, now: dt.datetime,
         envelope_id: str | None, allowed: bool, detail: str | None) -> None:
    with services.sessions.begin() as session:
        log_access(session, access.access_reader(principal), action, now=now,
                   envelope_id=envelope_id, allowed=allowed, detail=detail)

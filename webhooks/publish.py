"""Publishing an event: one message per endpoint that wants it, in the caller's
transaction, so the event is queued for delivery if and only if the caller commits.

The body is made here, once, in the Standard Webhooks shape
``{"type": ..., "timestamp": ..., "data": {...}}``; the caller gives ``data`` and is
responsible for keeping it thin.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webhooks.endpoints import Scope, fold
from webhooks.errors import InvalidInput
from webhooks.events import EVENT_TYPES
from webhooks.models import WebhookEndpoint, WebhookMessage

_ENDPOINTS = WebhookEndpoint.__table__
_MESSAGES = WebhookMessage.__table__


def new_message_id() -> str:
    return "msg_" + uuid.uuid4().hex


def body_of(event_type: str, data: Mapping[str, Any], occurred_at: dt.datetime) -> str:
    """The JSON text that is signed and sent: compact, ASCII, keys in a fixed order."""
    return json.dumps({"type": event_type, "timestamp": _iso(occurred_at), "data": data},
                      separators=(",", ":"), sort_keys=True)


def publish(session: Session, event_type: str, data: Mapping[str, Any], *, ordering_key: str,
            now: dt.datetime, owner: str | None = None, team: str | None = None,
            manager: str | None = None, department: str | None = None,
            endpoint_names: Iterable[str] = (), event_key: str | None = None,
            position: int | None = None, occurred_at: dt.datetime | None = None,
            data_for: Callable[[str], Mapping[str, Any]] | None = None) -> list[str]:
    """Queue ``event_type`` for every enabled endpoint that subscribes to it, whose
    owner may see the plan, and whose scope takes the plan (``manager`` email,
    ``department``) or that is named in ``endpoint_names``.

    An endpoint's owner may see the plan when it sees every plan, or is the plan's
    ``owner``, or is of the plan's ``team``. ``data_for``, if given, makes each
    endpoint's own data from its id (a link that names who followed it), instead of
    ``data`` for all.

    ``ordering_key`` (an envelope id) and ``position`` order the messages one endpoint
    receives for the same key; ``position`` defaults to ``now`` in microseconds. With
    ``event_key``, publishing the same event again adds nothing (an outbox handler that
    runs twice). Returns the ids of the event's messages.
    """
    if event_type not in EVENT_TYPES:
        raise InvalidInput("event_type", f"{event_type!r} is not an event type")
    names = [n for n in endpoint_names if n]
    chosen = _endpoints(session, event_type, owner, team, manager, department, names)
    if not chosen:
        return []
    key = event_key or new_message_id()
    body = body_of(event_type, data, occurred_at or now)
    order = position if position is not None else int(now.timestamp() * 1_000_000)
    rows = [{"id": new_message_id(), "endpoint_id": endpoint_id, "event_key": key,
             "event_type": event_type,
             "payload": (body if data_for is None
                         else body_of(event_type, data_for(endpoint_id), occurred_at or now)),
             "ordering_key": ordering_key,
             "position": order, "created_at": now, "next_attempt_at": now, "attempts": 0,
             "tries": 0} for endpoint_id in chosen]
    session.execute(_insert_ignoring_repeats(session), rows)
    return list(session.scalars(select(WebhookMessage.id).where(
        WebhookMessage.event_key == key, WebhookMessage.endpoint_id.in_(chosen))))


def _endpoints(session: Session, event_type: str, owner: str | None, team: str | None,
               manager: str | None, department: str | None, names: list[str]) -> list[str]:
    may_see: list[ColumnElement[bool]] = [_ENDPOINTS.c.sees_all.is_(True)]
    if owner:
        may_see.append(_ENDPOINTS.c.created_by == owner)
    if team:
        may_see.append(_ENDPOINTS.c.owner_team == team)
    scoped: list[ColumnElement[bool]] = [_ENDPOINTS.c.scope == Scope.ALL]
    if manager:
        scoped.append((_ENDPOINTS.c.scope == Scope.MANAGER)
                      & (_ENDPOINTS.c.filter_key == fold(manager)))
    if department:
        scoped.append((_ENDPOINTS.c.scope == Scope.DEPARTMENT)
                      & (_ENDPOINTS.c.filter_key == fold(department)))
    if names:
        scoped.append(_ENDPOINTS.c.name.in_(names))
    rows = session.execute(select(_ENDPOINTS.c.id, _ENDPOINTS.c.event_types)
                           .where(_ENDPOINTS.c.disabled_at.is_(None), or_(*may_see),
                                  or_(*scoped))
                           .order_by(_ENDPOINTS.c.id))
    # Subscriptions are a short JSON list: matched here, the same on every database.
    return [row.id for row in rows if event_type in row.event_types]


def _insert_ignoring_repeats(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(_MESSAGES).on_conflict_do_nothing(
            index_elements=["endpoint_id", "event_key"])
    if dialect == "sqlite":
        return sqlite.insert(_MESSAGES).on_conflict_do_nothing(
            index_elements=["endpoint_id", "event_key"])
    return _MESSAGES.insert()  # elsewhere a repeat fails on the unique constraint


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

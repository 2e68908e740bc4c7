"""Registering and managing endpoints: add, list, get, disable, enable, rotate the secret.

Every function checks its input before it changes anything and raises
:class:`~webhooks.errors.InvalidInput` naming the field at fault. The caller owns the
transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets as random_ids
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from webhooks.addresses import Resolver, check_url, system_resolve
from webhooks.errors import N_, EndpointNotFound, InvalidInput, ScopeNotAllowed
from webhooks.events import check_event_types
from webhooks.models import WebhookEndpoint
from webhooks.signatures import new_secret

# An endpoint's name, as plans give it (`manager.webhook`); docgen's plan model checks
# the same pattern (a test keeps them equal).
NAME_PATTERN = r"[a-z0-9][a-z0-9._-]{0,63}"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_DESCRIPTION = 500
MAX_REASON = 400
MAX_OVERLAP = dt.timedelta(days=7)


class Scope(StrEnum):
    ALL = "all"                # every plan
    MANAGER = "manager"        # plans whose manager has this email address
    DEPARTMENT = "department"  # plans of this department
    NAMED = "named"            # only plans that name the endpoint


@dataclass(frozen=True)
class Created:
    """A new endpoint and its secret, which is shown this once."""

    endpoint: WebhookEndpoint
    secret: str


def fold(text: str) -> str:
    """What filters compare: case and runs of spaces do not matter."""
    return " ".join(text.split()).casefold()


def create_endpoint(session: Session, *, url: object, events: object, name: object = None,
                    description: object = None, manager: object = None,
                    department: object = None, named_only: bool = False, created_by: str,
                    owner_team: str | None = None, sees_all: bool = False,
                    now: dt.datetime, allow_private: bool,
                    resolve: Resolver | None = system_resolve) -> Created:
    """Register an endpoint; its secret is in the answer and never shown again.

    ``created_by`` owns it. It receives events only for the plans its owner may see:
    every plan when ``sees_all`` (an admin), else those the owner sent and those of its
    team (``owner_team``), as :func:`~webhooks.publish` is told them. Only an owner who
    sees every plan may register one with scope ``all``."""
    checked_url = check_url(url, allow_private=allow_private, resolve=resolve)
    event_types = check_event_types(events)
    checked_name = _check_name(session, name)
    scope, value = _check_scope(manager, department, named_only)
    if scope is Scope.ALL and not sees_all:
        raise ScopeNotAllowed()
    if named_only and checked_name is None:
        raise InvalidInput("name", N_("an endpoint only for plans that name it needs a name"))
    endpoint = WebhookEndpoint(
        id="ep_" + random_ids.token_hex(8), name=checked_name, url=checked_url,
        description=_check_text(description, "description", MAX_DESCRIPTION),
        event_types=list(event_types), scope=scope, filter_value=value,
        filter_key=fold(value) if value is not None else None, secret=new_secret(),
        created_at=now, created_by=created_by, owner_team=owner_team, sees_all=sees_all)
    session.add(endpoint)
    session.flush()
    return Created(endpoint, endpoint.secret)


def list_endpoints(session: Session, *,
                   created_by: str | None = None) -> Sequence[WebhookEndpoint]:
    """Every endpoint, or only those ``created_by`` owns."""
    query = select(WebhookEndpoint)
    if created_by is not None:
        query = query.where(WebhookEndpoint.created_by == created_by)
    return session.scalars(query.order_by(WebhookEndpoint.created_at,
                                          WebhookEndpoint.id)).all()


def get_endpoint(session: Session, endpoint_id: str, *, lock: bool = False) -> WebhookEndpoint:
    query = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    endpoint = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if endpoint is None:
        raise EndpointNotFound(endpoint_id)
    return endpoint


def hears_of(endpoint: WebhookEndpoint, *, owner: str, team: str | None) -> bool:
    """Whether the endpoint's owner may see a plan of ``owner`` and ``team``, so that it
    may receive its events (:func:`~webhooks.publish` asks the same in SQL)."""
    return (endpoint.sees_all or endpoint.created_by == owner
            or (team is not None and endpoint.owner_team == team))


def find_by_name(session: Session, name: str) -> WebhookEndpoint | None:
    return session.scalars(select(WebhookEndpoint)
                           .where(WebhookEndpoint.name == name)).one_or_none()


def disable_endpoint(session: Session, endpoint_id: str, *, reason: object,
                     now: dt.datetime) -> WebhookEndpoint:
    """Stop sending to an endpoint. Its pending messages wait, and go out if it is
    enabled again. Disabling a disabled endpoint keeps the first reason."""
    text = _check_text(reason, "reason", MAX_REASON)
    if text is None:
        raise InvalidInput("reason", N_("say why the endpoint is disabled"))
    endpoint = get_endpoint(session, endpoint_id, lock=True)
    if endpoint.disabled_at is None:
        endpoint.disabled_at, endpoint.disabled_reason = now, text
    return endpoint


def enable_endpoint(session: Session, endpoint_id: str) -> WebhookEndpoint:
    endpoint = get_endpoint(session, endpoint_id, lock=True)
    endpoint.disabled_at = endpoint.disabled_reason = None
    return endpoint


def rotate_secret(session: Session, endpoint_id: str, *, overlap: dt.timedelta,
                  now: dt.datetime) -> str:
    """A new secret; the current one keeps signing too until ``overlap`` has passed, so
    the receiver can switch without losing a message. Returns the new secret, once.
    A secret still in an earlier overlap stops signing at once."""
    if not dt.timedelta(0) <= overlap <= MAX_OVERLAP:
        raise InvalidInput("overlap_hours", N_("must be between 0 and %(most)s hours"),
                           most=MAX_OVERLAP.days * 24)
    endpoint = get_endpoint(session, endpoint_id, lock=True)
    endpoint.previous_secret = endpoint.secret if overlap else None
    endpoint.previous_secret_expires_at = now + overlap if overlap else None
    endpoint.secret = new_secret()
    return endpoint.secret


def follow_owner(session: Session, created_by: str, *, team: str | None,
                 revoked_at: dt.datetime | None = None) -> int:
    """Keep the endpoints ``created_by`` owns in step with their owner: in ``team`` now
    (so they hear of that team's plans, and no longer of the last one's), and, when the
    owner's key was revoked at ``revoked_at``, disabled. Returns how many changed."""
    endpoints = session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.created_by == created_by).with_for_update()).all()
    for endpoint in endpoints:
        endpoint.owner_team = team
        if revoked_at is not None and endpoint.disabled_at is None:
            endpoint.disabled_at = revoked_at
            endpoint.disabled_reason = "its owner's API key was revoked"
    session.flush()
    return len(endpoints)


def signing_secrets(endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    """The secrets that sign a message sent at ``now``: the current one, and the previous
    one while its overlap lasts."""
    return secrets_at(endpoint.secret, endpoint.previous_secret,
                      endpoint.previous_secret_expires_at, now)


def secrets_at(current: str, previous: str | None, until: dt.datetime | None,
               now: dt.datetime) -> list[str]:
    if previous is not None and until is not None and now < until:
        return [current, previous]
    return [current]


def _check_name(session: Session, name: object) -> str | None:
    if name is None or name == "":
        return None
    if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name):
        raise InvalidInput("name", N_("%(name)s is not an endpoint name: 1 to 64 lower-case "
                                      "letters, digits, '.', '_' or '-', starting with a "
                                      "letter or digit"), name=repr(name))
    if find_by_name(session, name) is not None:
        raise InvalidInput("name", N_("an endpoint named %(name)s already exists"), name=name)
    return name


def _check_scope(manager: object, department: object,
                 named_only: bool) -> tuple[Scope, str | None]:
    given = [f for f, v in (("manager", manager), ("department", department),
                            ("named_only", named_only or None)) if v is not None]
    if len(given) > 1:
        if len(given) == 2:
            raise InvalidInput(given[1], N_("give at most one of manager, department and "
                                            "named_only (got %(first)s and %(second)s)"),
                               first=given[0], second=given[1])
        raise InvalidInput(given[1], N_("give at most one of manager, department and "
                                        "named_only (got %(first)s and %(second)s and "
                                        "%(third)s)"),
                           first=given[0], second=given[1], third=given[2])
    if manager is not None:
        if not isinstance(manager, str) or not _EMAIL.fullmatch(manager.strip()) \
                or len(manager.strip()) > 254:
            raise InvalidInput("manager", N_("%(manager)s is not an email address; filter by "
                                             "the manager's email as the plan gives it"),
                               manager=repr(manager))
        return Scope.MANAGER, manager.strip().lower()
    if department is not None:
        text = _check_text(department, "department", 200)
        if text is None:
            raise InvalidInput("department", N_("give the department's name"))
        return Scope.DEPARTMENT, text
    return (Scope.NAMED if named_only else Scope.ALL), None


def _check_text(value: object, field: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(field, N_("must be text"))
    text = " ".join(value.split())
    if len(text) > limit:
        raise InvalidInput(field, N_("is %(length)s characters long; the limit is %(most)s"),
                           length=len(text), most=limit)
    if any(not c.isprintable() for c in text):
        raise InvalidInput(field, N_("contains control characters"))
    return text or None

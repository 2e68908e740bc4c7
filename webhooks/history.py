"""The delivery log: messages with their attempts, and sending one again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from webhooks.endpoints import get_endpoint
from webhooks.errors import EndpointDisabled, MessageNotFound
from webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookMessage

MAX_LIMIT = 500


def list_messages(session: Session, *, endpoint_id: str | None = None, failed: bool = False,
                  limit: int = 50, created_by: str | None = None,
                  ordering_keys: Select[tuple[str]] | None = None) -> Sequence[WebhookMessage]:
    """The newest messages first; only one endpoint's, only failed ones, only those of
    the endpoints ``created_by`` owns, only those whose ordering key (the envelope they
    are about) ``ordering_keys`` selects, if asked."""
    query = select(WebhookMessage)
    if endpoint_id is not None:
        get_endpoint(session, endpoint_id)  # an unknown endpoint is an error, not "none"
        query = query.where(WebhookMessage.endpoint_id == endpoint_id)
    if created_by is not None:
        query = query.where(WebhookMessage.endpoint_id.in_(
            select(WebhookEndpoint.id).where(WebhookEndpoint.created_by == created_by)))
    if ordering_keys is not None:
        query = query.where(WebhookMessage.ordering_key.in_(ordering_keys))
    if failed:
        query = query.where(WebhookMessage.failed_at.is_not(None))
    return session.scalars(query.order_by(WebhookMessage.created_at.desc(),
                                          WebhookMessage.position.desc())
                           .limit(max(1, min(limit, MAX_LIMIT)))).all()


def get_message(session: Session, message_id: str, *, lock: bool = False) -> WebhookMessage:
    query = select(WebhookMessage).where(WebhookMessage.id == message_id)
    message = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if message is None:
        raise MessageNotFound(message_id)
    return message


def attempts_of(session: Session, message_ids: Sequence[str]) -> dict[str, list[WebhookAttempt]]:
    """Each message's attempts, oldest first."""
    found: dict[str, list[WebhookAttempt]] = {m: [] for m in message_ids}
    if message_ids:
        for attempt in session.scalars(select(WebhookAttempt)
                                       .where(WebhookAttempt.message_id.in_(message_ids))
                                       .order_by(WebhookAttempt.message_id,
                                                 WebhookAttempt.number)):
            found[attempt.message_id].append(attempt)
    return found


def redeliver(session: Session, message_id: str, *, now: dt.datetime) -> WebhookMessage:
    """Queue a message again, delivered or failed, with the same id and body and a fresh
    retry schedule; a pending one is made due now. Its endpoint must be enabled."""
    message = get_message(session, message_id, lock=True)
    endpoint = get_endpoint(session, message.endpoint_id)
    if endpoint.disabled_at is not None:
        raise EndpointDisabled(endpoint.id, endpoint.disabled_reason)
    message.delivered_at = message.failed_at = None
    message.next_attempt_at = now
    message.tries = 0
    return message

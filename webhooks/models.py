"""The webhook tables: endpoints, one message per event per endpoint, and every attempt.

A message's body is stored as the exact text that is signed and sent, so every retry
sends the same bytes under the same ``webhook-id``. A message is pending while its
``next_attempt_at`` is set; delivering it or giving up clears it, so the due-index only
holds pending messages however long the history grows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from database import Base, UTCDateTime


class WebhookEndpoint(Base):
    """A receiver: its URL, the events it wants, whose plans, and its signing secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Plans name an endpoint by this (``manager.webhook``); optional, unique when given.
    name: Mapped[str | None] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(500))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    # all: every plan; manager or department: only plans whose manager's email or whose
    # department is filter_value; named: only plans that name this endpoint. A plan that
    # names an endpoint reaches it whatever its scope.
    scope: Mapped[str] = mapped_column(String(20))
    filter_value: Mapped[str | None] = mapped_column(String(254))
    # filter_value folded (case, spaces) for matching.
    filter_key: Mapped[str | None] = mapped_column(String(254), index=True)
    # Signing secrets (whsec_...). HMAC needs them as they are, so they cannot be hashed;
    # they are shown once, when made. During a rotation's overlap both sign.
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Its owner, who alone (with admins) may manage it: the caller that made it. An
    # endpoint receives events only for plans its owner may see: every plan when
    # ``sees_all`` (an admin's), else the owner's own and its team's (``owner_team``).
    created_by: Mapped[str] = mapped_column(String(200))
    owner_team: Mapped[str | None] = mapped_column(String(200))
    sees_all: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))


class WebhookMessage(Base):
    """One event for one endpoint, delivered at least once under one stable id."""

    __tablename__ = "webhook_messages"
    __table_args__ = (
        # Publishing the same event twice (a rerun outbox handler) adds nothing.
        UniqueConstraint("endpoint_id", "event_key"),
        # The ordering check: earlier pending messages for the same endpoint and key.
        Index("ix_webhook_messages_order", "endpoint_id", "ordering_key", "position"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id"))
    event_key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(50))
    payload: Mapped[str] = mapped_column(Text)
    # Messages with the same endpoint and ordering key (an envelope id) are delivered in
    # ``position`` order: one is not attempted while an earlier one is pending.
    ordering_key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Set while pending (also while leased to a worker); None once delivered or failed.
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    # Attempts since it was last queued (redeliver queues it again): the retry schedule
    # counts these.
    tries: Mapped[int] = mapped_column(Integer)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))

    @property
    def status(self) -> str:
        if self.delivered_at is not None:
            return "delivered"
        if self.failed_at is not None:
            return "failed"
        return "pending"


class WebhookAttempt(Base):
    """One try at delivering a message: what came back, and how long it took."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (UniqueConstraint("message_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("webhook_messages.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(String(500))


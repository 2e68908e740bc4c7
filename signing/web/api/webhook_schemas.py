"""The pydantic models of the webhook operations. No response holds a secret except the
two that make one (create, rotate), which show it once."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

import webhooks
from webhooks import WebhookAttempt, WebhookEndpoint, WebhookMessage

if TYPE_CHECKING:
    EventType = str  # the names are data (webhooks.EVENT_TYPES); each one is a str
else:
    EventType = Literal[tuple(webhooks.EVENT_TYPES)]  # an enum in the OpenAPI document


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateWebhook(_Model):
    """An endpoint to send events to. At most one of manager, department, named_only."""

    url: str = Field(max_length=2000, description="https URL that receives the events.")
    events: list[EventType] = Field(min_length=1, description="The event types it wants.")
    name: str | None = Field(None, pattern=f"^{webhooks.NAME_PATTERN}$", description=(
        "A name plans can give as `manager.webhook` to send their events here."))
    description: str | None = Field(None, max_length=500)
    manager: str | None = Field(None, max_length=254, description=(
        "Only plans whose manager has this email address (or that name the endpoint)."))
    department: str | None = Field(None, max_length=200, description=(
        "Only plans of this department (or that name the endpoint)."))
    named_only: StrictBool = Field(False, description="Only plans that name the endpoint.")


class DisableWebhook(_Model):
    reason: str = Field(min_length=1, max_length=400, description="Why it is disabled.")


class RotateSecret(_Model):
    overlap_hours: float = Field(24, ge=0, le=168, description=(
        "Hours the old secret keeps signing beside the new one."))


class DeliveriesQuery(_Model):
    endpoint_id: str | None = Field(None, max_length=32, description="Only this endpoint's.")
    failed: StrictBool | Literal["true", "false"] = Field(
        False, description="Only deliveries that failed for good.")
    limit: int = Field(50, ge=1, le=500, description="At most this many, newest first.")


class DownloadQuery(_Model):
    token: str = Field(max_length=1024, description="The token from the webhook's link.")


class WebhookOut(BaseModel):
    id: str
    name: str | None
    url: str
    description: str | None
    events: list[str]
    scope: webhooks.Scope = Field(description=(
        "all plans, or only a manager's, a department's, or those that name it."))
    filter: str | None = Field(description="The manager's email or the department.")
    created_at: dt.datetime
    created_by: str
    disabled_at: dt.datetime | None
    disabled_reason: str | None
    previous_secret_expires_at: dt.datetime | None = Field(description=(
        "While a rotation overlaps, when the old secret stops signing."))

    @classmethod
    def of(cls, row: WebhookEndpoint) -> WebhookOut:
        return cls(id=row.id, name=row.name, url=row.url, description=row.description,
                   events=row.event_types, scope=webhooks.Scope(row.scope),
                   filter=row.filter_value, created_at=row.created_at,
                   created_by=row.created_by, disabled_at=row.disabled_at,
                   disabled_reason=row.disabled_reason,
                   previous_secret_expires_at=row.previous_secret_expires_at)


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="The signing secret (whsec_...): shown this once.")


class WebhooksOut(BaseModel):
    webhooks: list[WebhookOut]


class SecretOut(BaseModel):
    id: str
    secret: str = Field(description="The new signing secret: shown this once.")
    previous_secret_expires_at: dt.datetime | None


class AttemptOut(BaseModel):
    number: int
    at: dt.datetime
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None = Field(description="The answer's first 500 characters.")
    error: str | None

    @classmethod
    def of(cls, row: WebhookAttempt) -> AttemptOut:
        return cls(number=row.number, at=row.at, status_code=row.status_code,
                   latency_ms=row.latency_ms, response_excerpt=row.response_excerpt,
                   error=row.error)


class DeliveryOut(BaseModel):
    id: str = Field(description="The message id, sent as webhook-id on every attempt.")
    endpoint_id: str
    event_type: str
    envelope_id: str
    status: Literal["pending", "delivered", "failed"]
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    failed_at: dt.datetime | None
    last_status: int | None
    last_error: str | None
    attempts: list[AttemptOut]

    @classmethod
    def of(cls, row: WebhookMessage, attempts: list[WebhookAttempt]) -> DeliveryOut:
        return cls(id=row.id, endpoint_id=row.endpoint_id, event_type=row.event_type,
                   envelope_id=row.ordering_key, status=row.status, created_at=row.created_at,
                   next_attempt_at=row.next_attempt_at, delivered_at=row.delivered_at,
                   failed_at=row.failed_at, last_status=row.last_status,
                   last_error=row.last_error, attempts=[AttemptOut.of(a) for a in attempts])


class DeliveriesOut(BaseModel):
    deliveries: list[DeliveryOut]

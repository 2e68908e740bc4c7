"""Outgoing webhooks: endpoints, signed messages (Standard Webhooks), delivery with
retries, and the delivery log. Incoming email-provider events are a later addition.

Imports nothing of ours but the shared database base, and knows nothing of envelopes
beyond the event it is given: :func:`publish` takes an event type, its thin ``data``,
an ordering key, the plan's owner and team (whose endpoints may see it) and its manager
and department for endpoint filters.

Modules: :mod:`~webhooks.models` (the tables), :mod:`~webhooks.events` (the event types
endpoints may subscribe to), :mod:`~webhooks.endpoints` (register and manage endpoints),
:mod:`~webhooks.addresses` (which URLs and addresses are allowed),
:mod:`~webhooks.signatures` (secrets and Standard Webhooks signatures),
:mod:`~webhooks.publish` (queue an event), :mod:`~webhooks.schedule` (the retry
schedule), :mod:`~webhooks.transport` (the HTTP client), :mod:`~webhooks.delivery` (the
worker's delivery pass), :mod:`~webhooks.history` (the delivery log, redelivery).
``webhooks.delivery`` is imported by name where it is used: aiohttp is slow to import,
and only the worker needs it.
"""

from webhooks.endpoints import (
    NAME_PATTERN,
    Created,
    Scope,
    create_endpoint,
    disable_endpoint,
    enable_endpoint,
    find_by_name,
    follow_owner,
    get_endpoint,
    hears_of,
    list_endpoints,
    rotate_secret,
    signing_secrets,
)
from webhooks.errors import (
    EndpointDisabled,
    EndpointNotFound,
    InvalidInput,
    MessageNotFound,
    ScopeNotAllowed,
    UnsafeAddress,
    WebhookError,
)
from webhooks.events import EVENT_TYPES
from webhooks.history import attempts_of, get_message, list_messages, redeliver
from webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookMessage
from webhooks.publish import publish

__all__ = [
    "EVENT_TYPES", "NAME_PATTERN", "Created", "EndpointDisabled", "EndpointNotFound",
    "InvalidInput", "MessageNotFound", "Scope", "ScopeNotAllowed", "UnsafeAddress",
    "WebhookAttempt", "WebhookEndpoint", "WebhookError", "WebhookMessage", "attempts_of",
    "create_endpoint", "disable_endpoint", "enable_endpoint", "find_by_name", "follow_owner",
    "get_endpoint",
    "get_message", "hears_of", "list_endpoints", "list_messages", "publish", "redeliver",
    "rotate_secret", "signing_secrets",
]
